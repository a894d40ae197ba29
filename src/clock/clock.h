// The only way ebb code learns the time (reliability.md §2.5).
#pragma once
#include <chrono>
#include <cstdint>

namespace ebb {

using WallTime = std::chrono::sys_time<std::chrono::milliseconds>;
using MonoTime = std::chrono::steady_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime wall_now() const = 0;
  virtual MonoTime mono_now() const = 0;
  int64_t now_ms() const { return wall_now().time_since_epoch().count(); }
};

class SystemClock final : public Clock {
 public:
  WallTime wall_now() const override;
  MonoTime mono_now() const override;
};

}  // namespace ebb

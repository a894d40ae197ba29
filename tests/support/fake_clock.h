// FakeClock: manual time for deterministic tests (STYLE.md §2).
#pragma once
#include "clock/clock.h"

namespace ebb {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(WallTime start = WallTime{std::chrono::milliseconds{1'735'689'600'000}}) : wall_(start) {}
  WallTime wall_now() const override { return wall_; }
  MonoTime mono_now() const override { return MonoTime{} + elapsed_; }
  void advance(Millis d) { wall_ += d; elapsed_ += d; }
  void advance_s(int64_t s) { advance(Millis{s * 1000}); }
  void step_wall(Millis d) { wall_ += d; }

 private:
  WallTime wall_;
  Millis elapsed_{0};
};

}  // namespace ebb

// The wire protocol between ebbd (ProcessRuntime) and ebb-launcher over their Unix
// socket (reliability.md §4.5: "a narrow request protocol ... launch spec in, pid/status
// events out"). Both sides use this file, so the launcher never parses JSON, YAML or HTTP.
//
// Framing: every record is a little-endian u32 body length followed by the body. A body
// is a u32 type, then the fields of that type in a fixed order: integers as 8-byte
// little-endian two's complement, strings as u32 length + bytes, string lists as u32
// count + strings, doubles as their IEEE-754 bits in 8 bytes. Bodies are at most
// kMaxRecord bytes; anything longer, shorter than its fields, or with trailing bytes is
// rejected and the connection dropped.
//
// Conversation: ebbd sends Hello; the launcher answers with one LiveTask per running
// task, one TaskExited per exit that happened while no ebbd listened, then HelloDone.
// After that ebbd sends LaunchSpec / Stop / Shutdown and the launcher sends TaskStarted
// and TaskExited as they happen. Changing a record: append fields at the end and bump
// kVersion; the launcher refuses a Hello with another version (the old launcher then
// keeps running its tasks until its orphan grace ends).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "base/result.h"
#include "runtime/runtime.h"

namespace ebb::runtime::proto {

inline constexpr uint32_t kVersion = 2;
inline constexpr size_t kMaxRecord = 256 << 10;      // one body
inline constexpr size_t kMaxArgvEnv = 128 << 10;     // argv + env bytes, NULs included (ARG_MAX-ish)
inline constexpr size_t kMaxPath = 4095;             // work_dir, log_path, cgroup
inline constexpr size_t kMaxText = 4096;             // TaskExited::message
inline constexpr int64_t kMinLogBytes = 4096;        // log_max_bytes bounds
inline constexpr int64_t kMaxLogBytes = int64_t{1} << 40;

enum class Type : uint32_t {
  Hello = 1,        // ebbd → launcher
  Launch = 2,
  Stop = 3,
  Shutdown = 4,
  HelloDone = 16,   // launcher → ebbd
  Live = 17,
  Started = 18,
  Exited = 19,
};

struct Hello {
  uint32_t version = kVersion;
  int64_t orphan_grace_ms = 30'000;
};
struct Stop {
  std::string task_id;
  int64_t grace_ms = 0;
};
struct Shutdown {
  bool stop_tasks = false;
};
struct HelloDone {
  int64_t launcher_pid = 0;
};

using Message = std::variant<Hello, LaunchSpec, Stop, Shutdown, HelloDone, LiveTask, TaskStarted, TaskExited>;

// A complete frame (length prefix + body). Callers validate LaunchSpecs first
// (validate()); encode itself never fails.
std::string encode(const Message& m);

// Decodes one body (without its length prefix). Invalid on any bound or format
// violation; a LaunchSpec is also checked with validate().
[[nodiscard]] Result<Message> decode(std::string_view body);

// Checks a spec against the bounds above: task id [A-Za-z0-9-]{1,64}; argv non-empty;
// no NUL in any string; argv+env at most kMaxArgvEnv bytes; env entries NAME=value;
// absolute work_dir and log_path; log_max_bytes within bounds; limits not negative.
[[nodiscard]] Status validate(const LaunchSpec& s);
bool valid_task_id(std::string_view id);

// Splits a byte stream into bodies. Not thread-safe.
class FrameBuffer {
 public:
  void append(const char* p, size_t n) { buf_.append(p, n); }
  // The next complete body, nullopt when more bytes are needed, Invalid when the
  // announced length is 0 or above kMaxRecord (the stream is then unusable).
  [[nodiscard]] Result<std::optional<std::string>> next();
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  std::string buf_;
  size_t pos_ = 0;
};

}  // namespace ebb::runtime::proto

// Restart back-off of a service's tasks (autoscaling.md §5.1, §5.4) as a pure value
// type: a task that lives less than 10 s (or never starts) delays the next launch by
// 1 s, doubling up to 60 s; a task that lives 60 s resets it. Tasks that fail together
// (launched before the current delay was armed) count as one failure, so ten workers
// crashing at once double the delay once, not ten times. Times are the controller's
// monotonic milliseconds.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>

namespace ebb::service {

inline constexpr int64_t kShortLifeMs = 10'000;   // shorter lives arm the back-off
inline constexpr int64_t kResetLifeMs = 60'000;   // a life this long resets it
inline constexpr int64_t kFirstBackoffMs = 1'000;
inline constexpr int64_t kMaxBackoffMs = 60'000;

struct RestartBackoff {
  int64_t delay_ms = 0;                                     // current level, 0 = none
  int64_t until_ms = 0;                                     // no launch before this
  int64_t armed_ms = std::numeric_limits<int64_t>::min();   // when the level last rose

  // A task ended on its own. lived_ms: nullopt = it never started (launch failure).
  // created_ms: when the task was created. Returns true when the delay rose (the
  // caller writes a BackOff event); the launch gate is until_ms either way.
  bool on_task_end(std::optional<int64_t> lived_ms, int64_t created_ms, int64_t now_ms) {
    if (lived_ms && *lived_ms >= kResetLifeMs) {
      reset();
      return false;
    }
    if (lived_ms && *lived_ms >= kShortLifeMs) return false;
    if (delay_ms != 0 && created_ms < armed_ms) return false;  // same round as the last rise
    delay_ms = delay_ms == 0 ? kFirstBackoffMs : std::min(delay_ms * 2, kMaxBackoffMs);
    armed_ms = now_ms;
    until_ms = now_ms + delay_ms;
    return true;
  }
  // A task of the service has now lived kResetLifeMs.
  void reset() { *this = RestartBackoff{}; }
  bool blocks(int64_t now_ms) const { return delay_ms != 0 && now_ms < until_ms; }
};

}  // namespace ebb::service

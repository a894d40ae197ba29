// Schedule expressions (scheduling.md §2–3): Kubernetes 5-field cron with @macros,
// EventBridge cron(…)/rate(…)/at(…), IANA time zones through date/tz (system tzdata),
// and the slot rule for DST. Pure functions of (expression, zone, instant): no clock.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ebb::sched {

enum class Dialect {
  Kubernetes,   // CronJob.spec.schedule: "*/5 * * * *", "@hourly"
  EventBridge,  // Schedule.spec.expression: "cron(0 6 * * ? *)", "rate(5 minutes)", "at(2026-01-01T00:00:00)"
};

// A time zone validated per reliability.md §5.5 before the tz database is touched.
class Zone {
 public:
  static Result<Zone> find(std::string_view name);  // "UTC", "America/New_York", "Etc/GMT-3"
  const std::string& name() const { return name_; }
  const void* tz() const { return tz_; }  // date::time_zone*, opaque here

 private:
  std::string name_;
  const void* tz_ = nullptr;
};

// spec.dstPolicy (scheduling.md §3.4). The default is ebb's rule (§3.2); {Skip, Both}
// reproduces Kubernetes, {Skip, FirstOnly} EventBridge Scheduler and systemd.
struct DstPolicy {
  enum class Gap { RunAtTransition, Skip };
  enum class Overlap { FirstOnly, Both };
  Gap gap = Gap::RunAtTransition;
  Overlap overlap = Overlap::FirstOnly;  // fixed-time expressions only; others follow elapsed time
};

class Expression {
 public:
  // Errors are Code::Invalid with a message naming the field ("minute: 60 is out of
  // range 0-59", "never fires: 30 February"). `allow_past_at` accepts an at() instant
  // before `now_ms` (it then fires once, at once).
  static Result<Expression> parse(std::string_view text, Dialect d, const Zone& zone, int64_t now_ms,
                                  bool allow_past_at = false);
  // The first slot strictly after `after_ms` (UTC epoch ms), or nullopt when there is
  // none (an at() that passed). Slots are whole seconds; DST per §3.2.
  std::optional<int64_t> next_after(int64_t after_ms) const;
  const std::string& text() const;
  Dialect dialect() const;

  // The last slot at or before `t_ms` (mirror of next_after, for the misfire rule of
  // §4.3: find the latest missed slot without counting forward), or nullopt.
  std::optional<int64_t> latest_at_or_before(int64_t t_ms) const;
  // The first slot to consider at creation (§2.4, §2.5): for rate() without a start
  // date, the anchor (creation truncated to the minute, so at or just before creation);
  // for an at() accepted with allow_past, its (past) instant — both "run at creation";
  // otherwise next_after(creation). A controller that ignores slots at or before its E
  // (§4.3) must special-case this one slot.
  std::optional<int64_t> initial_slot() const;
  // rate() with a startDate: slots are start (truncated down to the minute) + k·period,
  // k >= 0. No effect on other kinds.
  Expression with_anchor(int64_t start_ms) const;
  // spec.dstPolicy; cron dialects only.
  Expression with_dst_policy(DstPolicy p) const;
  // Non-fatal findings to show the user (portability, OR day rule, ambiguous at(), …).
  const std::vector<std::string>& warnings() const;
  // "every 5 minutes", "at 06:00 every day (UTC)", …
  std::string describe() const;
  // Whether minute and hour are fixed (§1: no `*`, `?`, `/`); false for rate/at/@every.
  bool fixed_time() const;

  struct Impl;
  Expression();
  ~Expression();
  Expression(const Expression&);
  Expression& operator=(const Expression&);

 private:
  std::shared_ptr<const Impl> impl_;
};

}  // namespace ebb::sched

// plan_slots: the pure "which slots are due now?" decision of scheduling.md §4.3
// (misfires), §4.4 (flexible windows) and §4.3 catchUp, over any slot series given as
// a next_after function (sched::Expression in production, a table in tests). The
// controller filters slots it already recorded and applies the concurrency policy.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "sched/schedule_spec.h"

namespace ebb::sched {

// The first slot strictly after the argument (UTC epoch ms), nullopt when none.
using NextSlotFn = std::function<std::optional<int64_t>(int64_t)>;

inline constexpr int64_t kMissedListed = 100;        // §4.3 step 3: more → one event with the count
inline constexpr int64_t kMissedCountCap = 1'000'000;  // exact up to 10^6, then "≥ 1,000,000"

struct PlanInput {
  int64_t after_ms = 0;                 // E: slots at or before it are never candidates
  int64_t now_ms = 0;                   // t (wall)
  std::optional<int64_t> deadline_s;    // startingDeadlineSeconds
  std::optional<int64_t> end_ms;        // Schedule endDate: no slot after it
  std::function<int64_t(int64_t)> offset_ms;  // flexible-window offset of a slot (empty = 0)
  CatchUp catch_up = CatchUp::Latest;
  int64_t max_catch_up = 10;
};

struct SlotPlan {
  std::vector<int64_t> run;          // slots to start now, oldest first
  std::vector<int64_t> too_late;     // Missed(DeadlineExceeded)
  std::vector<int64_t> superseded;   // Missed(Superseded), listed only when ≤ kMissedListed
  int64_t superseded_count = 0;      // every superseded slot, capped at kMissedCountCap
  bool count_capped = false;
  std::optional<int64_t> last_superseded;  // newest superseded slot (listed or not)
  std::optional<int64_t> next_due;   // wall instant of the next look (slot + offset); none = no slot left
  bool exhausted = false;            // no slot after now (at() fired, endDate or Year passed)
};

// Pure: no clock. Slots in (after_ms, now_ms] whose launch instant (slot + offset) has
// come are "due": the latest (Latest), the newest max_catch_up (All) or those within
// a minute of their launch instant (None) are candidates; a candidate whose lateness
// floor((now − slot)/1 s) exceeds the deadline is too late; every other due slot is
// superseded. Slots not yet due stay for a later call.
SlotPlan plan_slots(const NextSlotFn& next, const PlanInput& in);

// lateness in whole seconds (§1), as deadlines compare it.
inline int64_t lateness_s(int64_t slot_ms, int64_t decision_ms) {
  const int64_t d = decision_ms - slot_ms;
  return d >= 0 ? d / 1000 : -((-d + 999) / 1000);
}

}  // namespace ebb::sched

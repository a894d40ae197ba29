#include "sched/slot_plan.h"

#include <deque>

namespace ebb::sched {

namespace {
// Slots kept from the end of S: enough for max_catch_up candidates plus the listed
// superseded ones.
constexpr size_t kTail = 2 * kMissedListed + 2;
// Within this of its launch instant a slot counts as on time for catchUp: None.
constexpr int64_t kOnTimeMs = 60'000;
}  // namespace

SlotPlan plan_slots(const NextSlotFn& next, const PlanInput& in) {
  SlotPlan p;
  auto offset = [&](int64_t s) { return in.offset_ms ? in.offset_ms(s) : 0; };
  auto in_range = [&](std::optional<int64_t> s) { return s && (!in.end_ms || *s <= *in.end_ms); };
  std::deque<int64_t> tail;
  int64_t count = 0;
  std::optional<int64_t> s = next(in.after_ms);
  while (in_range(s) && *s <= in.now_ms) {
    if (++count >= kMissedCountCap && !p.count_capped) {
      // A decade of every-minute slots: stop counting and find the end of S by a
      // window that doubles back from now (§4.3: never iterate unboundedly).
      p.count_capped = true;
      int64_t w = 60'000;
      while (in.now_ms - w > *s) {
        std::optional<int64_t> f = next(in.now_ms - w);
        if (f && *f <= in.now_ms) break;
        w *= 2;
      }
      tail.clear();
      s = next(std::max(*s, in.now_ms - w));
      continue;
    }
    tail.push_back(*s);
    if (tail.size() > kTail) tail.pop_front();
    s = next(*s);
  }
  // Slots of S whose flexible-window launch instant has not come yet wait.
  std::optional<int64_t> next_due;
  while (!tail.empty() && tail.back() + offset(tail.back()) > in.now_ms) {
    const int64_t due = tail.back() + offset(tail.back());
    next_due = next_due ? std::min(*next_due, due) : due;
    tail.pop_back();
    --count;
  }
  if (in_range(s)) {
    const int64_t due = *s + offset(*s);
    next_due = next_due ? std::min(*next_due, due) : due;
  } else {
    p.exhausted = true;
  }
  p.next_due = next_due;
  if (tail.empty()) return p;

  size_t candidates = 0;
  switch (in.catch_up) {
    case CatchUp::Latest: candidates = 1; break;
    case CatchUp::All: candidates = std::min<size_t>(tail.size(), static_cast<size_t>(in.max_catch_up)); break;
    case CatchUp::None:
      candidates = in.now_ms - (tail.back() + offset(tail.back())) <= kOnTimeMs ? 1 : 0;
      break;
  }
  const size_t first_candidate = tail.size() - candidates;
  for (size_t i = first_candidate; i < tail.size(); ++i) {
    const int64_t slot = tail[i];
    if (in.deadline_s && lateness_s(slot, in.now_ms) > *in.deadline_s) {
      p.too_late.push_back(slot);
    } else {
      p.run.push_back(slot);
    }
  }
  p.superseded_count = std::max<int64_t>(0, count - static_cast<int64_t>(candidates));
  if (first_candidate > 0) p.last_superseded = tail[first_candidate - 1];
  if (p.superseded_count <= kMissedListed && !p.count_capped) {
    for (size_t i = 0; i < first_candidate; ++i) p.superseded.push_back(tail[i]);
  }
  return p;
}

}  // namespace ebb::sched

// autoscaling.md §4.4 properties over seeded random counter scripts (seeds are printed
// on failure; rerun one with EBB_SCALE_SEED=<seed>):
//   - N never leaves [minTasks, maxTasks], except 0 when minTasks = 0;
//   - N increases in the same evaluation as the counter change that demands it (no
//     scale-out cooldown); with a cooldown, increases are at least that far apart;
//   - N never decreases within W of a recommendation ≥ N, nor to 0 within
//     max(W, scaleToZeroDelay) of a non-zero one;
//   - evaluating only at changes and at next_eval gives the N timeline of evaluating
//     every millisecond, and every timer wake changes N;
//   - identical inputs give identical decisions and states.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>

#include "scale/autoscaler.h"
#include "trace_harness.h"

namespace ebb::scale {
namespace {

using testing::Call;
using testing::desired;
using testing::Run;
using testing::Trace;

constexpr Ms kSpan = 12'000;  // each script runs 12 s of fake time, polled every 1 ms

struct Generated {
  Config cfg;
  Trace trace;
};

Generated generate(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
  auto chance = [&](int pct) { return pick(1, 100) <= pct; };

  Config c;
  const int ntrig = static_cast<int>(pick(1, 3));
  for (int i = 0; i < ntrig; ++i) {
    Trigger t = testing::trigger("q" + std::to_string(i), std::vector<double>{0.5, 1, 2.5, 5, 7.3}[pick(0, 4)]);
    t.include_in_flight = chance(70);
    t.include_delayed = chance(20);
    c.triggers.push_back(t);
  }
  c.min_tasks = chance(45) ? 0 : pick(1, 2);
  c.max_tasks = std::max<int64_t>(c.min_tasks, 1) + pick(0, 12);
  c.tolerance = std::vector<double>{0, 0.05, 0.1, 0.25}[pick(0, 3)];
  c.scale_out_cooldown = chance(60) ? 0 : pick(1, 3000);
  c.scale_in_window = chance(10) ? 0 : pick(1, 4000);
  c.scale_to_zero_delay = pick(0, 6000);
  c.activation_backlog = chance(50) ? 0 : pick(0, 5);
  c.deactivation_backlog = chance(50) ? 0 : pick(0, c.activation_backlog);
  if (chance(40)) {
    c.scale_in_max_per_step = pick(1, 3);
    c.scale_in_step = pick(1, 1500);
  }
  c.fifo_cap_at_groups = chance(80);

  Trace tr(c, desired(pick(c.min_tasks, std::min<int64_t>(c.max_tasks, c.min_tasks + 3))));
  // Bursts and quiet periods: counters change at random milliseconds, often to zero so
  // that windows and zero delays expire inside the span.
  const int changes = static_cast<int>(pick(5, 40));
  std::vector<Ms> at{0};
  for (int i = 1; i < changes; ++i) at.push_back(pick(0, kSpan - 1));
  std::sort(at.begin(), at.end());
  int64_t quiet_left = 0;
  for (Ms t : at) {
    std::vector<QueueCounts> counts;
    // Quiet streaks: the queues stay empty over several changes.
    if (quiet_left == 0 && chance(25)) quiet_left = pick(1, 5);
    const bool all_quiet = quiet_left > 0;
    if (quiet_left > 0) --quiet_left;
    for (int i = 0; i < ntrig; ++i) {
      const bool quiet = all_quiet || chance(20);
      QueueCounts qc = testing::q(quiet ? 0 : pick(0, 80), quiet ? 0 : pick(0, 20), quiet ? 0 : pick(0, 10));
      if (chance(25)) {
        qc.fifo = true;
        qc.active_groups = pick(0, 12);
      }
      if (chance(3)) qc.exists = false;
      counts.push_back(qc);
    }
    tr.set(t, counts);
    if (chance(8)) tr.override_to(t, pick(0, c.max_tasks + 2));
  }
  return Generated{c, tr};
}

struct Rec {
  Ms t;
  int64_t value;
};

// Recommendations in force over (from, to]: those made inside it plus the last one made at
// or before `from` (it stays in force after `from`).
template <class F>
bool all_in_force(const std::vector<Rec>& recs, Ms from, Ms to, F ok) {
  const Rec* before = nullptr;
  for (const Rec& r : recs) {
    if (r.t > to) break;
    if (r.t <= from) {
      before = &r;
    } else if (!ok(r.value)) {
      return false;
    }
  }
  return before == nullptr || ok(before->value);
}

// How often the scripts hit each rule, so the properties are not vacuously true.
struct Coverage {
  int scale_in = 0, deactivated = 0, activated = 0, deferred = 0, timer_wakes = 0, held = 0, groups = 0,
      overrides = 0, tolerance = 0;
};

void check_properties(uint64_t seed, Coverage& cov) {
  SCOPED_TRACE("seed " + std::to_string(seed) + " (EBB_SCALE_SEED=" + std::to_string(seed) + ")");
  Generated g = generate(seed);
  const Config& c = g.cfg;
  const Run poll = g.trace.poll(0, kSpan, 1);
  const Run ev = g.trace.event_driven(0, kSpan);
  testing::expect_equivalent(poll, ev);

  // Determinism.
  const Run again = g.trace.event_driven(0, kSpan);
  ASSERT_EQ(ev.evals.size(), again.evals.size());
  for (size_t i = 0; i < ev.evals.size(); ++i) ASSERT_EQ(ev.evals[i].d, again.evals[i].d) << i;
  EXPECT_EQ(ev.final_state, again.final_state);

  // Recommendations: N at the first evaluation (see evaluate()), every raw, every override.
  std::vector<Rec> recs{{0, poll.timeline.front().second}};
  std::optional<Ms> last_increase;
  for (const testing::Eval& e : ev.evals) cov.timer_wakes += e.timer_only;
  for (const testing::Eval& e : poll.evals) {
    const Decision& d = e.d;
    cov.scale_in += d.reason == Reason::ScaleIn;
    cov.deactivated += d.reason == Reason::Deactivated;
    cov.activated += d.reason == Reason::Activated;
    cov.deferred += d.reason == Reason::CooldownDeferred;
    cov.held += d.reason == Reason::HeldByWindow;
    cov.groups += d.reason == Reason::CappedAtGroups;
    cov.overrides += e.call == Call::Override;
    cov.tolerance += d.reason == Reason::WithinTolerance;
    recs.push_back({e.t, e.call == Call::Evaluate ? d.raw : d.desired});
    // Bounds.
    if (c.min_tasks == 0 && d.desired == 0) {
    } else {
      ASSERT_GE(d.desired, std::max<int64_t>(c.min_tasks, 1)) << "t=" << e.t;
      ASSERT_LE(d.desired, c.max_tasks) << "t=" << e.t;
    }
    if (e.call != Call::Evaluate) continue;
    // Increases happen in the evaluation that sees the demand (or, with a cooldown, as
    // soon as it allows).
    if (d.raw > d.old_desired) {
      if (c.scale_out_cooldown == 0) {
        ASSERT_EQ(d.desired, d.raw) << "t=" << e.t;
      } else if (d.desired != d.raw) {
        ASSERT_EQ(d.reason, Reason::CooldownDeferred) << "t=" << e.t;
        ASSERT_TRUE(last_increase && e.t < *last_increase + c.scale_out_cooldown) << "t=" << e.t;
        ASSERT_EQ(d.next_eval, *last_increase + c.scale_out_cooldown) << "t=" << e.t;
      }
    }
    if (d.desired > d.old_desired) {
      if (c.scale_out_cooldown > 0 && last_increase) {
        ASSERT_GE(e.t, *last_increase + c.scale_out_cooldown) << "t=" << e.t;
      }
      last_increase = e.t;
    }
    // Decreases: never within W of a recommendation ≥ N, never to 0 within Z of a
    // non-zero one.
    if (d.desired < d.old_desired) {
      const int64_t n = d.old_desired;
      ASSERT_TRUE(all_in_force(recs, e.t - c.scale_in_window, e.t, [&](int64_t v) { return v < n; }))
          << "decrease " << n << " -> " << d.desired << " at t=" << e.t << " within W of a recommendation >= N";
      if (d.desired == 0) {
        const Ms z = std::max(c.scale_in_window, c.scale_to_zero_delay);
        ASSERT_TRUE(all_in_force(recs, e.t - z, e.t, [](int64_t v) { return v == 0; }))
            << "1 -> 0 at t=" << e.t << " within the zero delay";
      }
      if (c.scale_in_max_per_step) {
        ASSERT_LE(n - d.desired, *c.scale_in_max_per_step);
      }
    }
  }
}

TEST(Properties, RandomCounterScripts) {
  Coverage cov;
  if (const char* s = std::getenv("EBB_SCALE_SEED")) {
    check_properties(std::strtoull(s, nullptr, 10), cov);
    return;
  }
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    check_properties(seed, cov);
    if (::testing::Test::HasFatalFailure()) return;
  }
  EXPECT_GT(cov.scale_in, 50);
  EXPECT_GT(cov.deactivated, 10);
  EXPECT_GT(cov.activated, 10);
  EXPECT_GT(cov.deferred, 10);
  EXPECT_GT(cov.timer_wakes, 100);
  EXPECT_GT(cov.held, 1000);
  EXPECT_GT(cov.groups, 10);
  EXPECT_GT(cov.overrides, 20);
  EXPECT_GT(cov.tolerance, 10);
  std::printf("coverage: %d scale-ins, %d deactivations, %d activations, %d deferred, %d timer wakes, %d overrides\n",
              cov.scale_in, cov.deactivated, cov.activated, cov.deferred, cov.timer_wakes, cov.overrides);
}

}  // namespace
}  // namespace ebb::scale

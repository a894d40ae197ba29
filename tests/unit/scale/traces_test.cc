// autoscaling.md §8: every worked trace, asserted step by step. Each trace runs twice:
// polled every second and at every scripted change (the §8 convention), and event-driven
// (only at changes and at next_eval); run_both checks the two agree.
#include <gtest/gtest.h>

#include "scale/autoscaler.h"
#include "trace_harness.h"

namespace ebb::scale {
namespace {

using testing::fifo;
using testing::q;
using testing::run_both;
using testing::sec;
using testing::seed_config;
using testing::desired;
using testing::Trace;
using testing::trigger;

struct Row {
  double t;
  int64_t raw;
  int64_t n;
};

void expect_rows(const testing::Run& r, const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    SCOPED_TRACE("t=" + std::to_string(row.t));
    const Decision& d = r.at(sec(row.t));
    EXPECT_EQ(d.raw, row.raw);
    EXPECT_EQ(d.desired, row.n);
  }
}

// The N timeline after the initial value: (t in s, N).
std::vector<std::pair<Ms, int64_t>> steps(const testing::Run& r) {
  return {r.timeline.begin() + 1, r.timeline.end()};
}
std::vector<std::pair<Ms, int64_t>> at_s(std::initializer_list<std::pair<double, int64_t>> l) {
  std::vector<std::pair<Ms, int64_t>> v;
  for (auto [t, n] : l) v.emplace_back(sec(t), n);
  return v;
}

// ---- T1: steady state (scenario 1) ----
TEST(Trace, T1SteadyState) {
  Trace tr(seed_config(), desired(1));
  tr.set(0, q(4, 1)).set(sec(600), q(6, 0));
  auto r = run_both(tr, 0, sec(900));
  for (int s = 0; s < 600; ++s) {
    ASSERT_EQ(r.at(sec(s)).raw, 1) << s;
    ASSERT_EQ(r.at(sec(s)).desired, 1) << s;
  }
  EXPECT_EQ(r.at(0).reason, Reason::None);  // ratio 1.0, and ceil(5/5) = 1 anyway
  EXPECT_EQ(r.at(sec(600)).raw, 2);         // ratio 1.2
  EXPECT_EQ(r.at(sec(600)).desired, 2);
  EXPECT_EQ(r.at(sec(600)).reason, Reason::ScaleOut);
  EXPECT_EQ(steps(r), at_s({{600, 2}}));
}

// ---- T2: spike (scenario 2); 10 tasks each finish one message per 20 s ----
Trace t2(bool include_in_flight) {
  Config c = seed_config();
  c.triggers[0].include_in_flight = include_in_flight;
  Trace tr(c, desired(1));
  tr.set(0, q(0, 0)).set(sec(10), q(100, 0)).set(sec(11), q(90, 10));
  // Every 20 s from 31 on, ten messages are deleted and ten more received.
  int64_t v = 90;
  for (int t = 31; t <= 191; t += 20) {
    v -= 10;
    tr.set(sec(t), q(v, 10));
  }
  tr.set(sec(211), q(0, 0));
  return tr;
}

TEST(Trace, T2Spike) {
  auto r = run_both(t2(true), 0, sec(700), {sec(430.999), sec(510.999)});
  expect_rows(r, {{0, 1, 1},     {10, 10, 10},  {11, 10, 10},  {31, 10, 10},  {51, 10, 10},
                  {71, 10, 10},  {91, 10, 10},  {111, 10, 10}, {131, 8, 10},  {151, 6, 10},
                  {171, 4, 10},  {191, 2, 10},  {211, 1, 10},  {430, 1, 10},  {430.999, 1, 10},
                  {431, 1, 8},   {451, 1, 6},   {471, 1, 4},   {491, 1, 2},   {510.999, 1, 2},
                  {511, 1, 1}});
  // B per trigger at the table's instants.
  EXPECT_EQ(r.at(sec(11)).triggers[0].backlog, 100);
  EXPECT_EQ(r.at(sec(91)).triggers[0].backlog, 60);
  EXPECT_EQ(r.at(sec(191)).triggers[0].backlog, 10);
  // Scale-out in the same evaluation, ceil(100/5) = 20 capped at max.
  EXPECT_EQ(r.at(sec(10)).reason, Reason::CappedAtMax);
  EXPECT_EQ(r.at(sec(10)).demand, 20);
  EXPECT_EQ(r.at(sec(31)).reason, Reason::CappedAtMax);  // "capped at max"
  EXPECT_TRUE(r.at(sec(111)).triggers[0].within_tolerance);
  EXPECT_EQ(r.at(sec(131)).reason, Reason::HeldByWindow);
  EXPECT_EQ(r.at(sec(131)).window_max, 10);
  // raw 10 ended at 131: the window lets go at 131 + 300 exactly.
  EXPECT_EQ(r.at(sec(430)).next_eval, sec(431));
  EXPECT_EQ(r.at(sec(431)).reason, Reason::ScaleIn);
  EXPECT_EQ(r.at(sec(431)).window_max, 8);
  EXPECT_EQ(r.at(sec(511)).reason, Reason::ScaleIn);
  EXPECT_EQ(r.at(sec(511)).next_eval, std::nullopt);
  EXPECT_EQ(steps(r), at_s({{10, 10}, {431, 8}, {451, 6}, {471, 4}, {491, 2}, {511, 1}}));
}

TEST(Trace, T2vVisibleOnly) {
  auto r = run_both(t2(false), 0, sec(700), {sec(410.999)});
  EXPECT_EQ(r.at(sec(111)).raw, 8);  // V = 40
  EXPECT_EQ(r.at(sec(410.999)).desired, 10);
  // The in-flight tail (191–211) is invisible to this metric.
  EXPECT_EQ(steps(r), at_s({{10, 10}, {411, 8}, {431, 6}, {451, 4}, {471, 2}, {491, 1}}));
}

// ---- T3: empty queue, 10 tasks (scenario 3) ----
TEST(Trace, T3EmptyQueue) {
  // raw = 10 in force until t = 0.
  Trace tr(seed_config(), desired(10, {{sec(-1000), 10}}));
  tr.set(0, q(0, 0));
  auto r = run_both(tr, 0, sec(700), {sec(299.999)});
  expect_rows(r, {{0, 1, 10}, {299.999, 1, 10}, {300, 1, 1}});
  EXPECT_EQ(r.at(sec(300)).reason, Reason::ScaleIn);  // single step 10 → 1
  EXPECT_EQ(steps(r), at_s({{300, 1}}));
}

TEST(Trace, T3FreshStateCountsNAsRecommendedAtFirstEvaluation) {
  // No history at all: N = 10 counts as recommended at t = 0, same outcome.
  Trace tr(seed_config(), desired(10));
  tr.set(0, q(0, 0));
  auto r = run_both(tr, 0, sec(700), {sec(299.999)});
  EXPECT_EQ(r.at(sec(299.999)).desired, 10);
  EXPECT_EQ(steps(r), at_s({{300, 1}}));
}

// ---- T4: gradual growth (scenario 4): B(t) = 5 + floor(t / 30) ----
TEST(Trace, T4GradualGrowth) {
  Trace tr(seed_config(), desired(1));
  for (int k = 0; k <= 20; ++k) tr.set(sec(30 * k), q(5 + k));
  auto r = run_both(tr, 0, sec(600));
  expect_rows(r, {{0, 1, 1},
                  {30, 2, 2},
                  {180, 2, 2},
                  {210, 3, 3},
                  {330, 3, 3},
                  {360, 4, 4},
                  {510, 4, 4},
                  {540, 5, 5},
                  {600, 5, 5}});
  EXPECT_EQ(r.at(sec(180)).reason, Reason::WithinTolerance);  // ratio 1.1 exactly, inside
  EXPECT_EQ(r.at(sec(510)).reason, Reason::WithinTolerance);
  EXPECT_EQ(r.at(sec(330)).reason, Reason::WithinTolerance);  // 16/15, ceil would be 4
  EXPECT_EQ(steps(r), at_s({{30, 2}, {210, 3}, {360, 4}, {540, 5}}));
}

// ---- T5: scale to zero and back ----
TEST(Trace, T5ScaleToZeroAndBack) {
  Config c = seed_config();
  c.min_tasks = 0;
  Trace tr(c, desired(0));
  tr.set(0, q(0)).set(sec(10), q(3)).set(sec(12), q(0, 3)).set(sec(40), q(0));
  auto r = run_both(tr, 0, sec(700), {sec(339.999)});
  expect_rows(r, {{0, 0, 0}, {10, 1, 1}, {12, 1, 1}, {40, 0, 1}, {339.999, 0, 1}, {340, 0, 0}});
  EXPECT_EQ(r.at(sec(10)).reason, Reason::Activated);
  EXPECT_EQ(r.at(sec(40)).reason, Reason::HeldByWindow);
  EXPECT_EQ(r.at(sec(40)).next_eval, sec(340));
  EXPECT_EQ(r.at(sec(340)).reason, Reason::Deactivated);
  EXPECT_EQ(steps(r), at_s({{10, 1}, {340, 0}}));
}

// ---- T6: zero to max in one step ----
TEST(Trace, T6ZeroToMaxInOneStep) {
  Config c = seed_config();
  c.min_tasks = 0;
  Trace tr(c, desired(0));
  tr.set(0, q(0)).set(sec(5), q(100));
  auto r = run_both(tr, 0, sec(60));
  EXPECT_EQ(r.at(sec(5)).desired, 10);
  EXPECT_EQ(r.at(sec(5)).reason, Reason::Activated);  // 0 → n wins over CappedAtMax
  EXPECT_EQ(r.at(sec(5)).demand, 20);
  EXPECT_EQ(steps(r), at_s({{5, 10}}));
}

// ---- T7: activation with hysteresis ----
TEST(Trace, T7ActivationHysteresis) {
  Config c = seed_config();
  c.min_tasks = 0;
  c.activation_backlog = 3;
  Trace tr(c, desired(0));
  tr.set(0, q(0)).set(sec(10), q(2)).set(sec(20), q(4)).set(sec(30), q(3)).set(sec(40), q(0));
  auto r = run_both(tr, 0, sec(700));
  expect_rows(r, {{10, 0, 0}, {20, 1, 1}, {30, 1, 1}, {40, 0, 1}, {339, 0, 1}, {340, 0, 0}});
  EXPECT_EQ(steps(r), at_s({{20, 1}, {340, 0}}));
}

TEST(Trace, T7kKedaParityStrandsThreeMessages) {
  Config c = seed_config();
  c.min_tasks = 0;
  c.activation_backlog = 3;
  c.deactivation_backlog = 3;
  Trace tr(c, desired(0));
  tr.set(0, q(0)).set(sec(10), q(2)).set(sec(20), q(4)).set(sec(30), q(3));
  auto r = run_both(tr, 0, sec(1000));
  EXPECT_EQ(r.at(sec(30)).raw, 0);
  EXPECT_EQ(steps(r), at_s({{20, 1}, {330, 0}}));
  EXPECT_EQ(r.at(sec(1000)).desired, 0);  // B = 3 is not above activation: stranded
}

// ---- T8: scale-out cooldown ----
TEST(Trace, T8NoCooldown) {
  Trace tr(seed_config(), desired(1));
  tr.set(0, q(20)).set(sec(10), q(50));
  auto r = run_both(tr, 0, sec(120));
  EXPECT_EQ(steps(r), at_s({{0, 4}, {10, 10}}));
}

TEST(Trace, T8SeedCooldownDefersNeverDrops) {
  Config c = seed_config();
  c.scale_out_cooldown = sec(60);
  Trace tr(c, desired(1));
  tr.set(0, q(20)).set(sec(10), q(50));
  auto r = run_both(tr, 0, sec(120), {sec(59.999)});
  EXPECT_EQ(r.at(sec(10)).reason, Reason::CooldownDeferred);
  EXPECT_EQ(r.at(sec(10)).raw, 10);
  EXPECT_EQ(r.at(sec(10)).next_eval, sec(60));
  EXPECT_EQ(r.at(sec(59.999)).desired, 4);
  EXPECT_EQ(r.at(sec(60)).desired, 10);
  EXPECT_EQ(steps(r), at_s({{0, 4}, {60, 10}}));
}

// ---- T9: spikes do not cause flapping ----
TEST(Trace, T9SpikesDoNotFlap) {
  Trace tr(seed_config(), desired(1));
  tr.set(0, q(5)).set(sec(60), q(50)).set(sec(70), q(5)).set(sec(200), q(50)).set(sec(210), q(5));
  auto r = run_both(tr, 0, sec(800), {sec(509.999)});
  EXPECT_EQ(r.at(sec(200)).raw, 10);  // inside tolerance at N = 10, refreshes the window
  EXPECT_EQ(r.at(sec(200)).reason, Reason::None);
  EXPECT_EQ(r.at(sec(209)).reason, Reason::None);
  EXPECT_EQ(r.at(sec(300)).reason, Reason::HeldByWindow);
  EXPECT_EQ(r.at(sec(509.999)).desired, 10);
  EXPECT_EQ(steps(r), at_s({{60, 10}, {510, 1}}));
}

// ---- T10: tolerance at larger N ----
TEST(Trace, T10ToleranceAtLargerN) {
  Config c = seed_config();
  c.max_tasks = 20;
  Trace tr(c, desired(10));
  tr.set(0, q(50)).set(sec(10), q(54)).set(sec(20), q(56)).set(sec(30), q(44));
  auto r = run_both(tr, 0, sec(600));
  expect_rows(r, {{0, 10, 10}, {10, 10, 10}, {20, 12, 12}, {30, 9, 12}, {329, 9, 12}, {330, 9, 9}});
  EXPECT_EQ(r.at(sec(10)).reason, Reason::WithinTolerance);
  EXPECT_EQ(steps(r), at_s({{20, 12}, {330, 9}}));
}

// ---- T11: FIFO cap ----
TEST(Trace, T11FifoCapAtActiveGroups) {
  Trace tr(seed_config(), desired(1));
  tr.set(0, fifo(100, 3)).set(sec(5), fifo(110, 8));
  auto r = run_both(tr, 0, sec(60));
  const Decision& d = r.at(0);
  EXPECT_EQ(d.triggers[0].uncapped, 20);
  EXPECT_EQ(d.triggers[0].recommendation, 3);
  EXPECT_TRUE(d.triggers[0].capped_at_groups);
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.reason, Reason::CappedAtGroups);
  EXPECT_EQ(r.at(sec(1)).reason, Reason::CappedAtGroups);  // still capped, N unchanged
  EXPECT_EQ(r.at(sec(5)).desired, 8);                      // at once
  EXPECT_EQ(r.at(sec(5)).reason, Reason::CappedAtGroups);
  EXPECT_EQ(steps(r), at_s({{0, 3}, {5, 8}}));
}

// ---- T12: bounds and overrides ----
TEST(Trace, T12CappedAtMax) {
  Trace tr(seed_config(), desired(1));
  tr.set(0, q(1000));
  auto r = run_both(tr, 0, sec(10));
  EXPECT_EQ(r.at(0).desired, 10);
  EXPECT_EQ(r.at(0).reason, Reason::CappedAtMax);
}

TEST(Trace, T12MinEditClampsAtOnce) {
  Config c = seed_config();
  Config c4 = c;
  c4.min_tasks = 4;
  Trace tr(c, desired(1));
  tr.set(0, q(0)).edit(sec(50), c4);
  auto r = run_both(tr, 0, sec(100));
  EXPECT_EQ(r.at(sec(49)).desired, 1);
  EXPECT_EQ(r.at(sec(50)).desired, 4);  // same evaluation
  EXPECT_EQ(r.at(sec(50)).raw, 4);
  EXPECT_EQ(steps(r), at_s({{50, 4}}));
}

TEST(Trace, T12ScaleInDisabledNeverDecreases) {
  Config c = seed_config();
  c.scale_in_enabled = false;
  Trace tr(c, desired(1));
  tr.set(0, q(100)).set(sec(10), q(0));
  auto r = run_both(tr, 0, sec(2000));
  EXPECT_EQ(r.at(sec(10)).reason, Reason::ScaleInDisabled);
  EXPECT_EQ(r.at(sec(2000)).reason, Reason::ScaleInDisabled);
  EXPECT_EQ(r.at(sec(2000)).next_eval, std::nullopt);
  EXPECT_EQ(steps(r), at_s({{0, 10}}));
}

// ---- T13: several triggers ----
TEST(Trace, T13SeveralTriggers) {
  Config c = seed_config();
  c.triggers = {trigger("a", 5), trigger("b", 1)};
  Trace tr(c, desired(1));
  tr.set(0, {q(30), q(4)}).set(sec(100), {q(0), q(4)});
  auto r = run_both(tr, 0, sec(700), {sec(399.999)});
  const Decision& d = r.at(0);
  ASSERT_EQ(d.triggers.size(), 2u);
  EXPECT_EQ(d.triggers[0].recommendation, 6);
  EXPECT_EQ(d.triggers[1].recommendation, 4);
  EXPECT_EQ(d.desired, 6);
  EXPECT_EQ(r.at(sec(100)).raw, 4);
  EXPECT_EQ(r.at(sec(399.999)).desired, 6);
  EXPECT_EQ(r.at(sec(400)).desired, 4);
  EXPECT_EQ(r.at(sec(400)).triggers[1].recommendation, 4);
  EXPECT_EQ(steps(r), at_s({{0, 6}, {400, 4}}));
}

// ---- T14: scale-in never interrupts work (the decision; draining is the controller's) ----
TEST(Trace, T14DecisionIsOne) {
  // N = 3 since raw was 3 (B = 15) until −300; since then b and c hold 3 leases (F = 3),
  // so at t = 0 the window has expired and raw is 1. b deletes its message at 42.
  Trace tr(seed_config(), desired(3, {{sec(-600), 3}}));
  tr.set(sec(-300), q(0, 3)).set(sec(42), q(0, 2));
  auto r = run_both(tr, sec(-300), sec(400), {sec(-0.001)});
  EXPECT_EQ(r.at(sec(-0.001)).desired, 3);
  EXPECT_EQ(r.at(0).raw, 1);
  EXPECT_EQ(r.at(0).desired, 1);
  EXPECT_EQ(r.at(0).reason, Reason::ScaleIn);
  EXPECT_EQ(r.at(sec(42)).desired, 1);  // c keeps running as the one desired task
  EXPECT_EQ(steps(r), at_s({{0, 1}}));
}

}  // namespace
}  // namespace ebb::scale

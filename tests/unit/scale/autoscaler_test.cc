// scale::evaluate rule by rule (autoscaling.md §4), apply_bounds and override_desired
// (§4.4 step 4), the reasons of §9, and the four seed scenarios of §7.
#include "scale/autoscaler.h"

#include <gtest/gtest.h>

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

Inputs one(QueueCounts c) { return Inputs{.counts = {c}}; }

// ---- §4.2 arithmetic ----

TEST(CeilDivTarget, ExactInMilliMessages) {
  EXPECT_EQ(ceil_div_target(0, 5), 0);
  EXPECT_EQ(ceil_div_target(1, 5), 1);
  EXPECT_EQ(ceil_div_target(5, 5), 1);
  EXPECT_EQ(ceil_div_target(6, 5), 2);
  EXPECT_EQ(ceil_div_target(100, 5), 20);
  // 0.1 and 0.3 are not exact in binary; in milli-messages they are.
  EXPECT_EQ(ceil_div_target(3, 0.1), 30);
  EXPECT_EQ(ceil_div_target(9, 0.3), 30);
  EXPECT_EQ(ceil_div_target(10, 0.3), 34);
  EXPECT_EQ(ceil_div_target(7, 2.5), 3);
  EXPECT_EQ(ceil_div_target(5, 2.5), 2);
  EXPECT_EQ(ceil_div_target(1, 0.001), 1000);
  EXPECT_EQ(ceil_div_target(1'000'000'000, 1e9), 1);
  EXPECT_EQ(ceil_div_target(-4, 5), 0);
  EXPECT_EQ(ceil_div_target(INT64_MAX, 0.001), INT64_MAX);  // saturates
  EXPECT_EQ(ceil_div_target(3, 0), 3000);                   // T below 0.001 is 0.001
}

TEST(BacklogPerTask, GuardsDivisionByZero) {
  EXPECT_DOUBLE_EQ(backlog_per_task(100, 10), 10.0);
  EXPECT_DOUBLE_EQ(backlog_per_task(7, 0), 7.0);
}

TEST(Evaluate, ToleranceBandIsInclusiveAndExact) {
  Config c = seed_config();
  c.max_tasks = 100;
  // N = 10, T = 5: band [45, 55] messages.
  for (auto [b, want] : std::vector<std::pair<int64_t, int64_t>>{{44, 9}, {45, 10}, {55, 10}, {56, 12}}) {
    State s = desired(10);
    Decision d = evaluate(c, s, one(q(b)), 0);
    EXPECT_EQ(d.raw, want) << "B=" << b;
    EXPECT_EQ(d.triggers[0].within_tolerance, want == 10) << "B=" << b;
  }
  // Tolerance 0: only the exact ratio holds.
  c.tolerance = 0;
  State s = desired(10);
  EXPECT_EQ(evaluate(c, s, one(q(51)), 0).raw, 11);
}

TEST(Evaluate, BacklogComponents) {
  Config c = seed_config();
  c.max_tasks = 100;
  State s = desired(1);
  EXPECT_EQ(evaluate(c, s, one(q(10, 20, 40)), 0).triggers[0].backlog, 30);
  c.triggers[0].include_delayed = true;
  EXPECT_EQ(evaluate(c, s, one(q(10, 20, 40)), 0).triggers[0].backlog, 70);
  c.triggers[0].include_in_flight = false;
  EXPECT_EQ(evaluate(c, s, one(q(10, 20, 40)), 0).triggers[0].backlog, 50);
  // A missing queue, or no counts for the trigger, is B = 0.
  QueueCounts gone = q(10);
  gone.exists = false;
  EXPECT_EQ(evaluate(c, s, one(gone), 0).triggers[0].backlog, 0);
  EXPECT_EQ(evaluate(c, s, Inputs{}, 0).triggers[0].backlog, 0);
}

TEST(Evaluate, ZeroOnlyWhenMinIsZeroAndEveryTriggerSaidZero) {
  Config c = seed_config();
  c.triggers = {trigger("a", 5), trigger("b", 5)};
  State s = desired(0);
  c.min_tasks = 0;
  EXPECT_EQ(evaluate(c, s, Inputs{{q(0), q(0)}}, 0).raw, 0);
  EXPECT_EQ(evaluate(c, s, Inputs{{q(0), q(1)}}, 0).raw, 1);
  c.min_tasks = 1;
  State s1 = desired(1);
  EXPECT_EQ(evaluate(c, s1, Inputs{{q(0), q(0)}}, 0).raw, 1);
}

TEST(Evaluate, FifoCapNeverBelowOneWhileThereIsWork) {
  Config c = seed_config();
  c.min_tasks = 0;
  c.triggers[0].include_delayed = true;
  // Only delayed messages: no group has a visible or in-flight message, G = 0.
  QueueCounts d = fifo(0, 0);
  d.delayed = 12;
  State s = desired(0);
  Decision dec = evaluate(c, s, one(d), 0);
  EXPECT_EQ(dec.desired, 1);
  EXPECT_TRUE(dec.triggers[0].capped_at_groups);
  // Nothing at all: 0, not capped.
  State s2 = desired(0);
  EXPECT_EQ(evaluate(c, s2, one(fifo(0, 0)), 0).desired, 0);
  // Cap switched off.
  c.fifo_cap_at_groups = false;
  State s3 = desired(0);
  EXPECT_EQ(evaluate(c, s3, one(fifo(100, 3)), 0).desired, 10);
}

TEST(Evaluate, FifoCapThatDoesNotBindIsNotTheReason) {
  Config c = seed_config();
  c.triggers = {trigger("a", 5), trigger("b", 1)};
  State s = desired(1);
  // a: 100 messages in 3 groups → 3 (capped); b: 5 → 5. raw = 5, the cap did not bind.
  Decision d = evaluate(c, s, Inputs{{fifo(100, 3), q(5)}}, 0);
  EXPECT_EQ(d.desired, 5);
  EXPECT_TRUE(d.triggers[0].capped_at_groups);
  EXPECT_EQ(d.reason, Reason::CappedAtGroups);  // a uncapped would say 20 → 10: it binds
  State s2 = desired(1);
  d = evaluate(c, s2, Inputs{{fifo(12, 1), q(5)}}, 0);  // a: 3 → 1; b: 5
  EXPECT_EQ(d.desired, 5);
  EXPECT_EQ(d.reason, Reason::ScaleOut);
}

// ---- §4.4 step 3 details ----

TEST(Evaluate, WindowCountsValueInForceAtStartOnlyIfStillInForceAfter) {
  Config c = seed_config();
  c.max_tasks = 100;
  // raw 10 over [0, 100 s), 1 after.
  State s = desired(10);
  evaluate(c, s, one(q(50)), 0);
  evaluate(c, s, one(q(0)), sec(100));
  State at = s;
  EXPECT_EQ(evaluate(c, at, one(q(0)), sec(399.999)).window_max, 10);
  at = s;
  EXPECT_EQ(evaluate(c, at, one(q(0)), sec(400)).window_max, 1);
}

TEST(Evaluate, ZeroLengthRecommendationIsHeld) {
  // Two evaluations at the same instant: a recommendation of 10 replaced at once still
  // holds N = 10 for W (no 10 → 1 flap within the same millisecond).
  Config c = seed_config();
  State s = desired(1);
  EXPECT_EQ(evaluate(c, s, one(q(100)), sec(5)).desired, 10);
  Decision d = evaluate(c, s, one(q(0)), sec(5));
  EXPECT_EQ(d.desired, 10);
  EXPECT_EQ(d.reason, Reason::HeldByWindow);
  EXPECT_EQ(d.next_eval, sec(305));
  EXPECT_EQ(evaluate(c, s, one(q(0)), sec(304.999)).desired, 10);
  EXPECT_EQ(evaluate(c, s, one(q(0)), sec(305)).desired, 1);
}

TEST(Evaluate, WindowZeroScalesInAtOnce) {
  Config c = seed_config();
  c.scale_in_window = 0;
  c.scale_to_zero_delay = 0;
  c.min_tasks = 0;
  State s = desired(1);
  EXPECT_EQ(evaluate(c, s, one(q(100)), 0).desired, 10);
  Decision d = evaluate(c, s, one(q(10)), sec(1));
  EXPECT_EQ(d.desired, 2);
  d = evaluate(c, s, one(q(0)), sec(2));
  EXPECT_EQ(d.desired, 0);
  EXPECT_EQ(d.reason, Reason::Deactivated);
}

TEST(Evaluate, ScaleToZeroDelayLongerThanWindow) {
  Config c = seed_config();
  c.min_tasks = 0;
  c.scale_in_window = sec(60);
  c.scale_to_zero_delay = sec(300);
  Trace tr(c, desired(0));
  tr.set(0, q(0)).set(sec(10), q(30)).set(sec(40), q(0));
  auto r = run_both(tr, 0, sec(600), {sec(339.999)});
  // 6 → 1 when the window lets go (40 + 60); 1 → 0 when the zero delay has passed.
  EXPECT_EQ(r.at(sec(100)).desired, 1);
  EXPECT_EQ(r.at(sec(100)).window_max, 1);  // S = 0 replaced by 1
  EXPECT_EQ(r.at(sec(100)).next_eval, sec(340));
  EXPECT_EQ(r.at(sec(200)).reason, Reason::HeldByWindow);
  EXPECT_EQ(r.at(sec(339.999)).desired, 1);
  EXPECT_EQ(r.timeline, (std::vector<std::pair<Ms, int64_t>>{
                            {INT64_MIN, 0}, {sec(10), 6}, {sec(100), 1}, {sec(340), 0}}));
}

TEST(Evaluate, ScaleToZeroDelayShorterThanWindowUsesWindow) {
  Config c = seed_config();
  c.min_tasks = 0;
  c.scale_to_zero_delay = sec(30);  // Z = max(W, 30 s) = W
  Trace tr(c, desired(0));
  tr.set(0, q(0)).set(sec(10), q(3)).set(sec(40), q(0));
  auto r = run_both(tr, 0, sec(600));
  EXPECT_EQ(r.timeline, (std::vector<std::pair<Ms, int64_t>>{{INT64_MIN, 0}, {sec(10), 1}, {sec(340), 0}}));
}

TEST(Evaluate, MaxTasksPerStepPacesScaleIn) {
  Config c = seed_config();
  c.scale_in_max_per_step = 3;
  c.scale_in_step = sec(15);
  Trace tr(c, desired(1));
  tr.set(0, q(100)).set(sec(10), q(0));
  auto r = run_both(tr, 0, sec(600), {sec(324.999)});
  EXPECT_EQ(r.at(sec(310)).reason, Reason::ScaleIn);
  EXPECT_EQ(r.at(sec(310)).next_eval, sec(325));
  EXPECT_EQ(r.at(sec(311)).reason, Reason::HeldByWindow);  // paced
  EXPECT_EQ(r.at(sec(324.999)).desired, 7);
  EXPECT_EQ(r.timeline, (std::vector<std::pair<Ms, int64_t>>{
                            {INT64_MIN, 1}, {0, 10}, {sec(310), 7}, {sec(325), 4}, {sec(340), 1}}));
}

TEST(Evaluate, PacingWithGradualDrain) {
  Config c = seed_config();
  c.scale_in_max_per_step = 1;
  c.scale_in_step = sec(20);
  Trace tr(c, desired(1));
  tr.set(0, q(100)).set(sec(10), q(40)).set(sec(300), q(20)).set(sec(330), q(0));
  auto r = run_both(tr, 0, sec(900));
  EXPECT_EQ(r.n_at(sec(309)), 10);
  EXPECT_EQ(r.n_at(sec(310)), 9);  // window let go (raw 8 since 10): paced to 9
  EXPECT_EQ(r.n_at(sec(330)), 8);
  EXPECT_EQ(r.n_at(sec(899)), 1);
}

TEST(Evaluate, PacedStepThatLandsInsideTheBandStops) {
  // N = 12, B = 50, T = 5: raw 10. Paced to 11, where 50 / 55 = 0.91 is inside the band:
  // raw becomes 11 at once and no timer is armed (the event-driven run agrees).
  Config c = seed_config();
  c.max_tasks = 20;
  c.scale_in_max_per_step = 1;
  Trace tr(c, desired(1));
  tr.set(0, q(60)).set(sec(10), q(50));
  auto r = run_both(tr, 0, sec(900));
  EXPECT_EQ(r.at(sec(310)).desired, 11);
  EXPECT_EQ(r.at(sec(310)).raw, 10);  // the raw that drove the step
  EXPECT_EQ(r.at(sec(310)).next_eval, std::nullopt);
  EXPECT_EQ(r.at(sec(311)).raw, 11);
  EXPECT_EQ(r.at(sec(311)).reason, Reason::WithinTolerance);
  EXPECT_EQ(r.timeline, (std::vector<std::pair<Ms, int64_t>>{{INT64_MIN, 1}, {0, 12}, {sec(310), 11}}));
}

TEST(Evaluate, ScaleInOntoSThatIsInsideTheBandStops) {
  // raw 13, then 11, then 10 (B = 50 at N = 13). At 310 the window lets go of 13 and N
  // lands on S = 11, where 50 / 55 is inside the band: raw is 11 from then on.
  Config c = seed_config();
  c.max_tasks = 20;
  Trace tr(c, desired(1));
  tr.set(0, q(65)).set(sec(10), q(55)).set(sec(20), q(50));
  auto r = run_both(tr, 0, sec(900));
  EXPECT_EQ(r.at(sec(20)).raw, 10);
  EXPECT_EQ(r.at(sec(310)).desired, 11);
  EXPECT_EQ(r.at(sec(310)).next_eval, std::nullopt);
  EXPECT_EQ(r.at(sec(320)).raw, 11);
  EXPECT_EQ(r.timeline, (std::vector<std::pair<Ms, int64_t>>{{INT64_MIN, 1}, {0, 13}, {sec(310), 11}}));
}

TEST(Evaluate, PausedFreezesNButRecordsRaw) {
  Config c = seed_config();
  c.paused = true;
  State s = desired(3);
  Decision d = evaluate(c, s, one(q(100)), 0);
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.raw, 10);
  EXPECT_EQ(d.reason, Reason::Paused);
  EXPECT_EQ(d.next_eval, std::nullopt);
  d = evaluate(c, s, one(q(0)), sec(1000));
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.reason, Reason::Paused);
  // Resumed: the demand recorded during the pause (10 until t = 1000 s) counts in the
  // window.
  c.paused = false;
  d = evaluate(c, s, one(q(0)), sec(1001));
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.reason, Reason::HeldByWindow);
  EXPECT_EQ(d.next_eval, sec(1300));
  d = evaluate(c, s, one(q(0)), sec(1300));
  EXPECT_EQ(d.desired, 1);
  EXPECT_EQ(d.reason, Reason::ScaleIn);
  State s2 = desired(3);
  c.paused = true;
  evaluate(c, s2, one(q(100)), 0);
  c.paused = false;
  EXPECT_EQ(evaluate(c, s2, one(q(100)), sec(1)).desired, 10);
}

TEST(Evaluate, ScaleOutIsNeverBlockedByTheWindow) {
  Config c = seed_config();
  Trace tr(c, desired(1));
  tr.set(0, q(30)).set(sec(10), q(0)).set(sec(20), q(45));
  auto r = run_both(tr, 0, sec(100));
  EXPECT_EQ(r.at(sec(10)).reason, Reason::HeldByWindow);
  EXPECT_EQ(r.at(sec(20)).desired, 9);
  EXPECT_EQ(r.at(sec(20)).reason, Reason::ScaleOut);
}

TEST(Evaluate, CooldownDefersAndUsesFreshCounts) {
  Config c = seed_config();
  c.scale_out_cooldown = sec(60);
  Trace tr(c, desired(1));
  tr.set(0, q(20)).set(sec(10), q(50)).set(sec(30), q(30));
  auto r = run_both(tr, 0, sec(120));
  EXPECT_EQ(r.at(sec(30)).reason, Reason::CooldownDeferred);
  EXPECT_EQ(r.at(sec(60)).desired, 6);  // the demand at 60, not the one at 10
  EXPECT_EQ(r.timeline,
            (std::vector<std::pair<Ms, int64_t>>{{INT64_MIN, 1}, {0, 4}, {sec(60), 6}}));
}

// ---- §4.4 step 4 ----

TEST(ApplyBounds, ClampsAtOnce) {
  Config c = seed_config();
  State s = desired(8);
  c.max_tasks = 5;
  Decision d = apply_bounds(c, s, 0);
  EXPECT_EQ(d.desired, 5);
  EXPECT_EQ(d.reason, Reason::BoundsChanged);
  c.min_tasks = 5;
  c.max_tasks = 10;
  d = apply_bounds(c, s, 0);
  EXPECT_FALSE(d.changed());
  EXPECT_EQ(d.reason, Reason::None);
  // minTasks 0 → 1 while inactive.
  c.min_tasks = 1;
  State z = desired(0);
  EXPECT_EQ(apply_bounds(c, z, 0).desired, 1);
  // Even when paused.
  c.paused = true;
  c.max_tasks = 2;
  EXPECT_EQ(apply_bounds(c, s, 0).desired, 2);
}

TEST(ApplyBounds, EvaluateClampsToo) {
  Config c = seed_config();
  State s = desired(8);
  c.max_tasks = 5;
  Decision d = evaluate(c, s, one(q(0)), 0);
  EXPECT_EQ(d.desired, 5);
  EXPECT_EQ(d.reason, Reason::BoundsChanged);
  c.paused = true;
  c.max_tasks = 3;
  d = evaluate(c, s, one(q(0)), 0);
  EXPECT_EQ(d.desired, 3);
  EXPECT_EQ(d.reason, Reason::BoundsChanged);
}

TEST(OverrideDesired, HeldForWindowUnlessDemandIsHigher) {
  Config c = seed_config();
  Trace tr(c, desired(1));
  tr.set(0, q(0)).override_to(sec(100), 8).set(sec(500), q(60)).override_to(sec(550), 2);
  auto r = run_both(tr, 0, sec(1000), {sec(399.999)});
  EXPECT_EQ(r.at(sec(100)).desired, 8);
  EXPECT_EQ(r.at(sec(100)).reason, Reason::HeldByWindow);
  EXPECT_EQ(r.at(sec(399.999)).desired, 8);
  EXPECT_EQ(r.at(sec(400)).desired, 1);
  EXPECT_EQ(r.at(sec(500)).desired, 10);
  // Override below demand: the next evaluation (same instant) restores the demand.
  EXPECT_EQ(r.at(sec(550)).desired, 10);
}

TEST(OverrideDesired, ClampsAndWorksWhilePaused) {
  Config c = seed_config();
  c.paused = true;
  State s = desired(1);
  Decision d = override_desired(c, s, 50, 0);
  EXPECT_EQ(d.desired, 10);
  EXPECT_EQ(d.reason, Reason::ManualOverride);
  EXPECT_EQ(override_desired(c, s, 0, 0).desired, 1);
  EXPECT_EQ(evaluate(c, s, one(q(100)), 1).desired, 1);  // paused: frozen
}

TEST(OverrideDesired, DoesNotStartTheScaleOutCooldown) {
  Config c = seed_config();
  c.scale_out_cooldown = sec(60);
  State s = desired(1);
  override_desired(c, s, 2, 0);
  EXPECT_EQ(evaluate(c, s, one(q(50)), 1).desired, 10);
}

TEST(Reason, Names) {
  EXPECT_STREQ(to_string(Reason::HeldByWindow), "HeldByWindow");
  EXPECT_STREQ(to_string(Reason::CappedAtGroups), "CappedAtGroups");
  EXPECT_STREQ(to_string(Reason::BoundsChanged), "BoundsChanged");
  EXPECT_STREQ(to_string(Reason::None), "None");
}

// ---- §7: the seed article's four scenarios, with scale-out cooldown 0 and 60 s ----

class SeedScenario : public ::testing::TestWithParam<int> {
 protected:
  Config cfg() const {
    Config c = seed_config();
    c.scale_out_cooldown = sec(GetParam());
    return c;
  }
};

TEST_P(SeedScenario, S1Steady) {
  Trace tr(cfg(), desired(1));
  tr.set(0, q(4, 1));
  auto r = run_both(tr, 0, sec(1800));
  EXPECT_EQ(r.timeline.size(), 1u);  // N stays 1
  EXPECT_EQ(r.at(sec(1800)).desired, 1);
  // Same with includeInFlight: false, V = 5, F = 1.
  Config c = cfg();
  c.triggers[0].include_in_flight = false;
  Trace tr2(c, desired(1));
  tr2.set(0, q(5, 1));
  auto r2 = run_both(tr2, 0, sec(1800));
  EXPECT_EQ(r2.timeline.size(), 1u);
  EXPECT_EQ(r2.at(0).triggers[0].backlog, 5);
}

TEST_P(SeedScenario, S2Spike) {
  Trace tr(cfg(), desired(1));
  tr.set(0, q(0)).set(sec(10), q(100));
  auto r = run_both(tr, 0, sec(60));
  // Within one evaluation: the one at the change.
  EXPECT_EQ(r.at(sec(10)).desired, 10);
  EXPECT_EQ(r.at(sec(10)).demand, 20);
  EXPECT_EQ(r.at(sec(10)).reason, Reason::CappedAtMax);
  EXPECT_DOUBLE_EQ(backlog_per_task(r.at(sec(10)).triggers[0].backlog, 10), 10.0);
  // The full drain is T2; with the seed cooldown it is the same.
  auto full = run_both(([&] {
                         Config c = cfg();
                         Trace t(c, desired(1));
                         t.set(0, q(0)).set(sec(10), q(100)).set(sec(11), q(90, 10));
                         int64_t v = 90;
                         for (int s = 31; s <= 191; s += 20) t.set(sec(s), q(v -= 10, 10));
                         t.set(sec(211), q(0));
                         return t;
                       })(),
                       0, sec(700));
  EXPECT_EQ(full.timeline, (std::vector<std::pair<Ms, int64_t>>{{INT64_MIN, 1},
                                                                  {sec(10), 10},
                                                                  {sec(431), 8},
                                                                  {sec(451), 6},
                                                                  {sec(471), 4},
                                                                  {sec(491), 2},
                                                                  {sec(511), 1}}));
}

TEST_P(SeedScenario, S3Empty) {
  // 10 tasks; the last recommendation ≥ 10 was in force until t = 0.
  Trace tr(cfg(), desired(10, {{sec(-50), 10}}));
  tr.set(0, q(0));
  auto r = run_both(tr, 0, sec(900), {sec(299.999)});
  EXPECT_EQ(r.at(sec(299.999)).desired, 10);
  EXPECT_EQ(r.timeline, (std::vector<std::pair<Ms, int64_t>>{{INT64_MIN, 10}, {sec(300), 1}}));
}

TEST_P(SeedScenario, S4Gradual) {
  Trace tr(cfg(), desired(1));
  for (int k = 0; k <= 20; ++k) tr.set(sec(30 * k), q(5 + k));
  auto r = run_both(tr, 0, sec(600));
  EXPECT_EQ(r.timeline, (std::vector<std::pair<Ms, int64_t>>{
                            {INT64_MIN, 1}, {sec(30), 2}, {sec(210), 3}, {sec(360), 4}, {sec(540), 5}}));
}

INSTANTIATE_TEST_SUITE_P(ScaleOutCooldown, SeedScenario, ::testing::Values(0, 60),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return "cooldown" + std::to_string(i.param) + "s";
                         });

}  // namespace
}  // namespace ebb::scale

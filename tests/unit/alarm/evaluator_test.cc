// The alarm state machine (docs/alarms.md "How an alarm decides") on a fake clock:
// periods, evaluation periods, datapoints to alarm, every missing-data treatment,
// statistics, extra conditions and gaps.
#include <gtest/gtest.h>

#include <cmath>

#include "alarm/evaluator.h"
#include "support/fake_clock.h"

namespace ebb::alarm {
namespace {

AlarmSpec spec_of(Statistic st, Comparison cmp, double threshold, int64_t period_s = 60, int n = 1, int m = 1,
                  MissingData missing = MissingData::Missing) {
  AlarmSpec a;
  a.name = "a";
  a.conditions.push_back(Condition{"ebb_queue_messages_visible", {{"queue", "q"}}, st, cmp, threshold});
  a.period_seconds = period_s;
  a.evaluation_periods = n;
  a.datapoints_to_alarm = m;
  a.missing = missing;
  return a;
}

Observation value(double v) { return Observation{true, v}; }
const Observation kAbsent{false, 0};

// Drives an evaluator with a fake clock: one sample every `step` seconds.
struct Driver {
  explicit Driver(AlarmSpec s) : ev(std::move(s)) {}
  FakeClock clock;  // starts at 2025-01-01T00:00:00Z, a multiple of every period used here
  Evaluator ev;
  std::vector<Transition> log;

  void sample(Observation o, int64_t step_s = 10) {
    for (auto& t : ev.observe(clock.now_ms(), {o})) log.push_back(t);
    clock.advance_s(step_s);
  }
  // `n` samples of `o`, `per_period` per period, covering n / per_period periods.
  void periods(int count, Observation o, int per_period = 6) {
    const int64_t step = ev.spec().period_seconds / per_period;
    for (int i = 0; i < count * per_period; ++i) sample(o, step);
  }
  void settle() {
    for (auto& t : ev.close_until(clock.now_ms())) log.push_back(t);
  }
};

TEST(Evaluator, StartsInsufficientAndDecidesAtTheEndOfEachPeriod) {
  Driver r(spec_of(Statistic::Maximum, Comparison::GreaterThan, 0));
  EXPECT_EQ(r.ev.state(), State::InsufficientData);
  r.periods(1, value(0));
  EXPECT_EQ(r.ev.state(), State::InsufficientData) << "the period is not over until a sample after its end";
  r.sample(value(0));
  ASSERT_EQ(r.ev.state(), State::Ok);
  ASSERT_EQ(r.log.size(), 1u);
  EXPECT_EQ(r.log[0].from, State::InsufficientData);
  EXPECT_EQ(r.log[0].to, State::Ok);
  EXPECT_EQ(r.log[0].at_ms, 1'735'689'660'000);
  EXPECT_NE(r.log[0].reason.find("0 out of the last 1 datapoint [0 (2025-01-01T00:00:00Z)]"), std::string::npos)
      << r.log[0].reason;

  r.periods(1, value(3));  // the sample at the period start was 0, then 3s: Maximum 3
  r.settle();
  ASSERT_EQ(r.ev.state(), State::Alarm);
  EXPECT_NE(r.log.back().reason.find("1 out of the last 1 datapoint [3 (2025-01-01T00:01:00Z)] was greater than the "
                                     "threshold (0)"),
            std::string::npos)
      << r.log.back().reason;
  ASSERT_EQ(r.log.back().window.size(), 1u);
  EXPECT_EQ(r.log.back().window[0].values[0], 3);
}

TEST(Evaluator, EvaluationPeriodsNeedEveryDatapointToBreach) {
  Driver r(spec_of(Statistic::Average, Comparison::GreaterThan, 10, 60, 3, 3));
  r.periods(1, value(50));
  r.settle();
  EXPECT_EQ(r.ev.state(), State::InsufficientData) << "1 breaching of 3, two not seen yet";
  r.periods(1, value(50));
  r.settle();
  EXPECT_EQ(r.ev.state(), State::InsufficientData);
  r.periods(1, value(50));
  r.settle();
  EXPECT_EQ(r.ev.state(), State::Alarm);
  r.periods(1, value(1));
  r.settle();
  EXPECT_EQ(r.ev.state(), State::Ok) << "one good period of three: ALARM is no longer possible";
  EXPECT_EQ(r.log.size(), 2u);
}

TEST(Evaluator, DatapointsToAlarmIsMOutOfN) {
  Driver r(spec_of(Statistic::Maximum, Comparison::GreaterThanOrEqual, 5, 60, 3, 2));
  r.periods(1, value(5));
  r.settle();
  EXPECT_EQ(r.ev.state(), State::InsufficientData);
  r.periods(1, value(4));
  r.settle();
  EXPECT_EQ(r.ev.state(), State::InsufficientData) << "[5, 4, ?]: one breach, the third could be another";
  r.periods(1, value(7));
  r.settle();
  EXPECT_EQ(r.ev.state(), State::Alarm) << "[5, 4, 7]: two of three";
  r.periods(1, value(6));
  r.settle();
  EXPECT_EQ(r.ev.state(), State::Alarm) << "[4, 7, 6]";
  r.periods(1, value(1));
  r.settle();
  EXPECT_EQ(r.ev.state(), State::Alarm) << "[7, 6, 1]: still two of three";
  r.periods(1, value(1));
  r.settle();
  EXPECT_EQ(r.ev.state(), State::Ok) << "[6, 1, 1]: one breach";
}

TEST(Evaluator, MissingDataMissingGoesInsufficientWhenEveryPeriodIsEmpty) {
  Driver r(spec_of(Statistic::Maximum, Comparison::GreaterThan, 0, 60, 2, 2, MissingData::Missing));
  r.periods(2, value(1));
  r.settle();
  ASSERT_EQ(r.ev.state(), State::Alarm);
  r.periods(1, kAbsent);
  r.settle();
  EXPECT_EQ(r.ev.state(), State::Alarm) << "[1, missing]: neither decided";
  r.periods(1, kAbsent);
  r.settle();
  EXPECT_EQ(r.ev.state(), State::InsufficientData);
  EXPECT_NE(r.log.back().reason.find("no datapoint in the last 2 periods"), std::string::npos) << r.log.back().reason;
}

TEST(Evaluator, MissingDataNotBreachingCountsAsGood) {
  Driver r(spec_of(Statistic::Maximum, Comparison::GreaterThan, 0, 60, 1, 1, MissingData::NotBreaching));
  r.periods(1, value(2));
  r.settle();
  ASSERT_EQ(r.ev.state(), State::Alarm);
  r.periods(1, kAbsent);
  r.settle();
  EXPECT_EQ(r.ev.state(), State::Ok);
}

TEST(Evaluator, MissingDataBreachingCountsAsBad) {
  Driver r(spec_of(Statistic::Maximum, Comparison::GreaterThan, 0, 60, 2, 2, MissingData::Breaching));
  r.periods(1, value(0));
  r.settle();
  EXPECT_EQ(r.ev.state(), State::Ok) << "[0, unseen→breaching]: one good datapoint rules out 2 of 2";
  r.periods(1, kAbsent);
  r.settle();
  EXPECT_EQ(r.ev.state(), State::Ok) << "[0, missing→breaching]";
  r.periods(1, kAbsent);
  r.settle();
  EXPECT_EQ(r.ev.state(), State::Alarm) << "[missing, missing] both breaching";
}

TEST(Evaluator, MissingDataIgnoreKeepsTheState) {
  for (State start : {State::Alarm, State::Ok}) {
    Driver r(spec_of(Statistic::Maximum, Comparison::GreaterThan, 0, 60, 1, 1, MissingData::Ignore));
    r.periods(1, value(start == State::Alarm ? 9 : 0));
    r.settle();
    ASSERT_EQ(r.ev.state(), start);
    r.periods(5, kAbsent);
    r.settle();
    EXPECT_EQ(r.ev.state(), start) << state_name(start);
    EXPECT_EQ(r.log.size(), 1u);
  }
  Driver fresh(spec_of(Statistic::Maximum, Comparison::GreaterThan, 0, 60, 1, 1, MissingData::Ignore));
  fresh.periods(3, kAbsent);
  fresh.settle();
  EXPECT_EQ(fresh.ev.state(), State::InsufficientData) << "never had data";
}

TEST(Evaluator, Statistics) {
  struct Case {
    Statistic st;
    double want;
  };
  // Samples 1, 2, 3, 4, 5, 9 in one period.
  for (Case c : {Case{Statistic::Average, 4}, Case{Statistic::Minimum, 1}, Case{Statistic::Maximum, 9},
                 Case{Statistic::Sum, 24}, Case{Statistic::SampleCount, 6}, Case{Statistic::Increase, 24},
                 Case{Statistic::Rate, 0.4}}) {
    Driver r(spec_of(c.st, Comparison::GreaterThan, 1000));
    for (double v : {1, 2, 3, 4, 5, 9}) r.sample(value(v));
    r.settle();
    ASSERT_EQ(r.ev.window().size(), 1u);
    EXPECT_DOUBLE_EQ(r.ev.window()[0].values[0], c.want) << statistic_name(c.st);
    EXPECT_EQ(r.ev.state(), State::Ok);
  }
}

TEST(Evaluator, EveryConditionMustBreach) {
  // "Backlog with no running task": running < 1 and visible > 0.
  AlarmSpec s = spec_of(Statistic::Maximum, Comparison::LessThan, 1);
  s.conditions[0].metric = "ebb_service_tasks_running";
  s.conditions.push_back(Condition{"ebb_queue_messages_visible", {}, Statistic::Minimum, Comparison::GreaterThan, 0});
  Evaluator ev(s);
  FakeClock clock;
  auto period = [&](double running, double visible) {
    std::vector<Transition> t;
    for (int i = 0; i < 6; ++i) {
      auto x = ev.observe(clock.now_ms(), {value(running), value(visible)});
      t.insert(t.end(), x.begin(), x.end());
      clock.advance_s(10);
    }
    auto x = ev.close_until(clock.now_ms());
    t.insert(t.end(), x.begin(), x.end());
    return t;
  };
  period(0, 0);
  EXPECT_EQ(ev.state(), State::Ok) << "scaled to zero with nothing to do";
  period(2, 40);
  EXPECT_EQ(ev.state(), State::Ok) << "backlog being worked";
  auto t = period(0, 40);
  EXPECT_EQ(ev.state(), State::Alarm);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_NE(t[0].reason.find("every condition of spec.and"), std::string::npos);
  // One condition without data makes the datapoint missing.
  for (int i = 0; i < 6; ++i) {
    ev.observe(clock.now_ms(), {value(0), kAbsent});
    clock.advance_s(10);
  }
  ev.close_until(clock.now_ms());
  EXPECT_EQ(ev.state(), State::InsufficientData);
  EXPECT_TRUE(ev.window().back().missing);
  EXPECT_TRUE(std::isnan(ev.window().back().values[1]));
}

TEST(Evaluator, PeriodsAreAlignedAndGapsAreMissing) {
  Driver r(spec_of(Statistic::Maximum, Comparison::GreaterThan, 0, 300, 2, 1));
  r.clock.advance_s(130);  // 00:02:10, inside the period that began at 00:00:00
  r.sample(value(1));
  EXPECT_EQ(*r.ev.current_period_end_ms(), 1'735'689'900'000);
  r.clock.advance_s(3600);  // ebbd was away for an hour
  r.sample(value(0));
  ASSERT_EQ(r.ev.window().size(), 2u);
  EXPECT_TRUE(r.ev.window()[0].missing);
  EXPECT_TRUE(r.ev.window()[1].missing);
  EXPECT_EQ(r.ev.state(), State::InsufficientData);
  // The sample after the gap opened the period that contains it.
  EXPECT_EQ(*r.ev.current_period_end_ms() % 300'000, 0);
  EXPECT_GT(*r.ev.current_period_end_ms(), r.clock.now_ms() - 10'000);
  EXPECT_EQ(r.log.front().to, State::Alarm);
}

}  // namespace
}  // namespace ebb::alarm

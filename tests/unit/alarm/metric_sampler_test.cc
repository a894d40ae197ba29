// Reading alarm conditions off rendered /metrics text: label matching, summing,
// counter increases with resets and series that appear later.
#include <gtest/gtest.h>

#include "alarm/metric_sampler.h"

namespace ebb::alarm {
namespace {

constexpr const char* kPage = R"(# HELP ebb_queue_messages_visible Available to receive.
# TYPE ebb_queue_messages_visible gauge
ebb_queue_messages_visible{queue="a"} 3
ebb_queue_messages_visible{queue="b"} 4.5
ebb_queue_messages_visible{queue="we\"ird\\name"} 1
# TYPE ebb_task_failures_total counter
ebb_task_failures_total{kind="service",name="w",reason="exit_code"} 7
ebb_task_failures_total{reason="signal",kind="service",name="w"} 1
ebb_task_failures_total{kind="job",name="j",reason="exit_code"} 100
ebb_build_info{version="1",revision="x"} 1
garbage line {
ebb_queue_messages_visible{queue="c"} not-a-number
)";

TEST(MetricSampler, ParsesOnlyTheNamedFamiliesWithEscapes) {
  auto s = parse_samples(kPage, {"ebb_queue_messages_visible"});
  ASSERT_EQ(s.size(), 1u);
  auto& v = s["ebb_queue_messages_visible"];
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[2].labels, (Labels{{"queue", "we\"ird\\name"}}));
  EXPECT_EQ(v[1].value, 4.5);
}

TEST(MetricSampler, GaugesSumTheMatchedSeries) {
  auto s = parse_samples(kPage, {"ebb_queue_messages_visible"});
  ConditionSampler all(Condition{"ebb_queue_messages_visible", {}, Statistic::Maximum, Comparison::GreaterThan, 0});
  EXPECT_DOUBLE_EQ(all.observe(s).value, 8.5);
  ConditionSampler one(
      Condition{"ebb_queue_messages_visible", {{"queue", "b"}}, Statistic::Maximum, Comparison::GreaterThan, 0});
  Observation o = one.observe(s);
  EXPECT_TRUE(o.present);
  EXPECT_DOUBLE_EQ(o.value, 4.5);
  ConditionSampler none(
      Condition{"ebb_queue_messages_visible", {{"queue", "zz"}}, Statistic::Maximum, Comparison::GreaterThan, 0});
  EXPECT_FALSE(none.observe(s).present);
}

TEST(MetricSampler, CountersGiveIncreasesWithResetsAndNewSeries) {
  const std::set<std::string> names{"ebb_task_failures_total"};
  ConditionSampler c(Condition{"ebb_task_failures_total",
                               {{"kind", "service"}, {"name", "w"}},
                               Statistic::Increase,
                               Comparison::GreaterThan,
                               0});
  Observation first = c.observe(parse_samples(kPage, names));
  EXPECT_TRUE(first.present);
  EXPECT_EQ(first.value, 0) << "the first sample is the baseline";
  std::string later =
      "ebb_task_failures_total{kind=\"service\",name=\"w\",reason=\"exit_code\"} 10\n"
      "ebb_task_failures_total{kind=\"service\",name=\"w\",reason=\"signal\"} 1\n"
      "ebb_task_failures_total{kind=\"service\",name=\"w\",reason=\"oom_killed\"} 2\n";
  EXPECT_EQ(c.observe(parse_samples(later, names)).value, 3 + 0 + 2) << "+3, unchanged, a new series from 0";
  std::string reset =
      "ebb_task_failures_total{kind=\"service\",name=\"w\",reason=\"exit_code\"} 4\n"
      "ebb_task_failures_total{kind=\"service\",name=\"w\",reason=\"signal\"} 1\n"
      "ebb_task_failures_total{kind=\"service\",name=\"w\",reason=\"oom_killed\"} 2\n";
  EXPECT_EQ(c.observe(parse_samples(reset, names)).value, 4) << "a restart: counted from 0";
}

}  // namespace
}  // namespace ebb::alarm

// The pure helpers of job_spec.h: defaults (scheduling.md §6.1), retry delay (§6.4),
// index sets (§6.9), podFailurePolicy (§6.6), success policy (§6.7), $(VAR) expansion.
#include <gtest/gtest.h>

#include "sched/job_spec.h"

namespace ebb::sched {
namespace {

using nlohmann::json;

json doc(json spec) {
  spec["template"] = {{"spec", {{"restartPolicy", "Never"}, {"containers", json::array({{{"name", "c"}, {"command", {"x"}}}})}}}};
  return {{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", {{"name", "j"}}}, {"spec", spec}};
}

TEST(JobSpec, Defaults) {
  auto s = parse_job(doc(json::object()));
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->completions, 1);
  EXPECT_EQ(s->parallelism, 1);
  EXPECT_EQ(s->backoff_limit, 6);
  EXPECT_FALSE(s->indexed);
  EXPECT_EQ(s->grace_s, 30);
  EXPECT_FALSE(s->work_queue());

  auto wq = parse_job(doc({{"parallelism", 3}}));
  EXPECT_FALSE(wq->completions);
  EXPECT_TRUE(wq->work_queue());

  auto per = parse_job(doc({{"completions", 4}, {"completionMode", "Indexed"}, {"backoffLimitPerIndex", 1}}));
  EXPECT_EQ(per->backoff_limit, 2147483647);
  EXPECT_FALSE(parse_job(doc({{"completionMode", "Indexed"}, {"parallelism", 2}})).ok());
}

TEST(JobSpec, RestartPolicyAlwaysIsRejected) {
  json d = doc(json::object());
  d["spec"]["template"]["spec"]["restartPolicy"] = "Always";
  EXPECT_FALSE(parse_job(d).ok());
}

TEST(JobSpec, BackoffDelay) {
  std::vector<int64_t> got;
  for (int n = 0; n <= 9; ++n) got.push_back(backoff_delay_ms(n) / 1000);
  EXPECT_EQ(got, (std::vector<int64_t>{0, 10, 20, 40, 80, 160, 320, 360, 360, 360}));
  EXPECT_EQ(backoff_delay_ms(8, 10'000, 600'000), 600'000);
  EXPECT_EQ(backoff_delay_ms(1000), 360'000);
}

TEST(JobSpec, IndexSetCompressesRanges) {
  IndexSet s;
  for (int64_t i : {7, 0, 2, 1, 3}) s.add(i);
  EXPECT_EQ(s.to_string(), "0-3,7");
  EXPECT_EQ(s.size(), 5);
  s.add(5);
  s.add(6);
  EXPECT_EQ(s.to_string(), "0-3,5-7");
  s.add(4);
  EXPECT_EQ(s.to_string(), "0-7");
  EXPECT_TRUE(s.contains(4));
  EXPECT_FALSE(s.contains(8));
  auto p = IndexSet::parse("0-1,3,9-10");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->size(), 5);
  EXPECT_EQ(p->to_string(), "0-1,3,9-10");
  EXPECT_EQ(s.intersection_size(*p), 3);
  EXPECT_FALSE(IndexSet::parse("3-1").ok());
  EXPECT_FALSE(IndexSet::parse("a").ok());
  EXPECT_EQ(IndexSet{}.to_string(), "");
}

TEST(JobSpec, PodFailurePolicyFirstMatchWins) {
  auto s = parse_job(doc({{"podFailurePolicy",
                           {{"rules", json::array({{{"action", "Ignore"}, {"onPodConditions", json::array({{{"type", "DisruptionTarget"}}})}},
                                                   {{"action", "FailJob"}, {"onExitCodes", {{"operator", "In"}, {"values", {42}}}}},
                                                   {{"action", "Count"}, {"onExitCodes", {{"operator", "NotIn"}, {"values", {1}}}}}})}}}}));
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto m = match_pod_failure_policy(s->pod_failure_rules, 42, false, false);
  EXPECT_EQ(m.action, "FailJob");
  EXPECT_EQ(m.rule, 1);
  m = match_pod_failure_policy(s->pod_failure_rules, std::nullopt, true, false);
  EXPECT_EQ(m.action, "Ignore");
  m = match_pod_failure_policy(s->pod_failure_rules, 1, false, false);
  EXPECT_EQ(m.rule, -1);
  EXPECT_EQ(m.action, "Count");
  m = match_pod_failure_policy(s->pod_failure_rules, 143, false, false);
  EXPECT_EQ(m.rule, 2);
  // Exit code 0 never matches NotIn.
  EXPECT_EQ(match_pod_failure_policy(s->pod_failure_rules, 0, false, false).rule, -1);
}

TEST(JobSpec, SuccessPolicy) {
  SuccessRule listed;
  listed.indexes = *IndexSet::parse("0-2");
  SuccessRule two_of;
  two_of.indexes = *IndexSet::parse("5-9");
  two_of.count = 2;
  IndexSet done;
  done.add(0);
  done.add(5);
  EXPECT_FALSE(success_policy_met({listed, two_of}, done));
  done.add(7);
  EXPECT_TRUE(success_policy_met({listed, two_of}, done));
  SuccessRule any3;
  any3.count = 3;
  EXPECT_TRUE(success_policy_met({any3}, done));
}

TEST(JobSpec, ExpandVars) {
  auto lookup = [](const std::string& n) -> const std::string* {
    static const std::string v = "3";
    return n == "I" ? &v : nullptr;
  };
  EXPECT_EQ(expand_vars("--shard=$(I)", lookup), "--shard=3");
  EXPECT_EQ(expand_vars("$(NOPE)-$$(I)-$$", lookup), "$(NOPE)-$(I)-$");
  EXPECT_EQ(expand_vars("$(I", lookup), "$(I");
}

TEST(JobSpec, ImmutablePartIgnoresMutableFields) {
  auto a = parse_job(doc({{"parallelism", 2}, {"completions", 4}}));
  auto b = parse_job(doc({{"parallelism", 5}, {"completions", 4}, {"suspend", true}, {"activeDeadlineSeconds", 9}}));
  auto c = parse_job(doc({{"parallelism", 2}, {"completions", 5}}));
  EXPECT_EQ(a->immutable_part(), b->immutable_part());
  EXPECT_NE(a->immutable_part(), c->immutable_part());
}

}  // namespace
}  // namespace ebb::sched

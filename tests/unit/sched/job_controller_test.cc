// JobController at the controller level: the test vectors of scheduling.md §9.8
// (failure counting and back-off) and §9.9 (Indexed jobs), parallelism, deadlines,
// TTL, suspend/resume, podFailurePolicy, restart (reliability.md §2.7), create() with
// an owner, views. FakeClock + MemStore + Committer + JobFakeRuntime; times are
// simulated, nothing sleeps.
#include "job_fake_runtime.h"

namespace ebb::sched::testing {
namespace {

using V = std::vector<int64_t>;

Plan fail_after(int64_t s, int code = 1) { return {s * 1000, code, 0}; }
Plan succeed_after(int64_t s) { return {s * 1000, 0, 0}; }

// ---------------------------------------------------------------------------------
// §9.8 failure counting and back-off (attempts fail 5 s after start)

TEST_F(JobTest, J1BackoffLimit2FailsAfterThreeCountedFailures) {
  script = [](size_t, const Launch&) { return fail_after(5); };
  apply(job_doc("j", {{"backoffLimit", 2}}), "created");
  run_until(100);
  EXPECT_EQ(launch_times(), (V{0, 15, 40}));
  json c = cond("j", "Failed");
  EXPECT_EQ(c["reason"], "BackoffLimitExceeded");
  EXPECT_EQ(c["lastTransitionTime"], at(45));
  EXPECT_EQ(status("j")["failed"], 3);
  EXPECT_EQ(status("j")["active"], 0);
  EXPECT_TRUE(has_event("j", "BackoffLimitExceeded"));
  EXPECT_TRUE(has_event("j", "SuccessfulCreate"));
}

// reliability.md §4.6: the task user by default; securityContext.runAsUser/runAsGroup
// (container over pod) otherwise; runAsUser alone keeps the task user's group.
TEST_F(JobTest, RunAsUserAndGroupReachTheLaunchSpec) {
  cfg.task_uid = 65534;
  cfg.task_gid = 65533;
  start_controller();
  apply(job_doc("plain", {}), "created");
  apply(job_doc("user", {}, json{{"name", "main"}, {"command", {"work"}}, {"securityContext", {{"runAsUser", 4242}}}}),
        "created");
  json both = job_doc("both", {}, json{{"name", "main"}, {"command", {"work"}}, {"securityContext", {{"runAsUser", 7}}}});
  both["spec"]["template"]["spec"]["securityContext"] = {{"runAsUser", 1}, {"runAsGroup", 8}};
  apply(both, "created");
  script = [](size_t, const Launch&) { return succeed_after(1); };
  run_until(5);
  ASSERT_EQ(launched.size(), 3u);
  std::map<std::string, std::pair<int64_t, int64_t>> ids;
  for (const Launch& l : launched) {
    ids[JobFakeRuntime::env(l.spec, "EBB_JOB_NAME")] = {l.spec.uid, l.spec.gid};
    EXPECT_TRUE(l.spec.own_work_dir);
    EXPECT_FALSE(l.spec.allow_root);
  }
  EXPECT_EQ(ids["plain"], std::make_pair(int64_t{65534}, int64_t{65533}));
  EXPECT_EQ(ids["user"], std::make_pair(int64_t{4242}, int64_t{65533}));
  EXPECT_EQ(ids["both"], std::make_pair(int64_t{7}, int64_t{8}));
}

TEST_F(JobTest, J2BackoffLimit0FailsAtOnce) {
  script = [](size_t, const Launch&) { return fail_after(5); };
  apply(job_doc("j", {{"backoffLimit", 0}}));
  run_until(100);
  EXPECT_EQ(launch_times(), (V{0}));
  EXPECT_EQ(cond("j", "Failed")["lastTransitionTime"], at(5));
  EXPECT_EQ(status("j")["failed"], 1);
}

TEST_F(JobTest, J3DefaultBackoffLimitSixWithDoublingDelay) {
  script = [](size_t, const Launch&) { return fail_after(5); };
  apply(job_doc("j", json::object()));
  run_until(2000);
  EXPECT_EQ(launch_times(), (V{0, 15, 40, 85, 170, 335, 660}));
  EXPECT_EQ(cond("j", "Failed")["lastTransitionTime"], at(665));
  EXPECT_EQ(status("j")["failed"], 7);
  EXPECT_EQ(job("j")["spec"]["backoffLimit"], 6);
  EXPECT_EQ(job("j")["spec"]["completions"], 1);
  EXPECT_EQ(job("j")["spec"]["parallelism"], 1);
  EXPECT_EQ(job("j")["spec"]["completionMode"], "NonIndexed");
}

TEST_F(JobTest, J4SuccessResetsTheDelayNotTheCount) {
  script = [](size_t n, const Launch&) { return n == 1 ? succeed_after(5) : fail_after(5); };
  apply(job_doc("j", {{"completions", 3}, {"parallelism", 1}, {"backoffLimit", 1}}));
  run_until(200);
  EXPECT_EQ(launch_times(), (V{0, 15, 20}));
  EXPECT_EQ(cond("j", "Failed")["reason"], "BackoffLimitExceeded");
  EXPECT_EQ(cond("j", "Failed")["lastTransitionTime"], at(25));
  EXPECT_EQ(status("j")["succeeded"], 1);
  EXPECT_EQ(status("j")["failed"], 2);
}

TEST_F(JobTest, J5ParallelFailuresFailTogether) {
  script = [](size_t, const Launch&) { return fail_after(5); };
  apply(job_doc("j", {{"completions", 2}, {"parallelism", 2}, {"backoffLimit", 1}}));
  run_until(100);
  EXPECT_EQ(launch_times(), (V{0, 0}));
  EXPECT_EQ(cond("j", "Failed")["lastTransitionTime"], at(5));
  EXPECT_EQ(status("j")["failed"], 2);
}

TEST_F(JobTest, J6OnFailureRestartsInPlaceWithTheSameCount) {
  script = [](size_t, const Launch&) { return fail_after(5); };
  apply(job_doc("j", {{"backoffLimit", 2}}, json{{"name", "main"}, {"command", {"work"}}}, "OnFailure"));
  run_until(100);
  EXPECT_EQ(launch_times(), (V{0, 15, 40}));
  ASSERT_EQ(launched.size(), 3u);
  EXPECT_EQ(launched[0].id, launched[1].id);  // same attempt record
  EXPECT_EQ(launched[0].id, launched[2].id);
  EXPECT_EQ(cond("j", "Failed")["lastTransitionTime"], at(45));
  json tasks = ctl->list_tasks("job/j", true)["items"];
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0]["status"]["restartCount"], 2);
  EXPECT_EQ(tasks[0]["status"]["state"], "Failed");
}

TEST_F(JobTest, J7DeadlineTerminatesAndIsNotCounted) {
  script = [](size_t, const Launch&) { return Plan{100'000, 0, 0}; };
  apply(job_doc("j", {{"activeDeadlineSeconds", 30}}));
  run_until(200);
  EXPECT_EQ(launch_times(), (V{0}));
  ASSERT_EQ(rt->stops().size(), 1u);
  EXPECT_EQ(rt->stops()[0].second, 30'000);  // terminationGracePeriodSeconds default
  json c = cond("j", "Failed");
  EXPECT_EQ(c["reason"], "DeadlineExceeded");
  EXPECT_EQ(c["lastTransitionTime"], at(30));
  EXPECT_EQ(status("j")["failed"], 0);
  json t = ctl->list_tasks("job/j", true)["items"][0];
  EXPECT_EQ(t["status"]["outcome"], "Terminated");
  EXPECT_EQ(t["status"]["stopReason"], "DeadlineExceeded");
  EXPECT_TRUE(has_event("j", "DeadlineExceeded"));
}

json fail_job_42() {
  return {{"rules", json::array({{{"action", "FailJob"}, {"onExitCodes", {{"operator", "In"}, {"values", {42}}}}}})}};
}

TEST_F(JobTest, J8FailJobRuleEndsTheJobAtOnce) {
  script = [](size_t, const Launch&) { return fail_after(5, 42); };
  apply(job_doc("j", {{"backoffLimit", 2}, {"podFailurePolicy", fail_job_42()}}));
  run_until(100);
  EXPECT_EQ(launch_times(), (V{0}));
  json c = cond("j", "Failed");
  EXPECT_EQ(c["reason"], "PodFailurePolicy");
  EXPECT_EQ(c["lastTransitionTime"], at(5));
  const std::string msg = c["message"];
  EXPECT_NE(msg.find("rule at index 0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("exit code 42"), std::string::npos) << msg;
  EXPECT_TRUE(has_event("j", "PodFailurePolicy"));
}

TEST_F(JobTest, J9OtherExitCodesAreCounted) {
  script = [](size_t, const Launch&) { return fail_after(5, 1); };
  apply(job_doc("j", {{"backoffLimit", 2}, {"podFailurePolicy", fail_job_42()}}));
  run_until(100);
  EXPECT_EQ(launch_times(), (V{0, 15, 40}));
  EXPECT_EQ(cond("j", "Failed")["reason"], "BackoffLimitExceeded");
}

TEST_F(JobTest, J10IgnoredSigtermIsReplacedAtOnceAndNotCounted) {
  script = [](size_t n, const Launch&) { return n == 0 ? Plan{5000, -1, 15} : succeed_after(5); };
  json pfp = {{"rules", json::array({{{"action", "Ignore"}, {"onExitCodes", {{"operator", "In"}, {"values", {143}}}}}})}};
  apply(job_doc("j", {{"podFailurePolicy", pfp}}));
  run_until(100);
  EXPECT_EQ(launch_times(), (V{0, 5}));
  EXPECT_EQ(status("j")["failed"], 0);
  EXPECT_EQ(cond("j", "Complete")["status"], "True");
}

TEST_F(JobTest, J11WorkQueueCompletesWhenAllAreDone) {
  script = [](size_t n, const Launch&) { return n == 0 ? succeed_after(10) : n == 1 ? succeed_after(12) : fail_after(14); };
  apply(job_doc("j", {{"parallelism", 3}}));
  run_until(100);
  EXPECT_EQ(launch_times(), (V{0, 0, 0}));
  json c = cond("j", "Complete");
  EXPECT_EQ(c["status"], "True");
  EXPECT_EQ(c["lastTransitionTime"], at(14));
  EXPECT_EQ(status("j")["failed"], 1);
  EXPECT_EQ(status("j")["succeeded"], 2);
  EXPECT_EQ(status("j")["completionTime"], at(14));
  EXPECT_TRUE(has_event("j", "Completed"));
}

TEST_F(JobTest, J12SuspendResumeResetsStartTimeAndDeadline) {
  script = [](size_t, const Launch&) { return Plan{}; };  // runs until stopped
  apply(job_doc("j", {{"suspend", true}, {"activeDeadlineSeconds", 80}}));
  run_until(100);
  EXPECT_TRUE(launched.empty());
  EXPECT_TRUE(status("j")["startTime"].is_null());
  EXPECT_EQ(cond("j", "Suspended")["status"], "True");
  ASSERT_TRUE(ctl->set_suspended("j", false).ok());
  run_until(150);
  EXPECT_EQ(launch_times(), (V{100}));
  ASSERT_TRUE(ctl->set_suspended("j", true).ok());
  run_until(200);
  EXPECT_EQ(rt->stops().size(), 1u);
  EXPECT_EQ(status("j")["failed"], 0);
  EXPECT_EQ(status("j")["active"], 0);
  EXPECT_EQ(ctl->list_tasks("job/j", true)["items"][0]["status"]["outcome"], "Terminated");
  ASSERT_TRUE(ctl->set_suspended("j", false).ok());
  run_until(279);
  EXPECT_EQ(launch_times(), (V{100, 200}));
  EXPECT_EQ(status("j")["startTime"], at(200));
  EXPECT_TRUE(cond("j", "Failed").empty());
  run_until(400);
  EXPECT_EQ(cond("j", "Failed")["reason"], "DeadlineExceeded");
  EXPECT_EQ(cond("j", "Failed")["lastTransitionTime"], at(280));
  EXPECT_EQ(status("j")["failed"], 0);
  EXPECT_TRUE(has_event("j", "Suspended"));
  EXPECT_TRUE(has_event("j", "Resumed"));
  EXPECT_EQ(job("j")["spec"]["suspend"], false);
}

TEST_F(JobTest, J13TtlDeletesJobAttemptsAndLogs) {
  script = [](size_t, const Launch&) { return succeed_after(500); };
  apply(job_doc("j", {{"ttlSecondsAfterFinished", 60}}));
  run_until(1);
  ASSERT_EQ(launched.size(), 1u);
  const std::string dir = std::filesystem::path(launched[0].spec.log_path).parent_path().string();
  EXPECT_TRUE(std::filesystem::exists(dir));
  run_until(559);
  EXPECT_EQ(cond("j", "Complete")["lastTransitionTime"], at(500));
  EXPECT_TRUE(ctl->get("j").ok());
  run_until(560);
  EXPECT_EQ(ctl->get("j").error().code, Code::NotFound);
  settle();
  EXPECT_EQ(records_of("job"), 0u);
  EXPECT_EQ(records_of("task"), 0u);
  EXPECT_EQ(records_of("jobevent"), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST_F(JobTest, J13TtlZeroDeletesRightAfterFinishing) {
  script = [](size_t, const Launch&) { return succeed_after(500); };
  apply(job_doc("j", {{"ttlSecondsAfterFinished", 0}}));
  run_until(499);
  EXPECT_TRUE(ctl->get("j").ok());
  run_until(500);
  EXPECT_FALSE(ctl->get("j").ok());
}

// ---------------------------------------------------------------------------------
// §9.9 Indexed jobs

json indexed(int64_t completions, int64_t parallelism) {
  return {{"completions", completions}, {"parallelism", parallelism}, {"completionMode", "Indexed"}};
}

json index_container() {
  return {{"name", "main"},
          {"command", {"work", "--shard=$(JOB_COMPLETION_INDEX)"}},
          {"env",
           json::array({{{"name", "IDX"},
                         {"valueFrom",
                          {{"fieldRef", {{"fieldPath", "metadata.annotations['batch.kubernetes.io/job-completion-index']"}}}}}},
                        {{"name", "POD"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}},
                        {{"name", "GREETING"}, {"value", "shard $(IDX)"}}})}};
}

using IV = std::vector<std::pair<int64_t, std::string>>;

TEST_F(JobTest, I1IndexesRunLowestFirstWithTheirIndex) {
  script = [](size_t, const Launch&) { return succeed_after(10); };
  apply(job_doc("j", indexed(5, 2), index_container()));
  run_until(100);
  EXPECT_EQ(launch_indexes(), (IV{{0, "0"}, {0, "1"}, {10, "2"}, {10, "3"}, {20, "4"}}));
  EXPECT_EQ(cond("j", "Complete")["lastTransitionTime"], at(30));
  EXPECT_EQ(status("j")["completedIndexes"], "0-4");
  EXPECT_EQ(status("j")["succeeded"], 5);
  for (const Launch& l : launched) {
    EXPECT_EQ(JobFakeRuntime::env(l.spec, "IDX"), l.index);
    EXPECT_EQ(JobFakeRuntime::env(l.spec, "POD"), l.id);
    EXPECT_EQ(JobFakeRuntime::env(l.spec, "GREETING"), "shard " + l.index);
    EXPECT_EQ(JobFakeRuntime::env(l.spec, "EBB_TASK_NAME"), "j-" + l.index);
    EXPECT_EQ(l.spec.argv, (std::vector<std::string>{"work", "--shard=" + l.index}));
  }
  json tasks = ctl->list_tasks("job/j", true)["items"];
  ASSERT_EQ(tasks.size(), 5u);
  EXPECT_EQ(tasks[4]["status"]["index"], 4);
  EXPECT_EQ(tasks[4]["spec"]["owner"], "job/j");
}

TEST_F(JobTest, I2aSuccessResetsTheJobWideDelay) {
  script = [](size_t n, const Launch&) { return n == 1 ? fail_after(5) : succeed_after(10); };
  apply(job_doc("j", indexed(5, 2)));
  run_until(100);
  EXPECT_EQ(launch_indexes(), (IV{{0, "0"}, {0, "1"}, {10, "1"}, {10, "2"}, {20, "3"}, {20, "4"}}));
  EXPECT_EQ(cond("j", "Complete")["lastTransitionTime"], at(30));
  EXPECT_EQ(status("j")["failed"], 1);
}

TEST_F(JobTest, I2bBackoffHoldsEveryNewAttempt) {
  script = [](size_t n, const Launch&) { return n == 0 ? fail_after(5) : succeed_after(10); };
  apply(job_doc("j", indexed(3, 1)));
  run_until(100);
  EXPECT_EQ(launch_indexes(), (IV{{0, "0"}, {15, "0"}, {25, "1"}, {35, "2"}}));
  EXPECT_EQ(cond("j", "Complete")["lastTransitionTime"], at(45));
}

TEST_F(JobTest, I3PerIndexLimitFailsTheIndexOnly) {
  script = [](size_t, const Launch& l) { return l.index == "2" ? fail_after(5) : succeed_after(5); };
  json spec = indexed(4, 4);
  spec["backoffLimitPerIndex"] = 1;
  apply(job_doc("j", spec));
  run_until(100);
  EXPECT_EQ(launch_indexes(), (IV{{0, "0"}, {0, "1"}, {0, "2"}, {0, "3"}, {15, "2"}}));
  EXPECT_EQ(cond("j", "Failed")["reason"], "FailedIndexes");
  EXPECT_EQ(cond("j", "Failed")["lastTransitionTime"], at(20));
  EXPECT_EQ(status("j")["failedIndexes"], "2");
  EXPECT_EQ(status("j")["completedIndexes"], "0-1,3");
  EXPECT_EQ(status("j")["failed"], 2);
}

TEST_F(JobTest, I4MaxFailedIndexesFailsImmediately) {
  script = [](size_t, const Launch& l) {
    if (l.index == "0") return Plan{};  // runs until stopped
    return l.index == "2" || l.index == "3" ? fail_after(5) : succeed_after(5);
  };
  json spec = indexed(4, 4);
  spec["backoffLimitPerIndex"] = 1;
  spec["maxFailedIndexes"] = 1;
  apply(job_doc("j", spec));
  run_until(100);
  EXPECT_EQ(cond("j", "Failed")["reason"], "MaxFailedIndexesExceeded");
  EXPECT_EQ(cond("j", "Failed")["lastTransitionTime"], at(20));
  EXPECT_EQ(status("j")["failedIndexes"], "2-3");
  ASSERT_EQ(rt->stops().size(), 1u);
  EXPECT_EQ(rt->stops()[0].first, launched[0].id);  // index 0 terminated
  EXPECT_EQ(status("j")["active"], 0);
}

TEST_F(JobTest, I5SuccessPolicyCompletesAndTerminatesTheRest) {
  script = [](size_t, const Launch& l) { return l.index == "0" ? succeed_after(5) : Plan{}; };
  json spec = indexed(5, 5);
  spec["successPolicy"] = {{"rules", json::array({{{"succeededIndexes", "0"}}})}};
  apply(job_doc("j", spec));
  run_until(100);
  EXPECT_EQ(launched.size(), 5u);
  json c = cond("j", "Complete");
  EXPECT_EQ(c["reason"], "SuccessPolicy");
  EXPECT_EQ(c["lastTransitionTime"], at(5));
  EXPECT_EQ(rt->stops().size(), 4u);
  EXPECT_EQ(status("j")["failed"], 0);
  EXPECT_EQ(status("j")["active"], 0);
}

TEST_F(JobTest, I6NonIndexedCompletionIndexRefWarnsAndIsEmpty) {
  json container = index_container();
  container["env"].push_back({{"name", "BAD"},
                              {"valueFrom", {{"configMapKeyRef", {{"name", "cfg"}, {"key", "shard-$(JOB_COMPLETION_INDEX)"}, {"optional", true}}}}}});
  std::vector<std::string> warnings;
  auto r = ctl->apply(job_doc("j", json::object(), container), warnings);
  ASSERT_TRUE(r.ok());
  settle();
  bool index_warning = false, expand_warning = false;
  for (auto& w : warnings) {
    index_warning |= w.find("JOB_COMPLETION_INDEX will be empty") != std::string::npos;
    expand_warning |= w.find("expanded by ebb") != std::string::npos;
  }
  EXPECT_TRUE(index_warning);
  EXPECT_TRUE(expand_warning);
  script = [](size_t, const Launch&) { return succeed_after(1); };
  run_until(10);
  ASSERT_EQ(launched.size(), 1u);
  EXPECT_EQ(JobFakeRuntime::env(launched[0].spec, "IDX"), "");
  EXPECT_EQ(JobFakeRuntime::env(launched[0].spec, "JOB_COMPLETION_INDEX"), "<unset>");
  EXPECT_EQ(JobFakeRuntime::env(launched[0].spec, "BAD"), "<unset>");
}

// ---------------------------------------------------------------------------------
// Parallelism, edits, ConfigMaps, validation

TEST_F(JobTest, ParallelismLimitsActiveAttemptsAndCanBeChanged) {
  script = [](size_t, const Launch&) { return succeed_after(10); };
  json doc = job_doc("j", {{"completions", 6}, {"parallelism", 2}});
  apply(doc);
  run_until(5);
  EXPECT_EQ(launched.size(), 2u);
  EXPECT_EQ(status("j")["active"], 2);
  doc["spec"]["parallelism"] = 1;
  apply(doc, "configured");
  tick();
  EXPECT_EQ(rt->stops().size(), 1u);  // the newest one goes, not counted
  EXPECT_EQ(status("j")["failed"], 0);
  EXPECT_EQ(status("j")["active"], 1);
  doc["spec"]["parallelism"] = 3;
  apply(doc, "configured");
  run_until(100);
  EXPECT_EQ(status("j")["succeeded"], 6);
  EXPECT_EQ(cond("j", "Complete")["status"], "True");
  apply(doc, "unchanged");
}

TEST_F(JobTest, ImmutableFieldsAreAConflict) {
  json doc = job_doc("j", {{"completions", 2}});
  apply(doc);
  doc["spec"]["completions"] = 3;
  std::vector<std::string> warnings;
  auto r = ctl->apply(doc, warnings);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::Conflict);
}

TEST_F(JobTest, ContainerWithoutCommandIsRefused) {
  std::vector<std::string> warnings;
  auto r = ctl->apply(job_doc("j", json::object(), json{{"name", "main"}, {"image", "busybox"}}), warnings);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("the process runtime needs `command`; add it or use a container runtime"),
            std::string::npos);
}

TEST_F(JobTest, ConfigMapValuesAndMissingKeyIsAConfigIssue) {
  json cm = {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", "cfg"}}}, {"data", {{"region", "eu"}}}};
  auto r = ctl->apply_config_map(cm);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->first, "created");
  EXPECT_EQ(ctl->apply_config_map(cm)->first, "unchanged");
  json container = {{"name", "main"},
                    {"command", {"work"}},
                    {"env", json::array({{{"name", "REGION"}, {"valueFrom", {{"configMapKeyRef", {{"name", "cfg"}, {"key", "region"}}}}}},
                                         {{"name", "SECRET"}, {"valueFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "k"}, {"optional", true}}}}}}})}};
  script = [](size_t, const Launch&) { return succeed_after(1); };
  apply(job_doc("ok", json::object(), container));
  run_until(5);
  ASSERT_EQ(launched.size(), 1u);
  EXPECT_EQ(JobFakeRuntime::env(launched[0].spec, "REGION"), "eu");
  EXPECT_EQ(JobFakeRuntime::env(launched[0].spec, "SECRET"), "<unset>");

  // A missing key fails the attempt before launch: ConfigIssue=True for the policy.
  container["env"][0]["valueFrom"]["configMapKeyRef"]["key"] = "nope";
  json pfp = {{"rules", json::array({{{"action", "FailJob"}, {"onPodConditions", json::array({{{"type", "ConfigIssue"}, {"status", "True"}}})}}})}};
  apply(job_doc("bad", {{"podFailurePolicy", pfp}}, container));
  run_until(20);
  EXPECT_EQ(launched.size(), 1u);
  EXPECT_EQ(cond("bad", "Failed")["reason"], "PodFailurePolicy");
  json t = ctl->list_tasks("job/bad", true)["items"][0];
  EXPECT_EQ(t["status"]["reason"], "LaunchFailed");
  EXPECT_NE(t["status"]["message"].get<std::string>().find("nope"), std::string::npos);
}

TEST_F(JobTest, ServerCapsParallelism) {
  ctl.reset();
  cfg.max_parallelism = 3;
  start_controller();
  apply(job_doc("j", {{"completions", 10}, {"parallelism", 8}}));
  run_until(1);
  EXPECT_EQ(launched.size(), 3u);
}

// ---------------------------------------------------------------------------------
// Restart (reliability.md §2.7)

TEST_F(JobTest, RestartReadoptsLiveAttemptsAndCountsLostOnes) {
  script = [](size_t, const Launch&) { return Plan{}; };
  apply(job_doc("j", indexed(2, 2)));
  run_until(5);
  ASSERT_EQ(launched.size(), 2u);
  const std::string live_id = launched[0].id;  // index 0 survives; index 1 vanished
  ctl.reset();
  runtime::Reconnected rc;
  rc.live.push_back({live_id, 5000, 6000, "", false});
  launched.clear();
  exits.clear();
  running.clear();
  start_controller(rc);
  script = [](size_t, const Launch&) { return succeed_after(5); };
  run_until(6);
  EXPECT_TRUE(launched.empty());  // index 1 waits for the 10 s back-off; index 0 is not doubled
  EXPECT_EQ(status("j")["failed"], 1);
  json tasks = ctl->list_tasks("job/j", true)["items"];
  std::map<std::string, std::string> state;
  for (auto& t : tasks) state[t["metadata"]["name"]] = t["status"]["state"];
  EXPECT_EQ(state[live_id], "Running");
  EXPECT_EQ(state[tasks[1]["metadata"]["name"]], "Lost");
  run_until(16);
  ASSERT_EQ(launched.size(), 1u);
  EXPECT_EQ(launched[0].index, "1");
  EXPECT_EQ(launched[0].at_s, 15);
  rt->report_exit(live_id, 0);
  run_until(40);
  EXPECT_EQ(cond("j", "Complete")["status"], "True");
  EXPECT_EQ(status("j")["completedIndexes"], "0-1");
  EXPECT_EQ(status("j")["succeeded"], 2);
}

TEST_F(JobTest, RestartKeepsCountersAndExitedWhileAwayAreRecorded) {
  script = [](size_t n, const Launch&) { return n == 0 ? fail_after(5) : Plan{}; };
  apply(job_doc("j", {{"backoffLimit", 3}}));
  run_until(20);
  ASSERT_EQ(launched.size(), 2u);
  const std::string id = launched[1].id;
  ctl.reset();
  runtime::Reconnected rc;
  runtime::TaskExited e;
  e.task_id = id;
  e.exit_code = 0;
  e.reason = "Completed";
  rc.exited.push_back(e);
  launched.clear();
  start_controller(rc);
  run_until(30);
  EXPECT_TRUE(launched.empty());
  EXPECT_EQ(status("j")["failed"], 1);
  EXPECT_EQ(status("j")["succeeded"], 1);
  EXPECT_EQ(cond("j", "Complete")["status"], "True");
  EXPECT_EQ(ctl->events("j")->at("items").size(), event_reasons("j").size());
  EXPECT_TRUE(has_event("j", "SuccessfulCreate"));  // events survived the restart
}

// ---------------------------------------------------------------------------------
// create() with an owner, summaries, views

TEST_F(JobTest, CreateWithOwnerAndSummaries) {
  json spec = {{"template", {{"spec", {{"restartPolicy", "Never"}, {"containers", json::array({{{"name", "c"}, {"command", {"run"}}}})}}}}}};
  ASSERT_TRUE(ctl->create("nightly-1", spec, "cronjob/nightly", {{"app", "x"}}, {{"batch.kubernetes.io/cronjob-scheduled-timestamp", "2025-01-01T00:00:00Z"}}).ok());
  clock.advance_s(1);
  ASSERT_TRUE(ctl->create("nightly-0", spec, "cronjob/nightly", json::object(), json::object()).ok());
  ASSERT_TRUE(ctl->create("other", spec, "", json::object(), json::object()).ok());
  EXPECT_EQ(ctl->create("other", spec, "", json::object(), json::object()).error().code, Code::Conflict);
  settle();
  auto owned = ctl->owned_by("cronjob/nightly");
  ASSERT_EQ(owned.size(), 2u);
  EXPECT_EQ(owned[0].name, "nightly-1");  // oldest first
  EXPECT_EQ(owned[1].name, "nightly-0");
  EXPECT_EQ(owned[0].owner, "cronjob/nightly");
  json meta = job("nightly-1")["metadata"];
  EXPECT_EQ(meta["annotations"]["ebb/owner"], "cronjob/nightly");
  EXPECT_EQ(meta["labels"]["app"], "x");
  EXPECT_TRUE(meta.contains("creationTimestamp"));
  EXPECT_EQ(job("nightly-1")["apiVersion"], "batch/v1");

  script = [](size_t, const Launch& l) { return l.id.rfind("nightly-1-", 0) == 0 ? succeed_after(5) : fail_after(5); };
  run_until(3);
  auto s = ctl->summary("nightly-1");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->active, 1);
  EXPECT_FALSE(s->finished);
  run_until(10);
  s = ctl->summary("nightly-1");
  EXPECT_TRUE(s->finished);
  EXPECT_TRUE(s->complete);
  EXPECT_EQ(s->succeeded, 1);
  EXPECT_GT(s->completion_ms, 0);
  EXPECT_FALSE(ctl->summary("nope"));
  EXPECT_EQ(ctl->list()["items"].size(), 3u);

  auto logs = ctl->log_paths("job/nightly-1");
  ASSERT_TRUE(logs.ok());
  EXPECT_FALSE(ctl->log_paths("job/nope").ok());
  ASSERT_TRUE(ctl->remove("nightly-1").ok());
  EXPECT_FALSE(ctl->get("nightly-1").ok());
  EXPECT_EQ(ctl->owned_by("cronjob/nightly").size(), 1u);
}

TEST_F(JobTest, RemoveStopsAttemptsAndDeletesRecords) {
  script = [](size_t, const Launch&) { return Plan{}; };
  apply(job_doc("j", {{"parallelism", 2}}));
  run_until(1);
  ASSERT_EQ(launched.size(), 2u);
  ASSERT_TRUE(ctl->remove("j").ok());
  absorb();
  EXPECT_EQ(rt->stops().size(), 2u);
  settle();
  EXPECT_EQ(records_of("job"), 0u);
  EXPECT_EQ(records_of("task"), 0u);
  EXPECT_TRUE(ctl->list_tasks("", true)["items"].empty());
}

// A large job: every completion is launched exactly once and the job completes; the
// records are batched (no timing assertion).
TEST_F(JobTest, ThousandCompletionsParallelismTen) {
  script = [](size_t, const Launch&) { return succeed_after(0); };
  apply(job_doc("big", {{"completions", 1000}, {"parallelism", 10}}));
  run_until(1);
  EXPECT_EQ(launched.size(), 1000u);
  EXPECT_EQ(status("big")["succeeded"], 1000);
  EXPECT_EQ(cond("big", "Complete")["status"], "True");
}

}  // namespace
}  // namespace ebb::sched::testing

namespace ebb::sched::testing {
namespace {

// create(…, with): the caller's records commit in the same transaction as the Job and
// its first attempt (the Schedule's slot record, P-S1), so when the launch is asked for
// all of them are in the store; a create that fails commits none of them.
TEST_F(JobTest, CreateCommitsTheCallersRecordsWithTheJobAndItsFirstAttempt) {
  json spec = {{"template", {{"spec", {{"restartPolicy", "Never"}, {"containers", json::array({{{"name", "c"}, {"command", {"run"}}}})}}}}}};
  std::vector<RecordRow> at_launch;
  rt->on_launch = [&](const runtime::LaunchSpec&) { at_launch = store.load_records(); };
  auto t = ctl->create("slot-1", spec, "schedule/s", json::object(), json::object(),
                       {op::PutRecord{"slot", "schedule/s/60000", "{\"outcome\":\"Started\"}"}});
  ASSERT_TRUE(t.ok()) << t.error().message;
  settle();
  ASSERT_EQ(rt->launch_count(), 1u);
  auto has = [&](const std::string& kind, const std::string& key) {
    for (auto& r : at_launch)
      if (r.kind == kind && (key.empty() || r.key == key)) return true;
    return false;
  };
  EXPECT_TRUE(has("slot", "schedule/s/60000"));
  EXPECT_TRUE(has("job", "slot-1"));
  EXPECT_TRUE(has("task", rt->launches()[0].task_id));

  auto again = ctl->create("slot-1", spec, "schedule/s", json::object(), json::object(),
                           {op::PutRecord{"slot", "schedule/s/120000", "{}"}});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Code::Conflict);
  settle();
  for (auto& r : store.load_records()) EXPECT_NE(r.key, "schedule/s/120000") << "committed without its Job";
}

TEST_F(JobTest, ZeroCompletionsCompletesAtOnceAndRunContextAnnotations) {
  apply(job_doc("zero", {{"completions", 0}}));
  run_until(1);
  EXPECT_TRUE(launched.empty());
  EXPECT_EQ(cond("zero", "Complete")["status"], "True");

  json spec = {{"template", {{"spec", {{"restartPolicy", "Never"}, {"containers", json::array({{{"name", "c"}, {"command", {"run"}}}})}}}}}};
  ASSERT_TRUE(ctl->create("run-1", spec, "schedule/s", json::object(),
                          {{"ebb/env.EBB_SLOT_ID", "uid/60"}, {"ebb/env.PATH", "/evil"}})
                  .ok());
  script = [](size_t, const Launch&) { return succeed_after(1); };
  run_until(3);
  ASSERT_EQ(launched.size(), 1u);
  EXPECT_EQ(JobFakeRuntime::env(launched[0].spec, "EBB_SLOT_ID"), "uid/60");
  EXPECT_NE(JobFakeRuntime::env(launched[0].spec, "PATH"), "/evil");
  EXPECT_EQ(JobFakeRuntime::env(launched[0].spec, "EBB_JOB_NAME"), "run-1");
  EXPECT_EQ(JobFakeRuntime::env(launched[0].spec, "EBB_TASK_ID"), launched[0].id);
}

}  // namespace
}  // namespace ebb::sched::testing

namespace ebb::sched::testing {
namespace {

// scheduling.md §9.7 C5, the JobController's half: Replace suspends the old run; its
// process ignores SIGTERM, so the launcher's SIGKILL ends it after the grace period.
// Until that exit arrives the run stays active (the ScheduleController waits on it).
TEST_F(JobTest, C5ReplacedRunStaysActiveUntilItsProcessIsGone) {
  exit_on_stop = false;  // ignores SIGTERM
  script = [](size_t, const Launch&) { return Plan{-1, 0, 0}; };
  apply(job_doc("old", {{"completions", 1}}));
  run_until(300);  // 10:00 → 10:05
  ASSERT_EQ(launched.size(), 1u);
  ASSERT_TRUE(ctl->set_suspended("old", true).ok());
  absorb();
  ASSERT_EQ(rt->stops().size(), 1u);
  EXPECT_EQ(rt->stops()[0].second, 30'000);  // terminationGracePeriodSeconds default
  run_until(329);
  ASSERT_TRUE(ctl->summary("old"));
  EXPECT_EQ(ctl->summary("old")->active, 1) << "still terminating: Replace must wait";
  EXPECT_EQ(status("old")["terminating"], 1);
  rt->report_exit(launched[0].id, 137, 9);  // the SIGKILL at 10:05:30
  absorb();
  EXPECT_EQ(ctl->summary("old")->active, 0);
  EXPECT_EQ(status("old")["failed"], 0);  // ebb's own termination is not counted
}

}  // namespace
}  // namespace ebb::sched::testing

// Activity: task, Job and slot records in; metric families, usage records and the
// cost report out. Records are fed exactly as the controllers commit them.
#include "obs/activity.h"

#include <gtest/gtest.h>

#include "runtime/task_record.h"

namespace ebb::obs {
namespace {

using nlohmann::json;
using runtime::TaskRecord;
using runtime::TaskState;

constexpr int64_t kT0 = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr int64_t kGiB = 1LL << 30;

TaskRecord task(const std::string& id, const std::string& kind, const std::string& owner) {
  TaskRecord t;
  t.id = id;
  t.owner_kind = kind;
  t.owner_name = owner;
  t.cpu_millis = 500;
  t.memory_bytes = kGiB;
  t.created_ms = kT0;
  return t;
}

StoreOp put(const TaskRecord& t) { return op::PutRecord{"task", t.id, runtime::to_json(t).dump()}; }

// Commits ops through the activity and keeps what a store would hold.
struct Harness {
  Activity a{PriceTable{}};
  std::map<std::pair<std::string, std::string>, std::string> records;
  void commit(std::vector<StoreOp> ops) {
    auto extra = a.observe(ops);
    for (auto& op : extra) ops.push_back(op);
    for (auto& op : ops) {
      if (auto* p = std::get_if<op::PutRecord>(&op)) records[{p->kind, p->key}] = p->value;
      if (auto* d = std::get_if<op::DeleteRecord>(&op)) records.erase({d->kind, d->key});
    }
  }
  std::vector<RecordRow> rows() const {
    std::vector<RecordRow> out;
    for (auto& [k, v] : records) out.push_back({k.first, k.second, v});
    return out;
  }
  // Runs a task: Pending → Running at +start_s → finished at +end_s.
  void run(const std::string& id, const std::string& kind, const std::string& owner, double start_s, double end_s,
           TaskState end = TaskState::Succeeded, double cpu = 0, int64_t rss = 0) {
    TaskRecord t = task(id, kind, owner);
    t.created_ms = kT0 + static_cast<int64_t>(start_s * 1000) - 100;
    commit({put(t)});
    t.state = TaskState::Running;
    t.started_ms = kT0 + static_cast<int64_t>(start_s * 1000);
    commit({put(t)});
    t.state = end;
    t.ended_ms = kT0 + static_cast<int64_t>(end_s * 1000);
    t.cpu_seconds = cpu;
    t.peak_rss_bytes = rss;
    if (end == TaskState::Failed) t.exit_code = 1, t.reason = "Error";
    commit({put(t)});
  }
};

TEST(Activity, FinishedTaskIsPricedOnceAndPersistedWithItsRecord) {
  Harness h;
  h.run("w-1", "Service", "thumbs", 0, 240, TaskState::Succeeded, 30, 100LL << 20);  // the seed's 4-minute run
  // Written again (e.g. a later edit of the finished record): not counted twice.
  TaskRecord again = task("w-1", "Service", "thumbs");
  again.state = TaskState::Succeeded;
  again.started_ms = kT0;
  again.ended_ms = kT0 + 240'000;
  h.commit({put(again)});

  json r = h.a.cost_report(kT0 - 3'600'000, kT0 + 3'600'000);
  ASSERT_EQ(r["items"].size(), 1u);
  const json& item = r["items"][0];
  EXPECT_EQ(item["kind"], "Service");
  EXPECT_EQ(item["name"], "thumbs");
  EXPECT_EQ(item["tasks"], 1);
  EXPECT_DOUBLE_EQ(item["runSeconds"].get<double>(), 240);
  EXPECT_DOUBLE_EQ(item["vcpuSeconds"].get<double>(), 120);
  EXPECT_DOUBLE_EQ(item["gbSeconds"].get<double>(), 240);
  EXPECT_NEAR(item["fargateUsd"].get<double>(), 0.001646, 1e-6);  // seed: ≈ $0.0017
  EXPECT_DOUBLE_EQ(item["cpuUsedSeconds"].get<double>(), 30);
  EXPECT_EQ(item["peakMemoryBytes"], 100LL << 20);
  // 100 MiB of 1 GiB: the seed's right-sizing case.
  ASSERT_FALSE(item["advice"].empty());
  EXPECT_NE(item["advice"].dump().find("memory"), std::string::npos);
  EXPECT_EQ(item["suggestedMemoryBytes"], 128LL << 20);

  // A restarted ebbd (fresh Activity over the same records) reports the same usage.
  Activity reloaded{PriceTable{}};
  reloaded.load(h.rows());
  json r2 = reloaded.cost_report(kT0 - 3'600'000, kT0 + 3'600'000);
  EXPECT_EQ(r2["items"], r["items"]);
  EXPECT_EQ(r2["totals"]["fargateUsd"], r["totals"]["fargateUsd"]);
}

TEST(Activity, OneMinuteMinimumAndWindow) {
  Harness h;
  h.run("j-1", "Job", "once", 10, 15);  // 5 s run, billed 60 s
  json r = h.a.cost_report(kT0, kT0 + 3'600'000);
  EXPECT_DOUBLE_EQ(r["totals"]["billedSeconds"].get<double>(), 60);
  EXPECT_NEAR(r["totals"]["fargateUsd"].get<double>(), 0.024685 / 60, 1e-6);
  // Long after: outside a 1 h window.
  json later = h.a.cost_report(kT0 + 10 * 3'600'000, kT0 + 11 * 3'600'000);
  EXPECT_TRUE(later["items"].empty());
}

TEST(Activity, RunningTasksCountToNowAndPeakConcurrencyPricesAlwaysOn) {
  Harness h;
  for (int i = 0; i < 3; ++i) {
    TaskRecord t = task("s-" + std::to_string(i), "Service", "pool");
    h.commit({put(t)});
    t.state = TaskState::Running;
    t.started_ms = kT0;
    h.commit({put(t)});
  }
  json r = h.a.cost_report(kT0, kT0 + 1'800'000);  // half an hour later, all three still run
  const json& item = r["items"][0];
  EXPECT_EQ(item["runningTasks"], 3);
  EXPECT_EQ(item["tasks"], 0);
  EXPECT_DOUBLE_EQ(item["runSeconds"].get<double>(), 3 * 1800.0);
  EXPECT_EQ(r["totals"]["alwaysOn"]["instances"], 3);
  EXPECT_NEAR(r["totals"]["alwaysOn"]["usd"].get<double>(), 3 * 0.0208 / 2, 1e-9);
  EXPECT_NEAR(r["totals"]["fargateUsd"].get<double>(), 3 * 0.024685 / 2, 1e-6);

  std::string out;
  h.a.render(out, kT0 + 1'800'000);
  EXPECT_NE(out.find("ebb_tasks_running{kind=\"Service\",name=\"pool\"} 3\n"), std::string::npos);
  EXPECT_NE(out.find("ebb_task_starts_total{kind=\"Service\",name=\"pool\"} 3\n"), std::string::npos);
}

TEST(Activity, FailuresByReasonAndDurationByResult) {
  Harness h;
  h.run("a", "Service", "w", 0, 2, TaskState::Failed);
  h.run("b", "Service", "w", 0, 3, TaskState::Succeeded);
  TaskRecord lost = task("c", "Service", "w");
  lost.state = TaskState::Lost;
  lost.reason = "Lost";
  h.commit({put(lost)});
  std::string out;
  h.a.render(out, kT0 + 10'000);
  EXPECT_NE(out.find("ebb_task_failures_total{kind=\"Service\",name=\"w\",reason=\"exit_code\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("ebb_task_failures_total{kind=\"Service\",name=\"w\",reason=\"lost\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("ebb_task_duration_seconds_count{kind=\"Service\",name=\"w\",result=\"failed\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("ebb_task_duration_seconds_count{kind=\"Service\",name=\"w\",result=\"succeeded\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("ebb_tasks_running{kind=\"Service\",name=\"w\"} 0\n"), std::string::npos);
}

TEST(Activity, CronJobTasksAndJobsCarryTheCronJobName) {
  Harness h;
  json job = {{"doc", json::object()}, {"owner", "cronjob/nightly"}, {"state", {{"finished", false}}}};
  h.commit({op::PutRecord{"job", "nightly-29000000", job.dump()}});
  h.run("n-1", "Job", "nightly-29000000", 0, 60);
  job["state"] = {{"finished", true}, {"complete", true}};
  h.commit({op::PutRecord{"job", "nightly-29000000", job.dump()}});
  std::string out;
  h.a.render(out, kT0 + 120'000);
  EXPECT_NE(out.find("ebb_task_starts_total{kind=\"CronJob\",name=\"nightly\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("ebb_jobs_finished_total{kind=\"CronJob\",name=\"nightly\",result=\"complete\"} 1\n"),
            std::string::npos);
  EXPECT_EQ(out.find("nightly-29000000"), std::string::npos);  // generated names never become labels
}

TEST(Activity, ScheduleFiresAndLateness) {
  Harness h;
  auto slot = [&](const std::string& key, json v) { h.commit({op::PutRecord{"slot", key, v.dump()}}); };
  slot("schedule/daily/1000", {{"slotMs", 1000}, {"outcome", "Claimed"}});
  slot("schedule/daily/1000", {{"slotMs", 1000}, {"outcome", "Started"}, {"startMs", 1250}, {"latenessMs", 250}});
  slot("schedule/daily/1000", {{"slotMs", 1000}, {"outcome", "Succeeded"}, {"startMs", 1250}, {"latenessMs", 250}});
  slot("schedule/daily/2000", {{"slotMs", 2000}, {"outcome", "Missed"}});
  slot("cronjob/etl/3000", {{"slotMs", 3000}, {"outcome", "Skipped"}});
  std::string out;
  h.a.render(out, kT0);
  EXPECT_NE(out.find("ebb_schedule_fires_total{kind=\"Schedule\",name=\"daily\",result=\"started\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("ebb_schedule_fires_total{kind=\"Schedule\",name=\"daily\",result=\"missed\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("ebb_schedule_fires_total{kind=\"CronJob\",name=\"etl\",result=\"skipped\"} 1\n"), std::string::npos);
  EXPECT_NE(out.find("ebb_schedule_lateness_seconds_bucket{kind=\"Schedule\",name=\"daily\",le=\"0.1\"} 0\n"),
            std::string::npos);
  EXPECT_NE(out.find("ebb_schedule_lateness_seconds_bucket{kind=\"Schedule\",name=\"daily\",le=\"0.5\"} 1\n"),
            std::string::npos);
  EXPECT_NE(out.find("ebb_schedule_last_fire_timestamp_seconds{kind=\"Schedule\",name=\"daily\"} 1\n"), std::string::npos);
}

TEST(Activity, QueueCommitsTakeTheFastPath) {
  Harness h;
  std::vector<StoreOp> ops{op::DeleteMessage{1}, op::PutMeta{"k", "v"}};
  EXPECT_TRUE(h.a.observe(ops).empty());
}

}  // namespace
}  // namespace ebb::obs

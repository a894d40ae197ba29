// ScheduleController over the production seams: the real JobController (with the
// JobFakeRuntime of job_fake_runtime.h) and the real sched::Expression. Checks the
// wiring end to end: a CronJob slot creates a Job whose attempt sees the schedule's
// variables, its success reaches the CronJob's status, and a crash + restart of both
// controllers never creates the slot's Job twice.
#include <filesystem>

#include "job_fake_runtime.h"
#include "queue/engine.h"
#include "sched/schedule_controller.h"
#include "sched/schedule_spec.h"

namespace ebb::sched::testing {
namespace {

// A Store that keeps the records as they were after every commit: each is a state a
// crash (kill -9, power loss) can leave on disk. replace() starts over from one.
class SnapshotStore final : public Store {
 public:
  LoadedState load() override {
    std::lock_guard lk(mu_);
    return inner_->load();
  }
  std::vector<RecordRow> load_records() override {
    std::lock_guard lk(mu_);
    return inner_->load_records();
  }
  void commit(std::span<const StoreOp> ops) override {
    std::lock_guard lk(mu_);
    inner_->commit(ops);
    snapshots_.push_back(inner_->load_records());
  }
  std::vector<std::vector<RecordRow>> snapshots() const {
    std::lock_guard lk(mu_);
    return snapshots_;
  }
  size_t snapshot_count() const {
    std::lock_guard lk(mu_);
    return snapshots_.size();
  }
  void replace(const std::vector<RecordRow>& rows) {
    std::lock_guard lk(mu_);
    inner_ = std::make_unique<MemStore>();
    std::vector<StoreOp> ops;
    for (auto& r : rows) ops.push_back(op::PutRecord{r.kind, r.key, r.value});
    inner_->commit(ops);
  }

 private:
  mutable std::mutex mu_;
  std::unique_ptr<MemStore> inner_ = std::make_unique<MemStore>();
  std::vector<std::vector<RecordRow>> snapshots_;
};

class SchedJobsTest : public ::testing::Test {
 protected:
  FakeClock clock;
  SnapshotStore store;
  std::unique_ptr<Committer> committer;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<JobFakeRuntime> rt;
  std::unique_ptr<JobController> jobs;
  std::unique_ptr<ScheduleController> ctl;
  std::string data_dir;
  uint64_t barrier_ = 0;

  void SetUp() override {
    data_dir = (std::filesystem::temp_directory_path() / ("ebb-sched-test-" + hex_encode(random_bytes(6)))).string();
    std::filesystem::create_directories(data_dir);
    committer = std::make_unique<Committer>(store);
    committer->start();
    engine = std::make_unique<Engine>(clock, store, *committer);
    engine->load();
    open();
  }
  void TearDown() override {
    close();
    engine.reset();
    committer->stop();
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }
  void open() {
    rt = std::make_unique<JobFakeRuntime>(clock);
    JobControllerConfig cfg;
    cfg.data_dir = data_dir;
    cfg.endpoint_url = "http://127.0.0.1:9324";
    jobs = std::make_unique<JobController>(clock, *committer, *rt, cfg);
    ctl = std::make_unique<ScheduleController>(clock, *committer, *engine, *jobs);
    settle();
    const auto records = store.load_records();
    jobs->load(records);
    ctl->load(records);
    ASSERT_TRUE(jobs->start().ok());
    ASSERT_TRUE(ctl->start().ok());
    settle();
  }
  void close() {
    settle();
    ctl.reset();
    jobs->shutdown(false, Millis{0});
    jobs.reset();
    rt.reset();
  }
  void settle() {
    for (int i = 0; i < 2; ++i) {
      std::promise<bool> p;
      Token t = committer->append(op::PutMeta{"test.barrier", std::to_string(++barrier_)});
      committer->when_durable(t, [&](bool ok) { p.set_value(ok); });
      ASSERT_TRUE(p.get_future().get());
    }
  }
  void tick() {
    for (int i = 0; i < 3; ++i) {
      (void)ctl->tick();
      settle();
      (void)jobs->tick();
      settle();
    }
  }
  void go_to(int64_t wall) { clock.advance(Millis{wall - clock.now_ms()}); }
  static int64_t T(const char* s) { return *parse_rfc3339(s); }
  static std::string env_of(const runtime::LaunchSpec& s, const std::string& name) {
    for (const std::string& e : s.env)
      if (e.rfind(name + "=", 0) == 0) return e.substr(name.size() + 1);
    return "<unset>";
  }
};

json cron_doc(const std::string& name, const std::string& schedule) {
  json container = {{"name", "c"}, {"command", json::array({"work"})}};
  json pod = {{"restartPolicy", "Never"}, {"containers", json::array({container})}};
  return {{"apiVersion", "batch/v1"},
          {"kind", "CronJob"},
          {"metadata", {{"name", name}}},
          {"spec", {{"schedule", schedule}, {"jobTemplate", {{"spec", {{"template", {{"spec", pod}}}}}}}}}};
}

TEST_F(SchedJobsTest, CronJobRunReachesTheJobControllerAndItsSuccessComesBack) {
  go_to(T("2025-06-04T09:59:00Z"));
  std::vector<std::string> warnings;
  auto applied = ctl->apply(cron_doc("nightly", "*/5 * * * *"), warnings);
  ASSERT_TRUE(applied.ok()) << applied.error().message;
  settle();
  tick();
  EXPECT_TRUE(rt->launches().empty());
  go_to(T("2025-06-04T10:00:00Z"));
  tick();
  const std::string job = run_name("nightly", T("2025-06-04T10:00:00Z"));
  std::optional<JobSummary> s = jobs->summary(job);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->owner, "cronjob/nightly");
  auto launches = rt->launches();
  ASSERT_EQ(launches.size(), 1u);
  EXPECT_EQ(env_of(launches[0], "EBB_SCHEDULED_TIME"), "2025-06-04T10:00:00Z");
  EXPECT_EQ(env_of(launches[0], "EBB_SCHEDULE_NAME"), "nightly");

  rt->report_started(launches[0].task_id);
  go_to(T("2025-06-04T10:00:05Z"));
  rt->report_exit(launches[0].task_id, 0);
  tick();
  auto cj = ctl->get("CronJob", "nightly");
  ASSERT_TRUE(cj.ok());
  const json st = (*cj)["status"];
  EXPECT_EQ(st["runs"][0]["outcome"], "Succeeded");
  EXPECT_EQ(st["lastSuccessfulTime"], "2025-06-04T10:00:05Z");
  EXPECT_EQ(st["active"].size(), 0u);
  EXPECT_EQ(st["nextScheduleTime"], "2025-06-04T10:05:00Z");
}

TEST_F(SchedJobsTest, RestartOfBothControllersNeverCreatesTheSlotJobTwice) {
  go_to(T("2025-06-04T09:59:00Z"));
  std::vector<std::string> warnings;
  ASSERT_TRUE(ctl->apply(cron_doc("x", "*/5 * * * *"), warnings).ok());
  go_to(T("2025-06-04T10:00:00Z"));
  tick();
  ASSERT_EQ(rt->launches().size(), 1u);
  close();
  go_to(T("2025-06-04T10:01:00Z"));
  open();
  tick();
  auto list = jobs->list();
  EXPECT_EQ(list["items"].size(), 1u);
  auto cj = ctl->get("CronJob", "x");
  ASSERT_TRUE(cj.ok());
  EXPECT_EQ((*cj)["status"]["runs"].size(), 1u);
  EXPECT_EQ((*cj)["status"]["lastScheduleTime"], "2025-06-04T10:00:00Z");
}

// What a store holds of one slot of CronJob x (P-S1's crash points).
struct SlotOnDisk {
  json run;                  // the slot record, null when absent
  bool job = false;          // the slot's Job record
  size_t attempts = 0;       // attempt records of that Job
  int64_t last_schedule = 0; // the CronJob's lastScheduleTime
};
SlotOnDisk slot_on_disk(const std::vector<RecordRow>& rows, const std::string& slot_key, const std::string& job) {
  SlotOnDisk d;
  for (const RecordRow& r : rows) {
    if (r.kind == "slot" && r.key == slot_key) d.run = json::parse(r.value);
    if (r.kind == "job" && r.key == job) d.job = true;
    if (r.kind == "task" && json::parse(r.value).value("ownerName", "") == job) d.attempts++;
    if (r.kind == "cronjob" && r.key == "x")
      d.last_schedule = json::parse(r.value)["state"].value("lastScheduleMs", int64_t{0});
  }
  return d;
}

// P-S1 at every crash point of a slot's firing, over the real JobController: the slot
// record (Started, naming its Job), lastScheduleTime, the Job and its first attempt
// reach the store in one commit (before it none of them, from it on all of them); the
// attempt's launch is asked for only once that commit is durable; and ebb restarted
// from the store as left by any commit runs the slot exactly once: from a state before
// the commit the slot is undecided and the §4.3 rules decide it again (it runs 10 s
// late; with startingDeadlineSeconds 5 it is Missed(DeadlineExceeded) and nothing
// runs), from a later state the slot's one Job is its run and nothing is created.
TEST_F(SchedJobsTest, EveryCrashPointOfASlotLeavesItUndecidedOrWithItsOneJob) {
  for (const bool deadline : {false, true}) {
    SCOPED_TRACE(deadline ? "startingDeadlineSeconds 5" : "no deadline");
    close();
    store.replace({});
    go_to(T("2025-06-04T09:59:00Z") + (deadline ? 86'400'000 : 0));
    open();
    json doc = cron_doc("x", "*/5 * * * *");
    if (deadline) doc["spec"]["startingDeadlineSeconds"] = 5;
    std::vector<std::string> warnings;
    ASSERT_TRUE(ctl->apply(doc, warnings).ok());
    tick();
    const int64_t slot = T("2025-06-04T10:00:00Z") + (deadline ? 86'400'000 : 0);
    const std::string key = "cronjob/x/" + std::to_string(slot), job = run_name("x", slot);
    const size_t first = store.snapshot_count() - 1;  // the store before the slot
    std::vector<RecordRow> at_launch;
    rt->on_launch = [&](const runtime::LaunchSpec&) { at_launch = store.load_records(); };
    go_to(slot);
    tick();
    ASSERT_EQ(rt->launches().size(), 1u);
    rt->on_launch = nullptr;

    // Durable before the launch: the slot decided (Started, its Job), its Job and attempt.
    const SlotOnDisk l = slot_on_disk(at_launch, key, job);
    ASSERT_TRUE(l.run.is_object());
    EXPECT_EQ(l.run["outcome"], "Started");
    EXPECT_EQ(l.run["job"], job);
    EXPECT_TRUE(l.job);
    EXPECT_EQ(l.attempts, 1u);
    EXPECT_EQ(l.last_schedule, slot);

    const auto snaps = store.snapshots();
    size_t decided_at = 0;
    for (size_t i = first; i < snaps.size(); ++i) {
      const SlotOnDisk d = slot_on_disk(snaps[i], key, job);
      SCOPED_TRACE("state after commit " + std::to_string(i - first) + " of the slot");
      const bool decided = d.run.is_object();
      // One commit: never the slot without its Job and attempt, nor a Job without its slot.
      EXPECT_EQ(d.job, decided);
      EXPECT_EQ(d.attempts, decided ? 1u : 0u);
      EXPECT_EQ(d.last_schedule, decided ? slot : 0);
      if (decided) {
        EXPECT_EQ(d.run["outcome"], "Started");
        EXPECT_EQ(d.run["job"], job);
        if (!decided_at) decided_at = i;
      } else {
        EXPECT_EQ(decided_at, 0u) << "a decided slot became undecided";
      }
    }
    ASSERT_GT(decided_at, first);

    for (size_t i = first; i < snaps.size(); ++i) {
      SCOPED_TRACE("restart from the state after commit " + std::to_string(i - first) + " of the slot");
      const bool decided = i >= decided_at;
      close();
      store.replace(snaps[i]);
      go_to(slot + 10'000);
      open();
      tick();
      tick();
      const SlotOnDisk d = slot_on_disk(store.load_records(), key, job);
      auto cj = ctl->get("CronJob", "x");
      ASSERT_TRUE(cj.ok());
      const json runs = (*cj)["status"]["runs"];
      ASSERT_EQ(runs.size(), 1u) << runs.dump();
      if (!decided && deadline) {
        // §4.3 step 4: 10 s late > 5 s → Missed, nothing runs.
        EXPECT_EQ(runs[0]["outcome"], "Missed");
        EXPECT_EQ(runs[0]["reason"], "DeadlineExceeded");
        EXPECT_FALSE(d.job);
        EXPECT_EQ(rt->launch_count(), 0u);
        EXPECT_EQ(jobs->list()["items"].size(), 0u);
        continue;
      }
      EXPECT_EQ(runs[0]["outcome"], "Started");
      EXPECT_EQ(runs[0]["job"], job);
      // Undecided: created now, 10 s late. Decided: the Job from before the crash
      // (its attempt is the JobController's to re-adopt or retry, reliability.md §2.7).
      EXPECT_EQ(runs[0]["latenessMs"], decided ? 0 : 10'000);
      EXPECT_TRUE(d.job);
      EXPECT_EQ(jobs->list()["items"].size(), 1u);
      if (!decided) {
        EXPECT_EQ(d.attempts, 1u);
        EXPECT_EQ(rt->launch_count(), 1u);
      }
    }
  }
}

TEST_F(SchedJobsTest, RealExpressionHonoursTheTimeZone) {
  go_to(T("2025-03-08T12:00:00Z"));
  json doc = cron_doc("ny", "30 2 * * *");
  doc["spec"]["timeZone"] = "America/New_York";
  std::vector<std::string> warnings;
  ASSERT_TRUE(ctl->apply(doc, warnings).ok());
  auto cj = ctl->get("CronJob", "ny");
  ASSERT_TRUE(cj.ok());
  EXPECT_EQ((*cj)["status"]["nextScheduleTime"], "2025-03-09T07:00:00Z");  // §9.3 Z1: 03:00 EDT
}

}  // namespace
}  // namespace ebb::sched::testing

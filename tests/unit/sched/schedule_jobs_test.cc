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

class SchedJobsTest : public ::testing::Test {
 protected:
  FakeClock clock;
  MemStore store;
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

// ScheduleController at the controller level (scheduling.md §4, §5, §7, §8; §9.4,
// §9.6, §9.7, §9.10; reliability.md P-S1–P-S4): FakeClock, MemStore + Committer, the
// real Engine, a FakeJobStarter and the table SlotsFactory of schedule_harness.h.
#include "schedule_harness.h"

namespace ebb::sched::testing {
namespace {

// ---------------------------------------------------------------------------------
// §9.4 rate / at / flexible windows; launch precision

TEST_F(SchedTest, R1RateRunsAtCreationThenEveryPeriod) {
  go_to(T("2025-06-04T10:03:27Z"));
  apply(schedule("r1", "rate(5 minutes)", task_target()), "created");
  tick();
  ASSERT_EQ(jobs->created.size(), 1u);
  jobs->finish(jobs->created[0], true);
  EXPECT_EQ(tick(), T("2025-06-04T10:08:00Z"));  // tick answers the next slot exactly
  json r = run_at("Schedule", "r1", T("2025-06-04T10:03:00Z"));
  EXPECT_EQ(r["latenessMs"], 27'000);
  EXPECT_EQ(r["outcome"], "Succeeded");
  run_until(T("2025-06-04T10:13:00Z"));
  EXPECT_EQ(jobs->created.size(), 3u);
  EXPECT_EQ(run_at("Schedule", "r1", T("2025-06-04T10:13:00Z"))["latenessMs"], 0);
  // A one-off Job per slot: completions 1, backoffLimit 0, EBB_* variables (§4.1).
  const FakeJob& j = jobs->jobs.at(jobs->created[0]);
  EXPECT_EQ(j.s.owner, "schedule/r1");
  EXPECT_EQ(j.spec["backoffLimit"], 0);
  EXPECT_EQ(j.spec["completions"], 1);
  json env = j.spec["template"]["spec"]["containers"][0]["env"];
  EXPECT_EQ(env[0]["name"], "EBB_SCHEDULED_TIME");
  EXPECT_EQ(env[0]["value"], "2025-06-04T10:03:00Z");
  EXPECT_EQ(j.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"], "2025-06-04T10:03:00Z");
}

TEST_F(SchedTest, R2StartDateAnchorsTheRate) {
  go_to(T("2025-06-04T10:03:00Z"));
  apply(schedule("r2", "rate(1 hour)", task_target(), {{"startDate", "2025-06-04T12:00:00Z"}}));
  EXPECT_EQ(tick(), T("2025-06-04T12:00:00Z"));
  EXPECT_TRUE(jobs->created.empty());
  run_until(T("2025-06-04T13:00:00Z"));
  EXPECT_EQ(jobs->created.size(), 2u);
  EXPECT_EQ(get("Schedule", "r2")["status"]["lastScheduleTime"], "2025-06-04T13:00:00Z");
}

TEST_F(SchedTest, AtFiresOnceThenCompletes) {
  go_to(T("2025-12-24T10:00:00Z"));
  apply(schedule("a1", "at(2025-12-24T17:00:00)", task_target()));
  EXPECT_EQ(tick(), T("2025-12-24T17:00:00Z"));
  run_until(T("2025-12-25T17:00:00Z"));
  EXPECT_EQ(jobs->created.size(), 1u);
  json st = get("Schedule", "a1")["status"];
  EXPECT_EQ(st["state"], "Completed");
  EXPECT_TRUE(st["nextScheduleTime"].is_null());
  EXPECT_EQ(count_reason("Schedule", "a1", "Completed"), 1u);
}

TEST_F(SchedTest, AtInThePastNeedsAllowPast) {
  go_to(T("2025-06-04T10:00:00Z"));
  std::vector<std::string> w;
  EXPECT_FALSE(ctl->apply(schedule("a2", "at(2024-01-01T00:00:00)", task_target()), w).ok());
  apply(schedule("a2", "at(2024-01-01T00:00:00)", task_target(), {{"allowPast", true}}));
  tick();
  EXPECT_EQ(jobs->created.size(), 1u);  // runs once at creation
  run_until(T("2025-06-05T10:00:00Z"));
  EXPECT_EQ(jobs->created.size(), 1u);
}

TEST_F(SchedTest, F1FlexibleWindowLaunchesAtTheDeterministicOffset) {
  go_to(T("2025-06-04T12:00:00Z"));
  apply(schedule("nightly-report", "cron(0 2 * * ? *)", task_target(), {{"flexibleTimeWindow", {{"maximumWindowMinutes", 15}}}}));
  EXPECT_EQ(get("Schedule", "nightly-report")["status"]["nextLaunchTime"], "2025-06-05T02:09:54Z");
  EXPECT_EQ(tick(), T("2025-06-05T02:09:54Z"));
  run_until(T("2025-06-06T03:00:00Z"));
  json r1 = run_at("Schedule", "nightly-report", T("2025-06-05T02:00:00Z"));
  json r2 = run_at("Schedule", "nightly-report", T("2025-06-06T02:00:00Z"));
  EXPECT_EQ(r1["start"], "2025-06-05T02:09:54.000Z");
  EXPECT_EQ(r1["latenessMs"], 594'000);
  EXPECT_EQ(r2["start"], "2025-06-06T02:14:21.000Z");
}

TEST_F(SchedTest, TickMapsTheWallSlotToMonotonicTimeWithTheCurrentOffset) {
  go_to(T("2025-06-04T10:00:30Z"));
  apply(cronjob("p", "*/5 * * * *"));
  MonoTime a = ctl->tick();
  EXPECT_EQ(a - clock.mono_now(), Millis{270'000});  // 10:05:00 − 10:00:30
  clock.step_wall(Millis{60'000});                  // NTP steps the wall clock forward 1 min
  MonoTime b = ctl->tick();
  EXPECT_EQ(b - clock.mono_now(), Millis{210'000});
}

// ---------------------------------------------------------------------------------
// §9.6 misfires

class Misfire : public SchedTest {
 protected:
  // M1 setup: "*/5", last run 10:00, ebb down 10:02:00–10:17:30.
  void down_from_10_02(json extra = json::object()) {
    go_to(T("2025-06-04T09:58:00Z"));
    apply(cronjob("m", "*/5 * * * *", std::move(extra)));
    run_until(T("2025-06-04T10:02:00Z"));
    ASSERT_EQ(jobs->created.size(), 1u);
    auto kept = take_jobs();
    close();
    go_to(T("2025-06-04T10:17:30Z"));
    open(std::move(kept));
  }
};

TEST_F(Misfire, M1OnlyTheLatestMissedSlotRuns) {
  down_from_10_02();
  tick();
  ASSERT_EQ(jobs->created.size(), 1u);  // created since the restart
  EXPECT_EQ(jobs->created[0], run_name("m", T("2025-06-04T10:15:00Z")));
  json r = run_at("CronJob", "m", T("2025-06-04T10:15:00Z"));
  EXPECT_EQ(r["outcome"], "Started");
  EXPECT_EQ(r["latenessMs"], 150'000);
  for (const char* s : {"2025-06-04T10:05:00Z", "2025-06-04T10:10:00Z"}) {
    json m = run_at("CronJob", "m", T(s));
    EXPECT_EQ(m["outcome"], "Missed") << s;
    EXPECT_EQ(m["reason"], "Superseded") << s;
  }
  EXPECT_EQ(get("CronJob", "m")["status"]["nextScheduleTime"], "2025-06-04T10:20:00Z");
}

TEST_F(Misfire, M2toM4StartingDeadline) {
  for (auto [deadline, runs] : {std::pair<int, bool>{120, false}, {150, true}, {149, false}}) {
    SCOPED_TRACE(deadline);
    close();
    store = std::make_unique<MemStore>();
    clock = FakeClock{};
    open();
    down_from_10_02({{"startingDeadlineSeconds", deadline}});
    tick();
    EXPECT_EQ(jobs->created.size(), runs ? 1u : 0u);
    json r = run_at("CronJob", "m", T("2025-06-04T10:15:00Z"));
    EXPECT_EQ(r["outcome"], runs ? "Started" : "Missed");
    if (!runs) {
      EXPECT_EQ(r["reason"], "DeadlineExceeded");
    }
    EXPECT_EQ(run_at("CronJob", "m", T("2025-06-04T10:05:00Z"))["reason"], "Superseded");
  }
}

TEST_F(SchedTest, M5FiveDaysDownIsOneEventAndTheCronJobKeepsWorking) {
  go_to(T("2025-06-01T00:30:00Z"));
  apply(cronjob("h", "0 * * * *"));
  run_until(T("2025-06-01T01:30:00Z"));
  ASSERT_EQ(jobs->created.size(), 1u);
  restart();
  go_to(T("2025-06-06T01:30:00Z"));
  tick();
  EXPECT_EQ(jobs->created.size(), 1u);  // since the restart
  EXPECT_EQ(run_at("CronJob", "h", T("2025-06-06T01:00:00Z"))["outcome"], "Started");
  EXPECT_EQ(count_reason("CronJob", "h", "MissedSchedules"), 1u);
  run_until(T("2025-06-06T03:30:00Z"));
  EXPECT_EQ(jobs->created.size(), 3u);
}

TEST_F(SchedTest, M6NothingBeforeCreation) {
  go_to(T("2025-06-04T10:07:30Z"));
  apply(cronjob("m6", "*/5 * * * *"));
  EXPECT_EQ(tick(), T("2025-06-04T10:10:00Z"));
  EXPECT_TRUE(jobs->created.empty());
}

TEST_F(SchedTest, M7EditingTheScheduleNeverRunsRetroactively) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("m7", "0 * * * *"));
  run_until(T("2025-06-04T10:07:00Z"));
  ASSERT_EQ(jobs->created.size(), 1u);
  jobs->finish(jobs->created[0], true);
  apply(cronjob("m7", "*/5 * * * *"), "configured");
  EXPECT_EQ(tick(), T("2025-06-04T10:10:00Z"));
  EXPECT_EQ(jobs->created.size(), 1u);  // no run for 10:05
  run_until(T("2025-06-04T10:10:00Z"));
  EXPECT_EQ(jobs->created.size(), 2u);
}

TEST_F(SchedTest, M8SuspendThenResumeRunsTheLatestMissedSlot) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("m8", "*/10 * * * *"));
  run_until(T("2025-06-04T10:02:00Z"));
  ASSERT_EQ(jobs->created.size(), 1u);
  ASSERT_TRUE(ctl->set_suspended("CronJob", "m8", true).ok());
  run_until(T("2025-06-04T10:31:00Z"));
  EXPECT_EQ(jobs->created.size(), 1u);  // P-S4: nothing while suspended
  jobs->finish(jobs->created[0], true);
  ASSERT_TRUE(ctl->set_suspended("CronJob", "m8", false).ok());
  tick();
  EXPECT_EQ(jobs->created.size(), 2u);
  EXPECT_EQ(get("CronJob", "m8")["status"]["nextScheduleTime"], "2025-06-04T10:40:00Z");
  EXPECT_EQ(run_at("CronJob", "m8", T("2025-06-04T10:30:00Z"))["latenessMs"], 60'000);
  EXPECT_EQ(run_at("CronJob", "m8", T("2025-06-04T10:10:00Z"))["outcome"], "Missed");
  EXPECT_EQ(run_at("CronJob", "m8", T("2025-06-04T10:20:00Z"))["reason"], "Suspended");
  EXPECT_EQ(count_reason("CronJob", "m8", "Resumed"), 1u);
}

TEST_F(SchedTest, M9SuspendWithDeadlineRunsNothingAtResume) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("m9", "*/10 * * * *", {{"startingDeadlineSeconds", 30}}));
  run_until(T("2025-06-04T10:02:00Z"));
  ASSERT_TRUE(ctl->set_suspended("CronJob", "m9", true).ok());
  run_until(T("2025-06-04T10:31:00Z"));
  ASSERT_TRUE(ctl->set_suspended("CronJob", "m9", false).ok());
  tick();
  EXPECT_EQ(jobs->created.size(), 1u);
  EXPECT_EQ(run_at("CronJob", "m9", T("2025-06-04T10:30:00Z"))["reason"], "DeadlineExceeded");
}

TEST_F(SchedTest, M10ForwardClockJumpIsDowntimeWithAnEvent) {
  go_to(T("2025-06-04T01:00:00Z"));
  apply(cronjob("m10", "0 2 * * *"));
  EXPECT_EQ(tick(), T("2025-06-04T02:00:00Z"));
  go_to(T("2025-06-04T01:30:00Z"));
  tick();
  clock.step_wall(Millis{2 * 3'600'000});  // 01:30 → 03:30
  tick();
  ASSERT_EQ(jobs->created.size(), 1u);
  EXPECT_EQ(run_at("CronJob", "m10", T("2025-06-04T02:00:00Z"))["latenessMs"], 5'400'000);
  EXPECT_EQ(count_reason("CronJob", "m10", "ClockJump"), 1u);
}

TEST_F(SchedTest, BackwardClockStepDoesNotRerunASlot) {
  go_to(T("2025-06-04T00:00:30Z"));
  apply(cronjob("b", "0 * * * *"));
  run_until(T("2025-06-04T10:00:30Z"));
  EXPECT_EQ(jobs->created.size(), 10u);
  clock.step_wall(Millis{-3'600'000});  // 10:00:30 becomes 09:00:30
  run_until(T("2025-06-04T11:00:30Z"));  // sees 10:00 again (P-S1: no rerun), then 11:00
  EXPECT_EQ(jobs->created.size(), 11u);
}

// ---------------------------------------------------------------------------------
// §9.7 concurrency

TEST_F(SchedTest, C1AllowOverlaps) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("c1", "*/5 * * * *"));
  run_until(T("2025-06-04T10:10:00Z"));
  EXPECT_EQ(jobs->created.size(), 3u);
  EXPECT_EQ(get("CronJob", "c1")["status"]["active"].size(), 3u);
}

TEST_F(SchedTest, C2ForbidDefersThenRunsTheLatestWhenTheRunEnds) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("c2", "*/5 * * * *", {{"concurrencyPolicy", "Forbid"}}));
  run_until(T("2025-06-04T10:05:00Z"));
  ASSERT_EQ(jobs->created.size(), 1u);
  EXPECT_EQ(run_at("CronJob", "c2", T("2025-06-04T10:05:00Z"))["outcome"], "Deferred");
  run_until(T("2025-06-04T10:12:00Z"));
  EXPECT_EQ(jobs->created.size(), 1u);
  jobs->finish(jobs->created[0], true);
  tick();
  ASSERT_EQ(jobs->created.size(), 2u);
  EXPECT_EQ(jobs->created[1], run_name("c2", T("2025-06-04T10:10:00Z")));
  EXPECT_EQ(run_at("CronJob", "c2", T("2025-06-04T10:10:00Z"))["latenessMs"], 120'000);
  json m = run_at("CronJob", "c2", T("2025-06-04T10:05:00Z"));
  EXPECT_EQ(m["outcome"], "Missed");
  EXPECT_EQ(m["reason"], "ConcurrencyForbid");
  EXPECT_EQ(run_at("CronJob", "c2", T("2025-06-04T10:00:00Z"))["outcome"], "Succeeded");
  jobs->finish(jobs->created[1], true);
  run_until(T("2025-06-04T10:15:00Z"));
  EXPECT_EQ(run_at("CronJob", "c2", T("2025-06-04T10:15:00Z"))["latenessMs"], 0);
}

TEST_F(SchedTest, C3ForbidWithDeadline) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("c3", "*/5 * * * *", {{"concurrencyPolicy", "Forbid"}, {"startingDeadlineSeconds", 60}}));
  run_until(T("2025-06-04T10:12:00Z"));
  jobs->finish(jobs->created[0], true);
  tick();
  EXPECT_EQ(jobs->created.size(), 1u);
  EXPECT_EQ(run_at("CronJob", "c3", T("2025-06-04T10:05:00Z"))["outcome"], "Missed");
  EXPECT_EQ(run_at("CronJob", "c3", T("2025-06-04T10:10:00Z"))["outcome"], "Missed");
  run_until(T("2025-06-04T10:15:00Z"));
  EXPECT_EQ(jobs->created.size(), 2u);
}

TEST_F(SchedTest, C4ReplaceStartsTheNewRunOnceTheOldIsGone) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("c4", "*/5 * * * *", {{"concurrencyPolicy", "Replace"}}));
  run_until(T("2025-06-04T10:05:00Z"));
  ASSERT_EQ(jobs->created.size(), 1u);  // the new run waits
  EXPECT_EQ(jobs->suspended_jobs, std::vector<std::string>{jobs->created[0]});
  json old = run_at("CronJob", "c4", T("2025-06-04T10:00:00Z"));
  EXPECT_EQ(old["outcome"], "Failed");
  EXPECT_EQ(old["reason"], "Replaced");
  go_to(T("2025-06-04T10:05:03Z"));
  jobs->processes_gone(jobs->created[0]);
  tick();
  ASSERT_EQ(jobs->created.size(), 2u);
  EXPECT_EQ(run_at("CronJob", "c4", T("2025-06-04T10:05:00Z"))["latenessMs"], 3'000);
}

TEST_F(SchedTest, C6ForbidHoldsAcrossARestart) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("c6", "*/5 * * * *", {{"concurrencyPolicy", "Forbid"}}));
  run_until(T("2025-06-04T10:01:00Z"));
  restart();
  go_to(T("2025-06-04T10:06:00Z"));
  tick();
  EXPECT_EQ(jobs->created.size(), 0u);  // the restarted starter only knows the old Job
  EXPECT_EQ(jobs->jobs.size(), 1u);
  EXPECT_EQ(run_at("CronJob", "c6", T("2025-06-04T10:05:00Z"))["outcome"], "Deferred");
}

// ---------------------------------------------------------------------------------
// §9.10 history

TEST_F(SchedTest, H1HistoryLimitsKeepThreeSucceededAndOneFailed) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("h1", "*/5 * * * *"));
  for (int i = 0; i < 7; ++i) {
    run_until(T("2025-06-04T10:00:00Z") + i * 300'000 + 60'000);
    jobs->finish(jobs->created.back(), i < 5);
  }
  tick();
  std::vector<std::string> left = jobs->names();
  ASSERT_EQ(left.size(), 4u);
  EXPECT_EQ(left, (std::vector<std::string>{jobs->created[2], jobs->created[3], jobs->created[4], jobs->created[6]}));
}

TEST_F(SchedTest, H2LimitZeroDeletesAtOnce) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("h2", "*/5 * * * *", {{"successfulJobsHistoryLimit", 0}}));
  run_until(T("2025-06-04T10:01:00Z"));
  jobs->finish(jobs->created[0], true);
  tick();
  EXPECT_TRUE(jobs->names().empty());
  EXPECT_EQ(run_at("CronJob", "h2", T("2025-06-04T10:00:00Z"))["outcome"], "Succeeded");
  EXPECT_FALSE(get("CronJob", "h2")["status"]["lastSuccessfulTime"].is_null());
}

TEST_F(SchedTest, H3ReplacedRunsCountAsFailed) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("h3", "*/5 * * * *", {{"concurrencyPolicy", "Replace"}}));
  for (int i = 1; i <= 2; ++i) {
    run_until(T("2025-06-04T10:00:00Z") + i * 300'000);
    jobs->processes_gone(jobs->created.back());
    tick();
  }
  ASSERT_EQ(jobs->created.size(), 3u);
  EXPECT_EQ(jobs->names(), (std::vector<std::string>{jobs->created[1], jobs->created[2]}));
}

// ---------------------------------------------------------------------------------
// P-S1 across crashes

TEST_F(SchedTest, ASlotIsNeverRunTwiceAcrossACrash) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("x", "*/5 * * * *"));
  // Snapshot the store as the Job is being created. The slot record, lastScheduleTime
  // and the Job commit in one transaction (the JobStarter's `with`), so a crash before
  // it leaves nothing of the slot: no record, no Job.
  std::vector<RecordRow> at_create;
  jobs->on_create = [&](const std::string&) { at_create = store->load_records(); };
  run_until(T("2025-06-04T10:00:00Z"));
  ASSERT_EQ(jobs->created.size(), 1u);
  ASSERT_FALSE(at_create.empty());
  jobs->on_create = nullptr;
  const std::string job = jobs->created[0];
  auto slot_run = [](const std::vector<RecordRow>& rows) {
    for (auto& r : rows)
      if (r.kind == "slot") return json::parse(r.value);
    return json();
  };
  auto last_schedule = [](const std::vector<RecordRow>& rows) {
    for (auto& r : rows)
      if (r.kind == "cronjob") return json::parse(r.value)["state"].value("lastScheduleMs", int64_t{0});
    return int64_t{-1};
  };
  EXPECT_TRUE(slot_run(at_create).is_null());
  EXPECT_EQ(last_schedule(at_create), 0);
  const std::vector<RecordRow> after = store->load_records();
  EXPECT_EQ(slot_run(after)["outcome"], "Started");
  EXPECT_EQ(slot_run(after)["job"], job);
  EXPECT_EQ(last_schedule(after), T("2025-06-04T10:00:00Z"));

  auto reopen_from = [&](const std::vector<RecordRow>& rows, bool job_exists) {
    auto kept = std::make_unique<FakeJobStarter>(clock);
    if (job_exists) kept->jobs = jobs->jobs;
    close();
    store = std::make_unique<MemStore>();
    std::vector<StoreOp> ops;
    for (auto& r : rows) ops.push_back(op::PutRecord{r.kind, r.key, r.value});
    store->commit(ops);
    open(std::move(kept));
  };

  // Crash before the commit: the slot is undecided; the restart decides it again by
  // §4.3 (the latest missed slot, no deadline) and creates the Job once.
  reopen_from(at_create, false);
  go_to(T("2025-06-04T10:00:10Z"));
  tick();
  EXPECT_EQ(jobs->created, std::vector<std::string>{job});
  tick();
  EXPECT_EQ(jobs->created.size(), 1u);
  EXPECT_EQ(run_at("CronJob", "x", T("2025-06-04T10:00:00Z"))["outcome"], "Started");
  EXPECT_EQ(run_at("CronJob", "x", T("2025-06-04T10:00:00Z"))["latenessMs"], 10'000);

  // A store written by an earlier version, which committed the claim alone before
  // creating the Job: a crash after the Job was created but before the run was
  // recorded → adopted; before the Job existed → created once.
  std::vector<RecordRow> claimed = after;
  for (auto& r : claimed)
    if (r.kind == "slot") r.value = json{{"slotMs", T("2025-06-04T10:00:00Z")}, {"outcome", "Claimed"}, {"job", job}}.dump();
  reopen_from(claimed, true);
  tick();
  EXPECT_TRUE(jobs->created.empty());
  EXPECT_EQ(run_at("CronJob", "x", T("2025-06-04T10:00:00Z"))["job"], job);
  EXPECT_EQ(run_at("CronJob", "x", T("2025-06-04T10:00:00Z"))["outcome"], "Started");
  reopen_from(claimed, false);
  tick();
  EXPECT_EQ(jobs->created, std::vector<std::string>{job});
  tick();
  EXPECT_EQ(jobs->created.size(), 1u);

  // Crash after the commit: nothing to do for the slot.
  reopen_from(after, true);
  tick();
  EXPECT_TRUE(jobs->created.empty());
  run_until(T("2025-06-04T10:05:00Z"));
  EXPECT_EQ(jobs->created.size(), 1u);  // the next slot only
}

// ---------------------------------------------------------------------------------
// Queue targets, retries and the dead-letter queue (§4.5, §8)

TEST_F(SchedTest, QueueTargetSendsTheMessageWithScheduleAttributes) {
  create_queue("q");
  go_to(T("2025-06-04T10:00:00Z"));
  apply(schedule("sweep", "rate(1 hour)",
                 {{"queue", "q"},
                  {"message", {{"body", "{\"type\":\"sweep\"}"},
                               {"attributes", {{"source", {{"dataType", "String"}, {"stringValue", "scheduler"}}}}}}}}));
  tick();
  auto msgs = engine->peek("q", 10);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 1u);
  const Delivered& m = (*msgs)[0];
  EXPECT_EQ(m.body, "{\"type\":\"sweep\"}");
  std::map<std::string, std::string> attrs;
  for (auto& a : m.attrs) attrs[a.name] = a.value;
  EXPECT_EQ(attrs["source"], "scheduler");
  EXPECT_EQ(attrs["ebb.schedule"], "sweep");
  EXPECT_EQ(attrs["ebb.scheduledTime"], "2025-06-04T10:00:00Z");
  json r = run_at("Schedule", "sweep", T("2025-06-04T10:00:00Z"));
  EXPECT_EQ(r["outcome"], "Sent");
  EXPECT_EQ(r["messageId"], m.message_id);
  // A restart sends nothing again for the slot.
  restart();
  tick();
  EXPECT_EQ(engine->peek("q", 10)->size(), 1u);
}

TEST_F(SchedTest, MissingQueueIsRetriedThenDeadLettered) {
  create_queue("dlq");
  go_to(T("2025-06-04T10:00:00Z"));
  apply(schedule("s", "rate(1 hour)", {{"queue", "missing"}, {"message", "x"}},
                 {{"retryPolicy", {{"maximumRetryAttempts", 2}, {"maximumEventAgeSeconds", 3600}}},
                  {"deadLetterQueue", "dlq"}}));
  const int64_t first_retry = tick();
  EXPECT_GT(first_retry, clock.now_ms());
  EXPECT_LE(first_retry, clock.now_ms() + 1200);
  EXPECT_EQ(run_at("Schedule", "s", T("2025-06-04T10:00:00Z"))["outcome"], "Pending");
  run_until(T("2025-06-04T10:00:30Z"));
  json r = run_at("Schedule", "s", T("2025-06-04T10:00:00Z"));
  EXPECT_EQ(r["outcome"], "DeadLettered");
  EXPECT_EQ(r["launchAttempts"], 3);
  auto msgs = engine->peek("dlq", 10);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 1u);
  json body = json::parse((*msgs)[0].body);
  EXPECT_EQ(body["version"], "1");
  EXPECT_EQ(body["schedule"], "s");
  EXPECT_EQ(body["slot"], "2025-06-04T10:00:00Z");
  EXPECT_EQ(body["attempts"], 3);
  EXPECT_EQ(body["errorCode"], "TARGET_MISSING");
  EXPECT_EQ(body["exhaustedRetryCondition"], "MaximumRetryAttempts");
  EXPECT_EQ(body["target"]["queue"], "missing");
  std::map<std::string, std::string> attrs;
  for (auto& a : (*msgs)[0].attrs) attrs[a.name] = a.value;
  EXPECT_EQ(attrs["RETRY_ATTEMPTS"], "3");
  EXPECT_EQ(attrs["ERROR_CODE"], "TARGET_MISSING");
  EXPECT_EQ(attrs["EXHAUSTED_RETRY_CONDITION"], "MaximumRetryAttempts");
}

TEST_F(SchedTest, RetrySucceedsOnceTheQueueExists) {
  go_to(T("2025-06-04T10:00:00Z"));
  apply(schedule("s", "rate(1 hour)", {{"queue", "late"}, {"message", "x"}}));
  tick();
  create_queue("late");
  run_until(T("2025-06-04T10:00:10Z"));
  json r = run_at("Schedule", "s", T("2025-06-04T10:00:00Z"));
  EXPECT_EQ(r["outcome"], "Sent");
  EXPECT_EQ(engine->peek("late", 10)->size(), 1u);
}

TEST_F(SchedTest, WithoutDeadLetterQueueTheSlotIsMissedLaunchFailed) {
  go_to(T("2025-06-04T10:00:00Z"));
  apply(schedule("s", "rate(1 hour)", {{"queue", "missing"}, {"message", "x"}},
                 {{"retryPolicy", {{"maximumRetryAttempts", 0}}}}));
  tick();
  json r = run_at("Schedule", "s", T("2025-06-04T10:00:00Z"));
  EXPECT_EQ(r["outcome"], "Missed");
  EXPECT_EQ(r["reason"], "LaunchFailed");
  EXPECT_GE(count_reason("Schedule", "s", "LaunchFailed"), 1u);
}

TEST_F(SchedTest, InvalidJobSpecIsNotRetried) {
  go_to(T("2025-06-04T10:00:00Z"));
  jobs->fail_with = Error{Code::Invalid, "template: bad"};
  apply(schedule("s", "rate(1 hour)", task_target()));
  tick();
  json r = run_at("Schedule", "s", T("2025-06-04T10:00:00Z"));
  EXPECT_EQ(r["outcome"], "Missed");
  EXPECT_EQ(r["launchAttempts"], 1);
}

// ---------------------------------------------------------------------------------
// trigger, create_job_from, views, remove

TEST_F(SchedTest, TriggerFiresTheTargetNowAsAManualRun) {
  go_to(T("2025-06-04T10:30:00Z"));
  apply(schedule("t", "cron(0 2 * * ? *)", task_target()));
  tick();
  EXPECT_TRUE(jobs->created.empty());
  ASSERT_TRUE(ctl->trigger("t").ok());
  settle();
  ASSERT_EQ(jobs->created.size(), 1u);
  EXPECT_EQ(jobs->created[0].rfind("t-manual-", 0), 0u);
  json rs = runs("Schedule", "t");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0]["manual"], true);
  EXPECT_EQ(rs[0]["outcome"], "Started");
  EXPECT_TRUE(get("Schedule", "t")["status"]["lastScheduleTime"].is_null());  // not a slot
  EXPECT_FALSE(ctl->trigger("nope").ok());
}

TEST_F(SchedTest, CreateJobFromCronJob) {
  go_to(T("2025-06-04T10:30:00Z"));
  apply(cronjob("cj", "0 2 * * *"));
  ASSERT_TRUE(ctl->create_job_from("cj", "manual-1").ok());
  ASSERT_EQ(jobs->created, std::vector<std::string>{"manual-1"});
  const FakeJob& j = jobs->jobs.at("manual-1");
  EXPECT_EQ(j.s.owner, "cronjob/cj");
  EXPECT_EQ(j.annotations["cronjob.kubernetes.io/instantiate"], "manual");
  EXPECT_EQ(get("CronJob", "cj")["status"]["active"][0]["name"], "manual-1");
  EXPECT_EQ(ctl->create_job_from("nope", "m").error().code, Code::NotFound);
}

TEST_F(SchedTest, ViewsListStatusAndEventsSurviveARestart) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("v", "*/5 * * * *"));
  apply(cronjob("v", "*/5 * * * *"), "unchanged");
  run_until(T("2025-06-04T10:01:00Z"));
  json st = get("CronJob", "v")["status"];
  EXPECT_EQ(st["lastScheduleTime"], "2025-06-04T10:00:00Z");
  EXPECT_EQ(st["nextScheduleTime"], "2025-06-04T10:05:00Z");
  EXPECT_TRUE(st["lastSuccessfulTime"].is_null());
  ASSERT_EQ(st["active"].size(), 1u);
  const size_t events = event_reasons("CronJob", "v").size();
  restart();
  json again = get("CronJob", "v")["status"];
  EXPECT_EQ(again["runs"], st["runs"]);
  EXPECT_EQ(event_reasons("CronJob", "v").size(), events);
  EXPECT_EQ(ctl->list("CronJob")["items"].size(), 1u);
  EXPECT_EQ(ctl->list("Schedule")["items"].size(), 0u);
  EXPECT_EQ(ctl->get("Schedule", "v").error().code, Code::NotFound);
}

TEST_F(SchedTest, RunsAreKeptToFiftyAndRemoveDeletesEverything) {
  go_to(T("2025-06-04T09:59:00Z"));
  apply(cronjob("k", "*/5 * * * *", {{"successfulJobsHistoryLimit", 0}}));
  for (int i = 0; i < 60; ++i) {
    run_until(T("2025-06-04T10:00:00Z") + i * 300'000 + 1'000);
    jobs->finish(jobs->created.back(), true);
  }
  tick();
  EXPECT_EQ(runs("CronJob", "k").size(), 50u);
  size_t slot_records = 0;
  for (auto& r : store->load_records()) slot_records += r.kind == "slot";
  EXPECT_EQ(slot_records, 50u);
  ASSERT_TRUE(ctl->remove("CronJob", "k").ok());
  settle();
  for (auto& r : store->load_records()) EXPECT_TRUE(r.kind == "queue" || r.kind.empty()) << r.kind << " " << r.key;
  EXPECT_EQ(ctl->remove("CronJob", "k").error().code, Code::NotFound);
}

TEST_F(SchedTest, ActionAfterCompletionDeleteKeepsTheRun) {
  go_to(T("2025-12-24T16:00:00Z"));
  apply(schedule("once", "at(2025-12-24T17:00:00)", task_target(), {{"actionAfterCompletion", "DELETE"}}));
  run_until(T("2025-12-24T17:00:00Z"));
  ASSERT_EQ(jobs->created.size(), 1u);
  EXPECT_TRUE(ctl->get("Schedule", "once").ok());  // its run is still active
  jobs->finish(jobs->created[0], true);
  tick();
  tick();
  EXPECT_EQ(ctl->get("Schedule", "once").error().code, Code::NotFound);
  EXPECT_EQ(jobs->names(), jobs->created);  // the Job stays (its own TTL applies)
}

TEST_F(SchedTest, ManyMissedSlotsWhileDeferredAreReportedOnce) {
  go_to(T("2025-06-01T00:30:00Z"));
  apply(cronjob("f", "*/5 * * * *", {{"concurrencyPolicy", "Forbid"}}));
  run_until(T("2025-06-01T00:35:30Z"));
  ASSERT_EQ(jobs->created.size(), 1u);  // 00:35, still running
  restart();
  go_to(T("2025-06-02T00:30:30Z"));
  for (int i = 0; i < 5; ++i) {
    tick();
    clock.advance(Millis{1000});
  }
  EXPECT_EQ(count_reason("CronJob", "f", "MissedSchedules"), 1u);
  EXPECT_EQ(run_at("CronJob", "f", T("2025-06-02T00:30:00Z"))["outcome"], "Deferred");
  EXPECT_EQ(get("CronJob", "f")["spec"].value("suspend", false), false);
  ASSERT_TRUE(ctl->set_suspended("CronJob", "f", true).ok());
  EXPECT_EQ(get("CronJob", "f")["spec"]["suspend"], true);
}

TEST_F(SchedTest, UnknownZoneIsRejectedOnApply) {
  std::vector<std::string> w;
  auto r = ctl->apply(cronjob("z", "*/5 * * * *", {{"timeZone", "Mars/Olympus"}}), w);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::Invalid);
}

}  // namespace
}  // namespace ebb::sched::testing

namespace ebb::sched::testing {
namespace {

TEST_F(SchedTest, ACronJobAndAScheduleOfOneNameAreRefusedTheirJobsWouldClash) {
  std::vector<std::string> w;
  ASSERT_TRUE(ctl->apply(cronjob("same", "*/5 * * * *"), w).ok());
  auto r = ctl->apply(schedule("same", "rate(5 minutes)", task_target()), w);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::Conflict);
  EXPECT_NE(r.error().message.find("metadata.name: a CronJob named same exists"), std::string::npos) << r.error().message;
  EXPECT_TRUE(ctl->apply(schedule("other", "rate(5 minutes)", task_target()), w).ok());
}

}  // namespace
}  // namespace ebb::sched::testing

// Pure helpers of the ScheduleController: FNV-1a and flexible windows (§9.4 F0–F2),
// launch-retry delays (§4.5), run names (§4.1), task → Job spec (§8), spec parsing,
// and plan_slots' misfire rule (§4.3, §9.6 M1–M5).
#include <gtest/gtest.h>

#include "sched/schedule_spec.h"
#include "sched/slot_plan.h"

namespace ebb::sched {
namespace {

using nlohmann::json;

int64_t T(const char* s) { return *parse_rfc3339(s); }

TEST(ScheduleSpec, Fnv1aSelfCheckF0) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
}

TEST(ScheduleSpec, FlexibleWindowOffsetsF1F2) {
  EXPECT_EQ(flexible_offset_s("nightly-report", T("2025-06-05T02:00:00Z"), 15), 594);
  EXPECT_EQ(flexible_offset_s("nightly-report", T("2025-06-06T02:00:00Z"), 15), 861);
  EXPECT_EQ(flexible_offset_s("s", T("2025-06-05T02:00:00Z"), 1), 49);
  EXPECT_EQ(flexible_offset_s("s", T("2025-06-05T02:00:00Z"), 0), 0);
}

TEST(ScheduleSpec, RetryDelayDoublesWithJitterAndCaps) {
  for (int64_t n = 1; n <= 12; ++n) {
    const int64_t base = std::min<int64_t>(int64_t{1000} << (n - 1), 300'000);
    const int64_t d = retry_delay_ms("x", 0, n);
    EXPECT_GE(d, base * 8 / 10) << n;
    EXPECT_LE(d, base * 12 / 10) << n;
    EXPECT_EQ(d, retry_delay_ms("x", 0, n));  // deterministic across restarts
  }
}

TEST(ScheduleSpec, RunNamesUseUnixMinutes) {
  EXPECT_EQ(run_name("hello", T("2025-06-04T10:05:00Z")), "hello-" + std::to_string(T("2025-06-04T10:05:00Z") / 60000));
  EXPECT_EQ(run_name("hello", 60'000 * 29'000'000LL + 59'999), "hello-29000000");
}

TEST(ScheduleSpec, Rfc3339RoundTrip) {
  EXPECT_EQ(rfc3339_s(T("2025-06-04T10:03:27Z")), "2025-06-04T10:03:27Z");
  EXPECT_EQ(T("2025-06-04T12:03:27+02:00"), T("2025-06-04T10:03:27Z"));
  EXPECT_EQ(T("2025-06-04T10:03:27.250Z") - T("2025-06-04T10:03:27Z"), 250);
  EXPECT_FALSE(parse_rfc3339("2025-02-30T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2025-06-04 10:03:27"));
}

TEST(ScheduleSpec, TaskTemplateBecomesAOneAttemptJob) {
  json t = {{"command", {"/bin/r"}}, {"args", {"-v"}}, {"env", {{{"name", "A"}, {"value", "1"}}}},
            {"workingDir", "/srv"}, {"resources", {{"cpu", "500m"}, {"memory", "1Gi"}}},
            {"timeoutSeconds", 900}, {"stopTimeoutSeconds", 10}};
  json j = task_to_job_spec(t, 2);
  EXPECT_EQ(j["completions"], 2);
  EXPECT_EQ(j["parallelism"], 2);
  EXPECT_EQ(j["backoffLimit"], 0);
  EXPECT_EQ(j["activeDeadlineSeconds"], 900);
  const json& pod = j["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never");
  EXPECT_EQ(pod["terminationGracePeriodSeconds"], 10);
  ASSERT_EQ(pod["containers"].size(), 1u);
  const json& c = pod["containers"][0];
  EXPECT_EQ(c["command"], json({"/bin/r"}));
  EXPECT_EQ(c["args"], json({"-v"}));
  EXPECT_EQ(c["workingDir"], "/srv");
  EXPECT_EQ(c["resources"]["limits"]["cpu"], "500m");
  EXPECT_EQ(c["env"][0]["name"], "A");
}

TEST(ScheduleSpec, ParsesScheduleDefaultsAndRejectsBadFields) {
  json doc = {{"apiVersion", "ebb/v1"}, {"kind", "Schedule"}, {"metadata", {{"name", "s"}}},
              {"spec", {{"expression", "rate(5 minutes)"}, {"target", {{"queue", "q"}, {"message", "hi"}}}}}};
  auto s = parse_schedule_spec(doc);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->time_zone, "UTC");
  EXPECT_EQ(s->dialect, Dialect::EventBridge);
  EXPECT_EQ(s->max_retry_attempts, 185);
  EXPECT_EQ(s->max_event_age_s, 86400);
  EXPECT_EQ(s->message_body, "hi");
  EXPECT_TRUE(s->queue_target());

  json bad = doc;
  bad["spec"]["deadLetterQueue"] = "d.fifo";
  EXPECT_FALSE(parse_schedule_spec(bad).ok());
  bad = doc;
  bad["spec"]["flexibleTimeWindow"] = {{"maximumWindowMinutes", 0}};
  EXPECT_FALSE(parse_schedule_spec(bad).ok());
  bad = doc;
  bad["spec"]["target"]["task"] = {{"command", {"x"}}};
  EXPECT_FALSE(parse_schedule_spec(bad).ok());  // two targets

  json cj = {{"apiVersion", "batch/v1"}, {"kind", "CronJob"}, {"metadata", {{"name", std::string(53, 'a')}}},
             {"spec", {{"schedule", "* * * * *"}, {"jobTemplate", {{"spec", json::object()}}}}}};
  EXPECT_FALSE(parse_schedule_spec(cj).ok());  // §7.1: ≤ 52 characters
  cj["metadata"]["name"] = "ok";
  auto c = parse_schedule_spec(cj);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->time_zone, "UTC");  // D3
  EXPECT_EQ(c->successful_history, 3);
  EXPECT_EQ(c->failed_history, 1);
  EXPECT_EQ(c->concurrency, Concurrency::Allow);
}

// ---- plan_slots (§4.3) over "*/5 * * * *" ----

PlanInput pin(int64_t after, int64_t now, std::optional<int64_t> deadline = std::nullopt) {
  PlanInput in;
  in.after_ms = after;
  in.now_ms = now;
  in.deadline_s = deadline;
  return in;
}

std::optional<int64_t> every5(int64_t after) {
  const int64_t p = 300'000;
  return (after >= 0 ? after / p + 1 : 0) * p;
}

TEST(SlotPlan, M1LatestRunsOthersSuperseded) {
  PlanInput in = pin(T("2025-06-04T10:00:00Z"), T("2025-06-04T10:17:30Z"));
  SlotPlan p = plan_slots(every5, in);
  ASSERT_EQ(p.run.size(), 1u);
  EXPECT_EQ(p.run[0], T("2025-06-04T10:15:00Z"));
  EXPECT_EQ(lateness_s(p.run[0], in.now_ms), 150);
  EXPECT_EQ(p.superseded, (std::vector<int64_t>{T("2025-06-04T10:05:00Z"), T("2025-06-04T10:10:00Z")}));
  EXPECT_EQ(p.next_due, T("2025-06-04T10:20:00Z"));
}

TEST(SlotPlan, M2toM4DeadlineInWholeSeconds) {
  for (auto [deadline, runs] : {std::pair<int64_t, bool>{120, false}, {150, true}, {149, false}}) {
    PlanInput in = pin(T("2025-06-04T10:00:00Z"), T("2025-06-04T10:17:30Z"), deadline);
    SlotPlan p = plan_slots(every5, in);
    EXPECT_EQ(p.run.size(), runs ? 1u : 0u) << deadline;
    EXPECT_EQ(p.too_late.size(), runs ? 0u : 1u) << deadline;
    EXPECT_EQ(p.superseded.size(), 2u);
  }
  // startingDeadlineSeconds 0 tolerates up to 999 ms of wake-up delay.
  PlanInput in = pin(T("2025-06-04T10:00:00Z"), T("2025-06-04T10:05:00.999Z"), 0);
  EXPECT_EQ(plan_slots(every5, in).run.size(), 1u);
}

TEST(SlotPlan, M5ManyMissedSlotsAreCountedNotListed) {
  auto hourly = [](int64_t after) -> std::optional<int64_t> { return (after / 3'600'000 + 1) * 3'600'000; };
  PlanInput in = pin(T("2025-06-01T00:00:00Z"), T("2025-06-06T00:30:00Z"));
  SlotPlan p = plan_slots(hourly, in);
  ASSERT_EQ(p.run.size(), 1u);
  EXPECT_EQ(p.run[0], T("2025-06-06T00:00:00Z"));
  EXPECT_EQ(p.superseded_count, 119);
  EXPECT_TRUE(p.superseded.empty());
}

TEST(SlotPlan, CountIsCappedAndLatestStillFound) {
  auto minutely = [](int64_t after) -> std::optional<int64_t> { return (after / 60'000 + 1) * 60'000; };
  PlanInput in = pin(0, 60'000LL * 3'000'000 + 5);  // ~5.7 years of minutes
  SlotPlan p = plan_slots(minutely, in);
  EXPECT_TRUE(p.count_capped);
  ASSERT_EQ(p.run.size(), 1u);
  EXPECT_EQ(p.run[0], 60'000LL * 3'000'000);
}

TEST(SlotPlan, FlexibleWindowWaitsForTheOffset) {
  PlanInput in = pin(T("2025-06-04T10:00:00Z"), T("2025-06-04T10:05:30Z"));
  in.offset_ms = [](int64_t) { return int64_t{60'000}; };
  SlotPlan p = plan_slots(every5, in);
  EXPECT_TRUE(p.run.empty());
  EXPECT_EQ(p.next_due, T("2025-06-04T10:06:00Z"));
  in.now_ms = T("2025-06-04T10:06:00Z");
  p = plan_slots(every5, in);
  ASSERT_EQ(p.run.size(), 1u);
  EXPECT_EQ(p.run[0], T("2025-06-04T10:05:00Z"));
}

TEST(SlotPlan, CatchUpAllRunsNewestOldestFirstWithinDeadline) {
  PlanInput in = pin(T("2025-06-04T09:30:00Z"), T("2025-06-04T14:10:00Z"), 21600);
  auto hourly = [](int64_t after) -> std::optional<int64_t> { return (after / 3'600'000 + 1) * 3'600'000; };
  in.catch_up = CatchUp::All;
  SlotPlan p = plan_slots(hourly, in);
  EXPECT_EQ(p.run, (std::vector<int64_t>{T("2025-06-04T10:00:00Z"), T("2025-06-04T11:00:00Z"), T("2025-06-04T12:00:00Z"),
                                         T("2025-06-04T13:00:00Z"), T("2025-06-04T14:00:00Z")}));  // M11
  in.catch_up = CatchUp::None;
  p = plan_slots(hourly, in);
  EXPECT_TRUE(p.run.empty());
  EXPECT_EQ(p.superseded_count, 5);
}

}  // namespace
}  // namespace ebb::sched

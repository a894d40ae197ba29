// kind: Schedule (ecosystem.md §3.6, scheduling.md §8) and the shape checks shared
// with CronJob: time zone names (scheduling.md §3.1, reliability.md §5.5) and
// expression strings. The expression grammar itself is the server's (sched/).
#include <gtest/gtest.h>

#include "manifest/manifest.h"
#include "manifest/schedule_kind.h"
#include "test_util.h"

namespace ebb::manifest {
namespace {

using testing::errors_of;
using testing::has_error;

// The two Schedule documents of ecosystem.md §3.6's complete example, unchanged.
constexpr const char* kDailySalesReport = R"(# EventBridge-style schedule: run a task every day at 06:00 UTC
apiVersion: ebb/v1
kind: Schedule
metadata:
  name: daily-sales-report
spec:
  expression: cron(0 6 * * ? *)
  timeZone: UTC
  flexibleTimeWindow:
    maximumWindowMinutes: 15
  target:
    task:
      command: ["/opt/reports/bin/daily-sales", "--date=yesterday"]
      resources: {cpu: 500m, memory: 1Gi}
      activeDeadlineSeconds: 900
  retryPolicy:
    maximumRetryAttempts: 2
    maximumEventAgeSeconds: 3600
)";

constexpr const char* kHourlySweep = R"(# EventBridge-style schedule with a queue target: enqueue a sweep every hour
apiVersion: ebb/v1
kind: Schedule
metadata:
  name: hourly-sweep
spec:
  expression: rate(1 hour)
  target:
    queue: thumbnails
    message:
      body: '{"type":"sweep"}'
      attributes:
        source: {dataType: String, stringValue: scheduler}
)";

// A Schedule with `spec_lines` (indented by two) and, unless replaced, a task target.
std::string schedule(std::string_view spec_lines,
                     std::string_view target_lines = "  target:\n    task: {command: [/bin/true]}\n") {
  return "apiVersion: ebb/v1\nkind: Schedule\nmetadata: {name: s}\nspec:\n" + std::string(spec_lines) +
         std::string(target_lines);
}

std::string with_expression(std::string_view expr) { return schedule("  expression: \"" + std::string(expr) + "\"\n"); }

TEST(Schedule, EcosystemExamplesValidate) {
  for (const char* doc : {kDailySalesReport, kHourlySweep}) {
    auto docs = parse_file(doc, "m.yaml");
    ASSERT_TRUE(docs.ok()) << docs.error().message;
    auto v = validate_all(*docs);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ((*v)[0].kind, "Schedule");
  }
}

TEST(Schedule, EveryFieldOfSection8) {
  std::string doc = schedule(R"(  expression: cron(0 6 * * ? *)
  timeZone: Europe/Berlin
  startDate: "2026-01-01T00:00:00Z"
  endDate: "2026-12-31T23:59:59Z"
  suspend: false
  flexibleTimeWindow: {maximumWindowMinutes: 1440}
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 3600
  catchUp: All
  maxCatchUp: 100
  allowPast: false
  dstPolicy: {gap: RunAtTransition, overlap: FirstOnly}
  actionAfterCompletion: DELETE
  retryPolicy: {maximumRetryAttempts: 185, maximumEventAgeSeconds: 86400}
  deadLetterQueue: report-dlq
)",
                             "  target:\n    taskDefinition: daily-sales-report:3\n    taskCount: 10\n");
  EXPECT_EQ(errors_of(doc), "");
}

TEST(Schedule, ExpressionShape) {
  for (const char* ok : {"cron(0 6 * * ? *)", "rate(5 minutes)", "at(2026-01-01T00:00:00)", "0 6 * * *", "@hourly",
                         "  rate(1 hour)  "}) {
    EXPECT_EQ(errors_of(with_expression(ok)), "") << ok;
  }
  EXPECT_TRUE(has_error(schedule(""), "spec.expression: required field is missing"));
  EXPECT_TRUE(has_error(with_expression(""), "spec.expression: must not be empty"));
  EXPECT_TRUE(has_error(with_expression("   "), "spec.expression: must not be empty"));
  EXPECT_TRUE(has_error(with_expression("cron(0 6 * * ? *"), "spec.expression: cron(…) must end with ')'"));
  EXPECT_TRUE(has_error(with_expression("Rate(5 minutes)"), "spec.expression: the keywords cron, rate and at are lower case"));
  EXPECT_TRUE(has_error(with_expression("CRON_TZ=Europe/Berlin 0 * * * *"), "spec.expression: a time zone inside"));
  EXPECT_TRUE(has_error(schedule("  expression: 5\n"), "spec.expression: must be a string"));
  EXPECT_TRUE(has_error(with_expression(std::string(1001, '*')), "spec.expression: is longer than 1000 characters"));
}

TEST(Schedule, TimeZoneShape) {
  // scheduling.md §9.5.
  for (const char* bad : {"Local", "local", "", "Mars/Olympus/Valles/Marineris-Extra-Long", "../../etc/passwd",
                          "UTC+3", "GMT+25", "/usr/share/zoneinfo/UTC", "Europe/ Berlin", "-Foo"}) {
    EXPECT_NE(time_zone_problem(bad), "") << bad;
  }
  for (const char* good : {"UTC", "Etc/GMT-3", "Etc/GMT+12", "America/Argentina/Buenos_Aires", "America/Port-au-Prince",
                           "Europe/Berlin"}) {
    EXPECT_EQ(time_zone_problem(good), "") << good;
  }
  EXPECT_NE(time_zone_problem(std::string("UT\0C", 4)), "");
  EXPECT_NE(time_zone_problem("UTC+3").find("Etc/GMT-3"), std::string::npos);
  EXPECT_TRUE(has_error(schedule("  expression: rate(1 hour)\n  timeZone: Local\n"), "spec.timeZone:"));
  EXPECT_TRUE(has_error(schedule("  expression: rate(1 hour)\n  timeZone: \"\"\n"), "spec.timeZone: must not be empty"));
}

TEST(Schedule, RangesNameTheField) {
  const std::string e = "  expression: rate(1 hour)\n";
  EXPECT_TRUE(has_error(schedule(e + "  flexibleTimeWindow: {maximumWindowMinutes: 0}\n"),
                        "spec.flexibleTimeWindow.maximumWindowMinutes: must be between 1 and 1440"));
  EXPECT_TRUE(has_error(schedule(e + "  flexibleTimeWindow: {maximumWindowMinutes: 1441}\n"),
                        "spec.flexibleTimeWindow.maximumWindowMinutes"));
  EXPECT_TRUE(has_error(schedule(e + "  flexibleTimeWindow: {mode: \"OFF\"}\n"), "spec.flexibleTimeWindow.mode: unknown field"));
  EXPECT_TRUE(has_error(schedule(e + "  retryPolicy: {maximumRetryAttempts: 186}\n"),
                        "spec.retryPolicy.maximumRetryAttempts: must be between 0 and 185"));
  EXPECT_TRUE(has_error(schedule(e + "  retryPolicy: {maximumEventAgeSeconds: 59}\n"),
                        "spec.retryPolicy.maximumEventAgeSeconds: must be between 60 and 86400"));
  EXPECT_TRUE(has_error(schedule(e + "  startingDeadlineSeconds: -1\n"), "spec.startingDeadlineSeconds"));
  EXPECT_TRUE(has_error(schedule(e + "  catchUp: Everything\n"), "spec.catchUp: must be one of Latest, All, None"));
  EXPECT_TRUE(has_error(schedule(e + "  maxCatchUp: 5\n"), "spec.maxCatchUp: allowed only with catchUp: All"));
  EXPECT_TRUE(has_error(schedule(e + "  catchUp: All\n  maxCatchUp: 101\n"), "spec.maxCatchUp: must be between 1 and 100"));
  EXPECT_TRUE(has_error(schedule(e + "  actionAfterCompletion: KEEP\n"), "spec.actionAfterCompletion"));
  EXPECT_TRUE(has_error(schedule(e + "  concurrencyPolicy: Skip\n"), "spec.concurrencyPolicy"));
  EXPECT_TRUE(has_error(schedule(e + "  state: ENABLED\n"), "spec.state: unknown field"));
  EXPECT_TRUE(has_error(schedule(e + "  suspend: \"false\"\n"), "spec.suspend: must be true or false"));
}

TEST(Schedule, Dates) {
  const std::string e = "  expression: rate(1 hour)\n";
  EXPECT_TRUE(has_error(schedule(e + "  startDate: \"2026-01-01 00:00\"\n"), "spec.startDate: must be an RFC 3339 instant"));
  EXPECT_TRUE(has_error(schedule(e + "  endDate: \"2026-01-01T00:00:00\"\n"), "spec.endDate: must be an RFC 3339 instant"));
  EXPECT_TRUE(has_error(schedule(e + "  startDate: \"2026-02-01T00:00:00Z\"\n  endDate: \"2026-01-01T00:00:00Z\"\n"),
                        "spec.endDate: must be after startDate"));
  EXPECT_EQ(errors_of(schedule(e + "  startDate: \"2026-01-01T00:00:00.5+02:00\"\n")), "");
}

TEST(Schedule, DeadLetterQueue) {
  const std::string e = "  expression: rate(1 hour)\n";
  EXPECT_TRUE(has_error(schedule(e + "  deadLetterQueue: dlq.fifo\n"), "spec.deadLetterQueue: must be a standard queue"));
  EXPECT_TRUE(has_error(schedule(e + "  deadLetterQueue: Bad_Name\n"), "spec.deadLetterQueue: queue name"));
}

TEST(Schedule, Targets) {
  const std::string e = "  expression: rate(1 hour)\n";
  EXPECT_TRUE(has_error(schedule(e, ""), "spec.target: required field is missing"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {}\n"), "spec.target: give exactly one of task, taskDefinition and queue"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {taskDefinition: x, queue: q, message: {body: b}}\n"),
                        "spec.target: give exactly one"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {queue: q}\n"), "spec.target.message: required with a queue target"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {taskDefinition: x, message: {body: b}}\n"),
                        "spec.target.message: allowed only with a queue target"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {queue: q, message: {body: b}, taskCount: 2}\n"),
                        "spec.target.taskCount: allowed only with a task or taskDefinition target"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {taskDefinition: x, taskCount: 11}\n"),
                        "spec.target.taskCount: must be between 1 and 10"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {taskDefinition: \"x:0\"}\n"),
                        "spec.target.taskDefinition: must be FAMILY or FAMILY:REVISION"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {taskDefinition: \"X_Y:1\"}\n"), "spec.target.taskDefinition: task definition"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {queue: q, message: {body: \"\"}}\n"), "spec.target.message.body: must not be empty"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {queue: q, message: {body: b, attributes: {a: {dataType: Text, stringValue: x}}}}\n"),
                        "spec.target.message.attributes.a.dataType: must be String, Number or Binary"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {queue: q, message: {body: b, attributes: {a: {dataType: String}}}}\n"),
                        "spec.target.message.attributes.a.stringValue: required field is missing"));
  EXPECT_TRUE(has_error(schedule(e, "  target: {queue: q, message: {body: b, attributes: {ebb.x: {dataType: String, stringValue: v}}}}\n"),
                        "reserved"));
}

TEST(Schedule, TaskTargetReusesTheTaskTemplate) {
  const std::string e = "  expression: rate(1 hour)\n";
  EXPECT_TRUE(has_error(schedule(e, "  target:\n    task: {command: []}\n"), "spec.target.task.command: must not be empty"));
  EXPECT_TRUE(has_error(schedule(e, "  target:\n    task: {image: busybox}\n"),
                        "spec.target.task.command: the process runtime needs `command`; add it or use a container runtime"));
  EXPECT_TRUE(has_error(schedule(e, "  target:\n    task: {command: [x], workingDir: rel}\n"),
                        "spec.target.task.workingDir: must be an absolute path"));
  EXPECT_TRUE(has_error(schedule(e, "  target:\n    task: {command: [x], activeDeadlineSeconds: -1}\n"),
                        "spec.target.task.activeDeadlineSeconds"));
  EXPECT_TRUE(has_error(schedule(e, "  target:\n    task: {command: [x], completions: 2}\n"),
                        "spec.target.task.completions: unknown field"));
  EXPECT_EQ(errors_of(schedule(e, "  target:\n    task: {command: [x], backoffLimit: 2, ttlSecondsAfterFinished: 60}\n")), "");
}

TEST(Schedule, MissingSpecAndBadName) {
  EXPECT_TRUE(has_error("apiVersion: ebb/v1\nkind: Schedule\nmetadata: {name: s}\n", "spec: required field is missing"));
  EXPECT_TRUE(has_error("apiVersion: ebb/v1\nkind: Schedule\nmetadata: {name: Daily_Report}\nspec: {expression: rate(1 hour)}\n",
                        "metadata.name"));
}

}  // namespace
}  // namespace ebb::manifest

// kind: Alarm (ecosystem.md §3.6, docs/alarms.md): the spec's example passes, every
// field's error names its path.
#include <gtest/gtest.h>

#include "manifest/manifest.h"
#include "test_util.h"

namespace ebb::manifest {
namespace {

using testing::errors_of;
using testing::has_error;

// ecosystem.md §3.6's Alarm, unchanged.
constexpr const char* kSpecExample = R"(# Alarm from the seed article's list: anything in the DLQ is a failure to look at
apiVersion: ebb/v1
kind: Alarm
metadata:
  name: thumbnails-dlq-not-empty
spec:
  metric: ebb_queue_dead_letter_messages
  labels: {queue: thumbnails}
  statistic: Maximum
  periodSeconds: 60
  evaluationPeriods: 1
  comparison: GreaterThanThreshold
  threshold: 0
  notify:
    - webhook:
        url: https://hooks.example.com/ebb
        secretRef: {name: ebb-webhook-signing-key}   # HMAC-signs the body
)";

std::string alarm(std::string_view spec_lines) {
  return "apiVersion: ebb/v1\nkind: Alarm\nmetadata:\n  name: a\nspec:\n" + std::string(spec_lines);
}

constexpr const char* kBase =
    "  metric: ebb_queue_messages_visible\n  statistic: Maximum\n  comparison: GreaterThanThreshold\n  threshold: 0\n";

TEST(AlarmKind, SpecExampleAndFullDocumentPass) {
  EXPECT_EQ(errors_of(kSpecExample), "");
  EXPECT_EQ(errors_of(alarm(std::string(kBase) + R"(  description: backlog and nobody working
  labels: {queue: work}
  periodSeconds: 300
  evaluationPeriods: 3
  datapointsToAlarm: 2
  treatMissingData: notBreaching
  suspend: false
  and:
    - metric: ebb_service_tasks_running
      labels: {service: w}
      statistic: Maximum
      comparison: LessThanThreshold
      threshold: 1
  notify:
    - states: [ALARM, OK]
      webhook: {url: "http://127.0.0.1:8080/hook", secretRef: {env: HOOK_KEY}, timeoutSeconds: 5, maxAttempts: 3}
    - queue: {name: alerts}
    - queue: {name: alerts.fifo, groupId: alarms}
    - task: {command: [/bin/true], activeDeadlineSeconds: 60}
    - log: {level: error}
    - log:
)")),
            "");
  EXPECT_EQ(errors_of(alarm("  metric: ebb_task_failures_total\n  statistic: Increase\n  comparison: "
                            "GreaterThanThreshold\n  threshold: 10.5\n")),
            "");
}

TEST(AlarmKind, RequiredFields) {
  EXPECT_TRUE(has_error("apiVersion: ebb/v1\nkind: Alarm\nmetadata:\n  name: a\n", "spec: required field is missing"));
  std::string e = errors_of(alarm("  periodSeconds: 60\n"));
  for (const char* f : {"spec.metric: required", "spec.statistic: required", "spec.comparison: required",
                        "spec.threshold: required"})
    EXPECT_NE(e.find(f), std::string::npos) << f << " in " << e;
}

TEST(AlarmKind, FieldErrorsNameTheirPath) {
  EXPECT_TRUE(has_error(alarm(std::string(kBase) + "  periodSecond: 60\n"), "spec.periodSecond: unknown field"));
  EXPECT_TRUE(has_error(alarm("  metric: ebb-queue\n  statistic: Maximum\n  comparison: GreaterThanThreshold\n  "
                              "threshold: 0\n"),
                        "spec.metric: \"ebb-queue\" is not a Prometheus metric name"));
  EXPECT_TRUE(has_error(alarm("  metric: m\n  statistic: Avg\n  comparison: GreaterThanThreshold\n  threshold: 0\n"),
                        "spec.statistic: must be one of Average, Minimum, Maximum, Sum, SampleCount, Increase, Rate"));
  EXPECT_TRUE(has_error(alarm("  metric: ebb_queue_messages_visible\n  statistic: Rate\n  comparison: "
                              "GreaterThanThreshold\n  threshold: 0\n"),
                        "spec.statistic: Rate needs a counter"));
  EXPECT_TRUE(has_error(alarm("  metric: m\n  statistic: Sum\n  comparison: '>'\n  threshold: 0\n"),
                        "spec.comparison: must be one of GreaterThanThreshold"));
  EXPECT_TRUE(has_error(alarm("  metric: m\n  statistic: Sum\n  comparison: LessThanThreshold\n  threshold: \"5\"\n"),
                        "spec.threshold: must be a number, got the string \"5\"; hint: write it without quotes"));
  EXPECT_TRUE(has_error(alarm(std::string(kBase) + "  periodSeconds: 0\n"), "spec.periodSeconds: must be between 1 and 86400"));
  EXPECT_TRUE(has_error(alarm(std::string(kBase) + "  evaluationPeriods: 2\n  datapointsToAlarm: 3\n"),
                        "spec.datapointsToAlarm: must not exceed evaluationPeriods (2), got 3"));
  EXPECT_TRUE(has_error(alarm(std::string(kBase) + "  datapointsToAlarm: 2\n"),
                        "spec.datapointsToAlarm: must not exceed evaluationPeriods (1), got 2"));
  EXPECT_TRUE(has_error(alarm(std::string(kBase) + "  treatMissingData: NotBreaching\n"),
                        "spec.treatMissingData: must be one of missing, notBreaching, breaching, ignore"));
  EXPECT_TRUE(has_error(alarm(std::string(kBase) + "  labels: {queue: 5}\n"),
                        "spec.labels.queue: must be a string, got the number 5; hint: quote the value"));
  EXPECT_TRUE(has_error(alarm(std::string(kBase) + "  labels: [queue]\n"), "spec.labels: must be a map"));
  EXPECT_TRUE(has_error(alarm(std::string(kBase) + "  and: []\n"), "spec.and: must be a non-empty list"));
  EXPECT_TRUE(has_error(alarm(std::string(kBase) + "  and:\n    - metric: m\n      statistic: Sum\n"),
                        "spec.and[0].comparison: required field is missing"));
}

TEST(AlarmKind, ActionErrors) {
  auto notify = [](std::string_view lines) { return alarm(std::string(kBase) + "  notify:\n" + std::string(lines)); };
  EXPECT_TRUE(has_error(notify("    - {}\n"), "spec.notify[0]: give exactly one of webhook, queue, task and log"));
  EXPECT_TRUE(has_error(notify("    - log: {}\n      queue: {name: q}\n"), "spec.notify[0]: give exactly one of"));
  EXPECT_TRUE(has_error(notify("    - webhook: {url: ftp://x/y}\n"),
                        "spec.notify[0].webhook.url: must start with http:// or https://"));
  EXPECT_TRUE(has_error(notify("    - webhook: {url: \"http:///x\"}\n"), "spec.notify[0].webhook.url: has no host"));
  EXPECT_TRUE(has_error(notify("    - webhook: {url: \"http://h/x\", secretRef: {name: k, env: K}}\n"),
                        "spec.notify[0].webhook.secretRef: give exactly one of name"));
  EXPECT_TRUE(has_error(notify("    - webhook: {url: \"http://h/x\", secretRef: {env: \"1X\"}}\n"),
                        "spec.notify[0].webhook.secretRef.env: must be an environment variable name"));
  EXPECT_TRUE(has_error(notify("    - webhook: {url: \"http://h/x\", maxAttempts: 0}\n"),
                        "spec.notify[0].webhook.maxAttempts: must be between 1 and 10"));
  EXPECT_TRUE(has_error(notify("    - queue: {name: \"bad name\"}\n"), "spec.notify[0].queue.name:"));
  EXPECT_TRUE(has_error(notify("    - queue: {name: x.fifo}\n"), "spec.notify[0].queue.groupId: required for a FIFO queue"));
  EXPECT_TRUE(has_error(notify("    - queue: {name: x, groupId: g}\n"),
                        "spec.notify[0].queue.groupId: allowed only for a FIFO queue"));
  EXPECT_TRUE(has_error(notify("    - task: {args: [x]}\n"), "spec.notify[0].task.command: required field is missing"));
  EXPECT_TRUE(has_error(notify("    - log: {level: debug}\n"), "spec.notify[0].log.level: must be one of info, warning, error"));
  EXPECT_TRUE(has_error(notify("    - states: [Alarm]\n      log: {}\n"),
                        "spec.notify[0].states[0]: must be ALARM, OK or INSUFFICIENT_DATA, got \"Alarm\""));
  EXPECT_TRUE(has_error(notify("    - states: []\n      log: {}\n"), "spec.notify[0].states: must be a non-empty list"));
}

}  // namespace
}  // namespace ebb::manifest

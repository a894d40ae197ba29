// kind: Alarm (apiVersion ebb/v1): a CloudWatch-style metric alarm over ebbd's own
// /metrics families (ecosystem.md §3.3, §3.6; docs/alarms.md). Validation only; the
// server turns the validated document into alarm::AlarmSpec (src/alarm/alarm_spec.h).
//
// spec:
//   description         string, at most 1024 characters
//   metric              required; a sample name of /metrics ([a-zA-Z_:][a-zA-Z0-9_:]*)
//   labels              {label: value}: exact matchers; the selected series are summed
//   statistic           required: Average | Minimum | Maximum | Sum | SampleCount over the
//                       samples of a period, or Increase | Rate (per second) for counters
//                       (names ending _total, _count, _sum or _bucket)
//   comparison          required: GreaterThanThreshold | GreaterThanOrEqualToThreshold |
//                       LessThanThreshold | LessThanOrEqualToThreshold
//   threshold           required number
//   periodSeconds       1..86400 (default 60)
//   evaluationPeriods   1..100 (default 1)
//   datapointsToAlarm   1..evaluationPeriods (default evaluationPeriods)
//   treatMissingData    missing | notBreaching | breaching | ignore (default missing)
//   and                 up to 4 more {metric, labels, statistic, comparison, threshold}:
//                       a period breaches only when every condition does
//   suspend             true: states still change, actions do not run
//   notify              up to 10 actions, each {states: [ALARM|OK|INSUFFICIENT_DATA]
//                       (default [ALARM]), and exactly one of
//                         webhook: {url (http/https), secretRef: {name} | {env},
//                                   timeoutSeconds 1..60, maxAttempts 1..10}
//                         queue:   {name, groupId (FIFO queues)}
//                         task:    a task template + activeDeadlineSeconds,
//                                  backoffLimit, ttlSecondsAfterFinished
//                         log:     {level: info | warning | error}}
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "manifest/checker.h"

namespace ebb::manifest {

void check_alarm_spec(const nlohmann::json& spec, const std::string& name, Checker& c);

// The reason `name` is not a Prometheus metric name, or "".
std::string metric_name_problem(std::string_view name);

// Statistics that need a counter (Increase, Rate).
bool counter_statistic(std::string_view statistic);

}  // namespace ebb::manifest

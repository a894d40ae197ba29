// kind: Service (apiVersion ebb/v1): a pool of identical tasks scaled on queue backlog
// (autoscaling.md §2, ecosystem.md §3.6). check_service_spec() validates strictly;
// the service controller fills what the user left out with service_defaults().
//
// spec:
//   template   required; the task (task_template_kind.h)
//   paused     optional boolean: freezes the task count (autoscaling.md §4.4 step 4)
//   scaling    required; exactly one of `queue` (single trigger, with
//              targetBacklogPerTask/includeInFlight/includeDelayed beside it) and
//              `triggers` (list of {queue, targetBacklogPerTask, includeInFlight,
//              includeDelayed}; the three per-queue fields then are not allowed at the
//              scaling level). Ranges:
//                targetBacklogPerTask   finite, 0.001 .. 1e9 (may be fractional)
//                minTasks               0 .. kMaxTasksCap
//                maxTasks               max(minTasks, 1) .. kMaxTasksCap
//                tolerance              0 <= x < 1
//                scaleOutCooldownSeconds, scaleInCooldownSeconds,
//                scaleToZeroDelaySeconds               0 .. 86400
//                activationBacklog, deactivationBacklog 0 .. 1e9, deactivation <= activation
//                scaleIn {enabled, maxTasksPerStep: null | 1..kMaxTasksCap, stepSeconds 1..86400}
//                fifoCapAtActiveGroups  boolean
//                drainTimeoutSeconds    null or 1 .. 86400
//                evaluation {minIntervalMs 10..10000, maxIntervalMs minIntervalMs..600000}
// Cross-field rules compare effective values (the given value or its default), so
// `minTasks: 20` without `maxTasks` is an error (the default maxTasks is 10).
#pragma once
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "manifest/checker.h"

namespace ebb::manifest {

// Server cap on maxTasks (autoscaling.md §2 "server cap applies").
inline constexpr int64_t kMaxTasksCap = 1000;
// Bound on spec.scaling.triggers entries.
inline constexpr std::size_t kMaxTriggers = 100;

void check_service_spec(const nlohmann::json& spec, const std::string& name, Checker& c);

// The defaults of a Service spec, in spec shape (autoscaling.md §2; autoscaling.md
// wins over ecosystem.md for scaleOutCooldownSeconds: 0):
//   {paused: false,
//    template: {stopTimeoutSeconds: 30, runtime: "process"},
//    scaling: {targetBacklogPerTask: 5, includeInFlight: true, includeDelayed: false,
//              minTasks: 1, maxTasks: 10, tolerance: 0.1, scaleOutCooldownSeconds: 0,
//              scaleInCooldownSeconds: 300, scaleToZeroDelaySeconds: 300,
//              activationBacklog: 0, deactivationBacklog: 0,
//              scaleIn: {enabled: true, maxTasksPerStep: null, stepSeconds: 15},
//              fifoCapAtActiveGroups: true, drainTimeoutSeconds: null,
//              evaluation: {minIntervalMs: 100, maxIntervalMs: 1000}}}
// With `triggers`, targetBacklogPerTask/includeInFlight/includeDelayed are each
// trigger's defaults.
nlohmann::json service_defaults();

// A validated Service spec with every default filled in (given values win). With
// `triggers`, the per-queue defaults go into each trigger and not beside them.
nlohmann::json service_spec_with_defaults(const nlohmann::json& spec);

}  // namespace ebb::manifest

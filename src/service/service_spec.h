// ServiceSpec: a validated `kind: Service` document (autoscaling.md §2) turned into
// plain values with every default filled in: the task template, the autoscaler's
// configuration (scale::Config) and the controller's own knobs (drain timeout,
// evaluation intervals). The manifest validator (src/manifest/service_kind.cc) has
// already rejected unknown fields and bad ranges; this only converts, and answers
// Code::Invalid for what it cannot convert.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "runtime/task_template.h"
#include "scale/autoscaler.h"

namespace ebb::service {

struct ServiceSpec {
  std::string name;
  nlohmann::json doc;                     // the document as applied (no status)
  runtime::TaskTemplate task;
  scale::Config scaling;                  // min/max as written (scale overrides apply later)
  bool paused = false;                    // spec.paused
  std::optional<int64_t> drain_timeout_ms;  // scaling.drainTimeoutSeconds (null = none)
  int64_t min_interval_ms = 100;          // scaling.evaluation.minIntervalMs
  int64_t max_interval_ms = 1000;         // scaling.evaluation.maxIntervalMs

  const nlohmann::json& spec() const { return doc.at("spec"); }
  const nlohmann::json& template_json() const { return doc.at("spec").at("template"); }
};

// Defaults (autoscaling.md §2): targetBacklogPerTask 5, includeInFlight true,
// includeDelayed false, minTasks 1, maxTasks 10, tolerance 0.1, scaleOutCooldownSeconds 0,
// scaleInCooldownSeconds 300, scaleToZeroDelaySeconds 300, activationBacklog 0,
// deactivationBacklog 0, scaleIn {enabled true, maxTasksPerStep null, stepSeconds 15},
// fifoCapAtActiveGroups true, drainTimeoutSeconds null, evaluation {100, 1000},
// paused false. `scaling.queue` (single trigger) or `scaling.triggers` (list).
Result<ServiceSpec> parse_service(const nlohmann::json& validated_doc);

}  // namespace ebb::service

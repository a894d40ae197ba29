// POST /api/v1/apply (docs/api.md): validate every document first (all or nothing),
// then apply in order, dead-letter targets before the queues that use them, and the
// other kinds (Service, EventSource) after every queue.
// Declarative: a queue that exists is compared and reconfigured only if it differs.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "queue/engine.h"
#include "store/secret_store.h"

namespace ebb::service {
class ServiceController;
}
namespace ebb::source {
class EventSourceController;
}
namespace ebb::sched {
class JobController;
class ScheduleController;
class TaskDefinitions;
}

namespace ebb::alarm {
class AlarmController;
}

namespace ebb::admin {

// Controllers of the kinds beyond Queue; null = the kind cannot be applied here.
struct Controllers {
  service::ServiceController* services = nullptr;
  source::EventSourceController* sources = nullptr;
  sched::JobController* jobs = nullptr;
  sched::ScheduleController* schedules = nullptr;
  sched::TaskDefinitions* task_definitions = nullptr;
  alarm::AlarmController* alarms = nullptr;
  SecretStore* secrets = nullptr;  // secretKeyRef targets must exist at apply (§4.7)
};

struct ApplyOutcome {
  nlohmann::json results = nlohmann::json::array();  // [{"kind","name","action"}]
  Token token = 0;                                   // answer once this is durable
  std::optional<Error> error;                        // set: answer with it (and details)
  std::vector<std::string> details;
  std::vector<std::string> warnings;                 // e.g. "queue x also feeds service y"
};

// Queues first (dead-letter targets before their sources), then event sources and
// services in document order, so one file can define a whole stack.
ApplyOutcome apply_documents(Engine& engine, const Controllers& controllers, const nlohmann::json& body,
                             bool dry_run);

}  // namespace ebb::admin

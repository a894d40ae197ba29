// POST /api/v1/apply (docs/api.md): validate every document first (all or nothing),
// then apply in order, dead-letter targets before the queues that use them.
// Declarative: a queue that exists is compared and reconfigured only if it differs.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "queue/engine.h"

namespace ebb::admin {

struct ApplyOutcome {
  nlohmann::json results = nlohmann::json::array();  // [{"kind","name","action"}]
  Token token = 0;                                   // answer once this is durable
  std::optional<Error> error;                        // set: answer with it (and details)
  std::vector<std::string> details;
};

ApplyOutcome apply_documents(Engine& engine, const nlohmann::json& body, bool dry_run);

}  // namespace ebb::admin

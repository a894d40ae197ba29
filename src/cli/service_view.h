// Service objects (docs/api.md "Services"): the `get services` row and the
// `describe service` page.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/queue_view.h"

namespace ebb::cli {

// NAME QUEUE DESIRED RUNNING BACKLOG/TASK TARGET AGE / wide adds MIN MAX CPU MEMORY LAST-SCALE.
std::vector<std::string> service_row(const nlohmann::json& s, bool wide, TimePoint now);

// The queues a service scales on: spec.scaling.queue, else its triggers' queues
// joined by ",".
std::string service_queues(const nlohmann::json& s);

// Prints the page for `s`; fetches its tasks and events. Returns an exit code (an
// error fetching tasks or events is reported, the page still printed).
int describe_service(ApiClient& api, const nlohmann::json& s);

}  // namespace ebb::cli

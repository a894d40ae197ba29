// Task objects (docs/api.md "Services"): the `get tasks` row and the `describe task`
// page.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/queue_view.h"

namespace ebb::cli {

// NAME OWNER STATUS EXIT ATTEMPT AGE / wide adds PID RUNTIME CPU MEMORY. ATTEMPT is
// "-" for tasks that have no attempt number (service tasks); RUNTIME runs from
// startedAt to endedAt (or now); CPU is cpuSeconds; MEMORY the peak RSS.
std::vector<std::string> task_row(const nlohmann::json& t, bool wide, TimePoint now);

// True for Succeeded, Failed and Lost.
bool task_finished(const nlohmann::json& t);

// Prints the page for `t`; the owner's events about this task are fetched when the
// owner is a service. Returns an exit code.
int describe_task(ApiClient& api, const nlohmann::json& t);

}  // namespace ebb::cli

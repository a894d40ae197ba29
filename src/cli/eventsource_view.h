// EventSource objects (docs/api.md "Event sources"): the `get eventsources` row and
// the `describe eventsource` page.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/queue_view.h"

namespace ebb::cli {

// NAME DIRECTORY QUEUE ANNOUNCED PENDING AGE / wide adds BODY LAST-FILE.
std::vector<std::string> eventsource_row(const nlohmann::json& es, bool wide, TimePoint now);

void describe_eventsource(const nlohmann::json& es);

}  // namespace ebb::cli

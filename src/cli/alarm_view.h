// Alarm objects (docs/api.md "Alarms", docs/alarms.md): the `get alarms` row and the
// `describe alarm/NAME` page with the state history.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/queue_view.h"

namespace ebb::cli {

// NAME STATE CONDITION LAST-CHANGE AGE / wide adds PERIOD ACTIONS. CONDITION reads
// "Maximum(ebb_queue_dead_letter_messages{queue=thumbnails}) > 0".
std::vector<std::string> alarm_row(const nlohmann::json& a, bool wide, TimePoint now);

// State, reason, condition(s), evaluation settings, actions, the last datapoints,
// pending notifications and the history (newest first: TIME TYPE SUMMARY).
void describe_alarm(const nlohmann::json& a);

}  // namespace ebb::cli

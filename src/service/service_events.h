// Service events (autoscaling.md §9; JSON shape in docs/api.md "Event"): scaling
// decisions with their inputs, and task events (TaskStarted, TaskExited, LaunchFailed,
// BackOff, Draining, Stopping, …) without. Pure formatting: the controller decides
// when to write one; this decides what it says.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "base/rfc3339.h"

#include <nlohmann/json.hpp>

#include "scale/autoscaler.h"

namespace ebb::service {

// "2026-11-28T10:00:01.250Z" / "2026-11-28T10:00:01Z" from Unix milliseconds.

// {"time","timeMs","type","reason","object","message"[,"inputs"]}.
nlohmann::json make_event(int64_t wall_ms, bool warning, const std::string& reason, const std::string& object,
                          const std::string& message, std::optional<nlohmann::json> inputs = std::nullopt);

// One entry of status.triggers / inputs.triggers:
// {"queue","visible","inFlight","delayed","activeGroups","backlog","recommendation"}.
nlohmann::json trigger_json(const scale::Trigger& t, const scale::QueueCounts& c, const scale::TriggerEval* e);

// inputs of a scaling event: {"triggers":[…],"oldDesired","raw","windowMax","newDesired"}.
nlohmann::json decision_inputs(const scale::Config& cfg, const scale::Inputs& in, const scale::Decision& d);

// "backlog 412 (visible 392, in flight 20), running 8, target 5 → desired 10, capped at max 10".
std::string decision_message(const scale::Config& cfg, const scale::Inputs& in, const scale::Decision& d,
                             int64_t running);

// 5 → "5", 2.5 → "2.5" (targets are shown as written).
std::string format_number(double v);

}  // namespace ebb::service

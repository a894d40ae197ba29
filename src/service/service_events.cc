#include "service/service_events.h"

#include <chrono>
#include <cstdio>

namespace ebb::service {
namespace {

using nlohmann::json;


int64_t backlog_of(const scale::Trigger& t, const scale::QueueCounts& c) {
  if (!c.exists) return 0;
  return c.visible + (t.include_in_flight ? c.in_flight : 0) + (t.include_delayed ? c.delayed : 0);
}

// "backlog 412 (visible 392, in flight 20)" for one trigger; components not counted
// are left out unless non-zero.
std::string backlog_text(const scale::Trigger& t, const scale::QueueCounts& c, const scale::TriggerEval* e) {
  if (!c.exists) return "queue " + t.queue + " missing (backlog 0)";
  const int64_t b = e ? e->backlog : backlog_of(t, c);
  std::string s = "backlog " + std::to_string(b) + " (visible " + std::to_string(c.visible);
  if (t.include_in_flight || c.in_flight) s += ", in flight " + std::to_string(c.in_flight);
  if (t.include_delayed || c.delayed) s += ", delayed " + std::to_string(c.delayed);
  s += ")";
  return s;
}

std::string reason_suffix(const scale::Config& cfg, const scale::Decision& d) {
  using R = scale::Reason;
  switch (d.reason) {
    case R::CappedAtMax: return ", capped at max " + std::to_string(cfg.max_tasks);
    case R::CappedAtGroups: {
      int64_t groups = 0;
      for (const auto& t : d.triggers)
        if (t.capped_at_groups) groups = std::max(groups, t.recommendation);
      return ", capped at " + std::to_string(groups) + " active message groups";
    }
    case R::HeldByWindow:
      return ", held by the scale-in window (max " + std::to_string(d.window_max) + " in the last " +
             format_number(cfg.scale_in_window / 1000.0) + "s)";
    case R::CooldownDeferred: return ", scale-out deferred by the cooldown";
    case R::WithinTolerance: return ", within tolerance";
    case R::ScaleInDisabled: return ", scale-in disabled";
    case R::Paused: return ", paused";
    case R::Activated: return ", activated";
    case R::Deactivated: return ", deactivated";
    case R::ManualOverride: return ", manual override";
    case R::BoundsChanged:
      return ", bounds " + std::to_string(cfg.min_tasks) + ".." + std::to_string(cfg.max_tasks);
    default: return "";
  }
}

}  // namespace


std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

json make_event(int64_t wall_ms, bool warning, const std::string& reason, const std::string& object,
                const std::string& message, std::optional<json> inputs) {
  json e = {{"time", rfc3339_ms(wall_ms)}, {"timeMs", wall_ms},     {"type", warning ? "Warning" : "Normal"},
            {"reason", reason},            {"object", object},      {"message", message}};
  if (inputs) e["inputs"] = std::move(*inputs);
  return e;
}

json trigger_json(const scale::Trigger& t, const scale::QueueCounts& c, const scale::TriggerEval* e) {
  return {{"queue", t.queue},
          {"visible", c.visible},
          {"inFlight", c.in_flight},
          {"delayed", c.delayed},
          {"activeGroups", c.active_groups},
          {"backlog", e ? e->backlog : backlog_of(t, c)},
          {"recommendation", e ? json(e->recommendation) : json(nullptr)}};
}

json decision_inputs(const scale::Config& cfg, const scale::Inputs& in, const scale::Decision& d) {
  json triggers = json::array();
  for (size_t i = 0; i < cfg.triggers.size(); ++i) {
    const scale::QueueCounts c = i < in.counts.size() ? in.counts[i] : scale::QueueCounts{};
    triggers.push_back(trigger_json(cfg.triggers[i], c, i < d.triggers.size() ? &d.triggers[i] : nullptr));
  }
  return {{"triggers", std::move(triggers)},
          {"oldDesired", d.old_desired},
          {"raw", d.raw},
          {"windowMax", d.window_max},
          {"newDesired", d.desired}};
}

std::string decision_message(const scale::Config& cfg, const scale::Inputs& in, const scale::Decision& d,
                             int64_t running) {
  std::string s;
  for (size_t i = 0; i < cfg.triggers.size(); ++i) {
    const scale::QueueCounts c = i < in.counts.size() ? in.counts[i] : scale::QueueCounts{};
    const scale::TriggerEval* e = i < d.triggers.size() ? &d.triggers[i] : nullptr;
    if (i) s += "; ";
    if (cfg.triggers.size() > 1) s += cfg.triggers[i].queue + ": ";
    s += backlog_text(cfg.triggers[i], c, e);
    if (cfg.triggers.size() > 1) s += " target " + format_number(cfg.triggers[i].target);
  }
  s += ", running " + std::to_string(running);
  if (cfg.triggers.size() == 1) s += ", target " + format_number(cfg.triggers[0].target);
  s += " → desired " + std::to_string(d.desired);
  s += reason_suffix(cfg, d);
  return s;
}

}  // namespace ebb::service

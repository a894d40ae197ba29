#include "manifest/service_kind.h"

#include <cmath>
#include <set>

#include "manifest/names.h"
#include "manifest/task_definition_kind.h"
#include "manifest/task_template_kind.h"

namespace ebb::manifest {
namespace {

constexpr int64_t kMaxBacklog = 1'000'000'000;
// The autoscaler holds T in milli-messages (scale::ceil_div_target), so smaller
// targets would round to zero.
constexpr double kMinTarget = 0.001;
constexpr double kMaxTarget = 1e9;

// A number (integer or fractional) member; nullopt when absent or wrong.
std::optional<double> number(const nlohmann::json& obj, std::string_view key, const std::string& path, Checker& c) {
  auto it = obj.find(std::string(key));
  if (it == obj.end()) return std::nullopt;
  if (!it->is_number()) {
    c.error(field_path(path, key), "must be a number, got " + describe_value(*it));
    return std::nullopt;
  }
  double v = it->get<double>();
  if (!std::isfinite(v)) {
    c.error(field_path(path, key), "must be a finite number");
    return std::nullopt;
  }
  return v;
}

void check_target(const nlohmann::json& obj, const std::string& path, Checker& c) {
  std::optional<double> t = number(obj, "targetBacklogPerTask", path, c);
  if (t && (*t < kMinTarget || *t > kMaxTarget)) {
    c.error(field_path(path, "targetBacklogPerTask"),
            "must be greater than 0 (at least 0.001, at most 1e9), got " + obj["targetBacklogPerTask"].dump());
  }
}

void check_queue_ref(const nlohmann::json& obj, const std::string& path, Checker& c) {
  std::optional<std::string> q = c.string(obj, "queue", path, true);
  if (!q) return;
  std::string why = check_queue_name(*q);
  if (!why.empty()) c.error(field_path(path, "queue"), why);
}

void check_triggers(const nlohmann::json& v, const std::string& path, Checker& c) {
  if (!v.is_array()) {
    c.error(path, "must be a list of {queue, targetBacklogPerTask, ...} objects, got " + describe_value(v));
    return;
  }
  if (v.empty() || v.size() > kMaxTriggers) {
    c.error(path, "must have 1 to " + std::to_string(kMaxTriggers) + " entries, got " + std::to_string(v.size()));
    if (!v.empty()) return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = index_path(path, i);
    if (!c.object(v[i], p, {"queue", "targetBacklogPerTask", "includeInFlight", "includeDelayed"})) continue;
    check_queue_ref(v[i], p, c);
    check_target(v[i], p, c);
    c.boolean(v[i], "includeInFlight", p);
    c.boolean(v[i], "includeDelayed", p);
    auto q = v[i].find("queue");
    if (q != v[i].end() && q->is_string() && !seen.insert(q->get<std::string>()).second) {
      c.error(field_path(p, "queue"), "duplicate trigger for queue " + q->get<std::string>());
    }
  }
}

// Exactly one of queue and triggers; the per-queue fields only beside `queue`.
void check_trigger_form(const nlohmann::json& s, const std::string& path, Checker& c) {
  const bool has_queue = s.contains("queue");
  const bool has_triggers = s.contains("triggers");
  if (has_queue && has_triggers) {
    c.error(path, "give exactly one of queue and triggers, not both");
  } else if (!has_queue && !has_triggers) {
    c.error(path, "give exactly one of queue and triggers (the queue whose backlog scales the service)");
  }
  if (has_queue) check_queue_ref(s, path, c);
  if (has_triggers) {
    check_triggers(s["triggers"], field_path(path, "triggers"), c);
    for (std::string_view k : {"targetBacklogPerTask", "includeInFlight", "includeDelayed"}) {
      if (s.contains(std::string(k))) {
        c.error(field_path(path, k), "not allowed with triggers; set it on each trigger");
      }
    }
  }
  check_target(s, path, c);
  c.boolean(s, "includeInFlight", path);
  c.boolean(s, "includeDelayed", path);
}

void check_bounds(const nlohmann::json& s, const std::string& path, Checker& c) {
  const nlohmann::json d = service_defaults()["scaling"];
  std::optional<int64_t> min = c.integer(s, "minTasks", path, 0, kMaxTasksCap);
  std::optional<int64_t> max = c.integer(s, "maxTasks", path, 1, kMaxTasksCap);
  if (!min && s.contains("minTasks")) return;
  if (!max && s.contains("maxTasks")) return;
  const int64_t lo = min.value_or(d["minTasks"].get<int64_t>());
  const int64_t hi = max.value_or(d["maxTasks"].get<int64_t>());
  if (hi < lo) {
    if (max) {
      c.error(field_path(path, "maxTasks"), "must be at least minTasks (" + std::to_string(lo) + "), got " +
                                                std::to_string(hi));
    } else {
      c.error(field_path(path, "maxTasks"), "the default " + std::to_string(hi) + " is less than minTasks (" +
                                                std::to_string(lo) + "); set maxTasks");
    }
  }
}

void check_backlogs(const nlohmann::json& s, const std::string& path, Checker& c) {
  std::optional<int64_t> act = c.integer(s, "activationBacklog", path, 0, kMaxBacklog);
  std::optional<int64_t> deact = c.integer(s, "deactivationBacklog", path, 0, kMaxBacklog);
  if (!deact || (!act && s.contains("activationBacklog"))) return;
  const int64_t a = act.value_or(0);
  // autoscaling.md §2: hysteresis needs deactivation <= activation.
  if (*deact > a) {
    c.error(field_path(path, "deactivationBacklog"), "must be at most activationBacklog (" + std::to_string(a) +
                                                         "), got " + std::to_string(*deact));
  }
}

void check_scale_in(const nlohmann::json& s, const std::string& path, Checker& c) {
  auto it = s.find("scaleIn");
  if (it == s.end()) return;
  const std::string p = field_path(path, "scaleIn");
  if (!c.object(*it, p, {"enabled", "maxTasksPerStep", "stepSeconds"})) return;
  c.boolean(*it, "enabled", p);
  if (it->contains("maxTasksPerStep") && !(*it)["maxTasksPerStep"].is_null()) {
    c.integer(*it, "maxTasksPerStep", p, 1, kMaxTasksCap);
  }
  c.integer(*it, "stepSeconds", p, 1, 86400);
}

void check_evaluation(const nlohmann::json& s, const std::string& path, Checker& c) {
  auto it = s.find("evaluation");
  if (it == s.end()) return;
  const std::string p = field_path(path, "evaluation");
  if (!c.object(*it, p, {"minIntervalMs", "maxIntervalMs"})) return;
  std::optional<int64_t> lo = c.integer(*it, "minIntervalMs", p, 10, 10000);
  std::optional<int64_t> hi = c.integer(*it, "maxIntervalMs", p, 10, 600000);
  if (!hi || (!lo && it->contains("minIntervalMs"))) return;
  const int64_t min = lo.value_or(100);
  if (*hi < min) {
    c.error(field_path(p, "maxIntervalMs"), "must be at least minIntervalMs (" + std::to_string(min) + "), got " +
                                                std::to_string(*hi));
  }
}

void check_scaling(const nlohmann::json& s, const std::string& path, Checker& c) {
  if (!c.object(s, path,
                {"queue", "triggers", "targetBacklogPerTask", "includeInFlight", "includeDelayed", "minTasks",
                 "maxTasks", "tolerance", "scaleOutCooldownSeconds", "scaleInCooldownSeconds",
                 "scaleToZeroDelaySeconds", "activationBacklog", "deactivationBacklog", "scaleIn",
                 "fifoCapAtActiveGroups", "drainTimeoutSeconds", "evaluation"})) {
    return;
  }
  check_trigger_form(s, path, c);
  check_bounds(s, path, c);
  if (std::optional<double> tol = number(s, "tolerance", path, c); tol && (*tol < 0 || *tol >= 1)) {
    c.error(field_path(path, "tolerance"), "must be at least 0 and less than 1, got " + s["tolerance"].dump());
  }
  c.integer(s, "scaleOutCooldownSeconds", path, 0, 86400);
  c.integer(s, "scaleInCooldownSeconds", path, 0, 86400);
  c.integer(s, "scaleToZeroDelaySeconds", path, 0, 86400);
  check_backlogs(s, path, c);
  check_scale_in(s, path, c);
  c.boolean(s, "fifoCapAtActiveGroups", path);
  // autoscaling.md §5.3: null = wait as long as the task holds leases.
  if (s.contains("drainTimeoutSeconds") && !s["drainTimeoutSeconds"].is_null()) {
    c.integer(s, "drainTimeoutSeconds", path, 1, 86400);
  }
  check_evaluation(s, path, c);
}

// Adds every member of `defaults` missing from `out`, recursing into objects.
void fill(nlohmann::json& out, const nlohmann::json& defaults) {
  for (auto it = defaults.begin(); it != defaults.end(); ++it) {
    auto have = out.find(it.key());
    if (have == out.end()) out[it.key()] = it.value();
    else if (have->is_object() && it->is_object()) fill(*have, *it);
  }
}

}  // namespace

void check_service_spec(const nlohmann::json& spec, const std::string& /*name*/, Checker& c) {
  if (spec.is_null()) {
    c.error("spec", "required field is missing (a Service needs spec.template and spec.scaling)");
    return;
  }
  if (!c.object(spec, "spec", {"template", "taskDefinition", "scaling", "paused"})) return;
  // ecosystem.md §3.6: a TaskDefinition ("family[:rev]", e.g. an imported ECS task
  // definition) may stand in for the template; the server resolves it on apply.
  if (spec.contains("template") && spec.contains("taskDefinition")) {
    c.error("spec", "give exactly one of template and taskDefinition, not both");
  } else if (std::optional<std::string> td = c.string(spec, "taskDefinition", "spec")) {
    check_task_definition_ref(*td, "spec.taskDefinition", c);
  } else if (auto t = spec.find("template"); t != spec.end()) {
    check_task_template(*t, "spec.template", c);
  } else if (!spec.contains("taskDefinition")) {
    c.error("spec.template", "required field is missing (or give spec.taskDefinition)");
  }
  if (auto s = spec.find("scaling"); s != spec.end()) check_scaling(*s, "spec.scaling", c);
  else c.error("spec.scaling", "required field is missing");
  c.boolean(spec, "paused", "spec");
}

nlohmann::json service_defaults() {
  return {
      {"paused", false},
      {"template", {{"stopTimeoutSeconds", kDefaultStopTimeoutSeconds}, {"runtime", "process"}}},
      {"scaling",
       {{"targetBacklogPerTask", 5},
        {"includeInFlight", true},
        {"includeDelayed", false},
        {"minTasks", 1},
        {"maxTasks", 10},
        {"tolerance", 0.1},
        {"scaleOutCooldownSeconds", 0},  // autoscaling.md decision A4 (ecosystem.md says 60)
        {"scaleInCooldownSeconds", 300},
        {"scaleToZeroDelaySeconds", 300},
        {"activationBacklog", 0},
        {"deactivationBacklog", 0},
        {"scaleIn", {{"enabled", true}, {"maxTasksPerStep", nullptr}, {"stepSeconds", 15}}},
        {"fifoCapAtActiveGroups", true},
        {"drainTimeoutSeconds", nullptr},
        {"evaluation", {{"minIntervalMs", 100}, {"maxIntervalMs", 1000}}}}},
  };
}

nlohmann::json service_spec_with_defaults(const nlohmann::json& spec) {
  nlohmann::json out = spec.is_object() ? spec : nlohmann::json::object();
  nlohmann::json d = service_defaults();
  nlohmann::json& sd = d["scaling"];
  auto scaling = out.find("scaling");
  if (scaling != out.end() && scaling->is_object() && scaling->contains("triggers")) {
    nlohmann::json per_trigger = nlohmann::json::object();
    for (const char* k : {"targetBacklogPerTask", "includeInFlight", "includeDelayed"}) {
      per_trigger[k] = sd[k];
      sd.erase(k);
    }
    nlohmann::json& triggers = (*scaling)["triggers"];
    if (triggers.is_array()) {
      for (nlohmann::json& t : triggers) {
        if (t.is_object()) fill(t, per_trigger);
      }
    }
  }
  fill(out, d);
  return out;
}

}  // namespace ebb::manifest

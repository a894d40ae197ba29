#include "service/service_spec.h"

#include <cmath>

namespace ebb::service {
namespace {

using nlohmann::json;

const json* field(const json& obj, const char* name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

bool get_bool(const json& obj, const char* name, bool dflt) {
  const json* v = field(obj, name);
  return v && v->is_boolean() ? v->get<bool>() : dflt;
}

std::optional<double> get_number(const json& obj, const char* name) {
  const json* v = field(obj, name);
  if (!v || !v->is_number()) return std::nullopt;
  return v->get<double>();
}

int64_t get_int(const json& obj, const char* name, int64_t dflt) {
  std::optional<double> v = get_number(obj, name);
  return v ? static_cast<int64_t>(*v) : dflt;
}

// Seconds → milliseconds, keeping fractional seconds.
int64_t seconds_ms(const json& obj, const char* name, int64_t dflt_s) {
  std::optional<double> v = get_number(obj, name);
  return v ? static_cast<int64_t>(std::llround(*v * 1000)) : dflt_s * 1000;
}

Result<scale::Trigger> parse_trigger(const json& t, const std::string& where) {
  scale::Trigger out;
  const json* q = field(t, "queue");
  if (!q || !q->is_string() || q->get<std::string>().empty())
    return err(Code::Invalid, where + ".queue: required field is missing");
  out.queue = q->get<std::string>();
  out.target = get_number(t, "targetBacklogPerTask").value_or(5.0);
  if (!std::isfinite(out.target) || out.target <= 0)
    return err(Code::Invalid, where + ".targetBacklogPerTask: must be a finite number > 0");
  out.include_in_flight = get_bool(t, "includeInFlight", true);
  out.include_delayed = get_bool(t, "includeDelayed", false);
  return out;
}

}  // namespace

Result<ServiceSpec> parse_service(const json& doc) {
  ServiceSpec s;
  const json* meta = field(doc, "metadata");
  const json* name = meta ? field(*meta, "name") : nullptr;
  if (!name || !name->is_string() || name->get<std::string>().empty())
    return err(Code::Invalid, "metadata.name: required field is missing");
  s.name = name->get<std::string>();
  const json* spec = field(doc, "spec");
  if (!spec || !spec->is_object()) return err(Code::Invalid, "spec: required field is missing");
  const json* tmpl = field(*spec, "template");
  if (!tmpl) return err(Code::Invalid, "spec.template: required field is missing");
  Result<runtime::TaskTemplate> t = runtime::parse_task_template(*tmpl);
  if (!t) return err(Code::Invalid, "spec." + t.error().message);
  s.task = std::move(*t);
  s.paused = get_bool(*spec, "paused", false);

  static const json kEmpty = json::object();
  const json* sc = field(*spec, "scaling");
  const json& scaling = sc ? *sc : kEmpty;
  scale::Config& c = s.scaling;
  if (const json* triggers = field(scaling, "triggers")) {
    if (!triggers->is_array() || triggers->empty())
      return err(Code::Invalid, "spec.scaling.triggers: must be a non-empty list");
    for (size_t i = 0; i < triggers->size(); ++i) {
      EBB_TRY(scale::Trigger tr, parse_trigger((*triggers)[i], "spec.scaling.triggers[" + std::to_string(i) + "]"));
      c.triggers.push_back(std::move(tr));
    }
  } else {
    EBB_TRY(scale::Trigger tr, parse_trigger(scaling, "spec.scaling"));
    c.triggers.push_back(std::move(tr));
  }
  c.min_tasks = get_int(scaling, "minTasks", 1);
  c.max_tasks = get_int(scaling, "maxTasks", 10);
  if (c.min_tasks < 0 || c.max_tasks < 1 || c.min_tasks > c.max_tasks)
    return err(Code::Invalid, "spec.scaling: need 0 <= minTasks <= maxTasks and maxTasks >= 1");
  c.tolerance = get_number(scaling, "tolerance").value_or(0.1);
  c.scale_out_cooldown = seconds_ms(scaling, "scaleOutCooldownSeconds", 0);
  c.scale_in_window = seconds_ms(scaling, "scaleInCooldownSeconds", 300);
  c.scale_to_zero_delay = seconds_ms(scaling, "scaleToZeroDelaySeconds", 300);
  c.activation_backlog = get_int(scaling, "activationBacklog", 0);
  c.deactivation_backlog = get_int(scaling, "deactivationBacklog", 0);
  if (const json* in = field(scaling, "scaleIn")) {
    c.scale_in_enabled = get_bool(*in, "enabled", true);
    if (const json* k = field(*in, "maxTasksPerStep"); k && k->is_number()) c.scale_in_max_per_step = k->get<int64_t>();
    c.scale_in_step = seconds_ms(*in, "stepSeconds", 15);
  }
  c.fifo_cap_at_groups = get_bool(scaling, "fifoCapAtActiveGroups", true);
  c.paused = s.paused;
  if (const json* d = field(scaling, "drainTimeoutSeconds"); d && d->is_number())
    s.drain_timeout_ms = static_cast<int64_t>(std::llround(d->get<double>() * 1000));
  if (const json* ev = field(scaling, "evaluation")) {
    s.min_interval_ms = get_int(*ev, "minIntervalMs", 100);
    s.max_interval_ms = get_int(*ev, "maxIntervalMs", 1000);
  }
  if (s.min_interval_ms < 0) s.min_interval_ms = 0;
  if (s.max_interval_ms < std::max<int64_t>(s.min_interval_ms, 1)) s.max_interval_ms = std::max<int64_t>(s.min_interval_ms, 1);

  s.doc = json::object();
  s.doc["apiVersion"] = doc.value("apiVersion", "ebb/v1");
  s.doc["kind"] = "Service";
  s.doc["metadata"] = *meta;
  s.doc["spec"] = *spec;
  return s;
}

}  // namespace ebb::service

// ebb scale service/NAME --min N --max M, and ebb suspend|resume
// service|cronjob|schedule|job/NAME… (ecosystem.md §3.2; docs/api.md POST
// /api/v1/TYPE/NAME/scale|suspend|resume). `--min N --max N` pins the service at N
// tasks; suspending a cronjob or schedule stops new runs, suspending a job stops its
// tasks (scheduling.md §6.8).
#include <cstdio>

#include "cli/commands.h"
#include "cli/resource_kind.h"
#include "cli/strict_number.h"

namespace ebb::cli {
namespace {

// The service names of `TYPE NAME…` / `service/NAME`; only services can be scaled.
Outcome<std::vector<std::string>> service_names(const std::string& verb, const std::string& type,
                                                const std::vector<std::string>& names) {
  Outcome<TypeAndNames> tn = resolve_type(type, names);
  if (!tn.ok()) return tn.error();
  if (tn->type != "services") {
    return usage_error(verb + ": resource type \"" + type + "\" cannot be " + (verb == "scale" ? "scaled" : verb == "resume" ? "resumed" : "suspended"),
                       "ebb " + verb + " service/NAME");
  }
  if (tn->names.empty()) return usage_error(verb + " needs a name: ebb " + verb + " service/NAME");
  return tn->names;
}

std::string service_path(ApiClient& api, const std::string& name) { return "/api/v1/services/" + api.escape(name); }

CliError named(CliError e, const std::string& name) {
  if (is_not_found(e)) e.message = "service \"" + name + "\" not found";
  return e;
}

}  // namespace

// Upper bound for --min/--max before the server applies its own cap.
constexpr int64_t kMaxTasksFlag = 1000000;

int run_scale(ApiClient& api, const ScaleOptions& o) {
  Outcome<std::vector<std::string>> names = service_names("scale", o.type, o.names);
  if (!names.ok()) return report(names.error());
  if (names->size() != 1) return report(usage_error("scale takes one service"));
  if (o.min.empty() && o.max.empty()) return report(usage_error("scale needs --min, --max or both"));
  nlohmann::json body = nlohmann::json::object();
  std::optional<int64_t> min, max;
  if (!o.min.empty()) {
    Outcome<int64_t> v = parse_int_flag("--min", o.min, 0, kMaxTasksFlag);
    if (!v.ok()) return report(v.error());
    min = *v;
    body["min"] = *v;
  }
  if (!o.max.empty()) {
    Outcome<int64_t> v = parse_int_flag("--max", o.max, 1, kMaxTasksFlag);
    if (!v.ok()) return report(v.error());
    max = *v;
    body["max"] = *v;
  }
  if (min && max && *min > *max) {
    return report(usage_error("--min " + std::to_string(*min) + " is greater than --max " + std::to_string(*max)));
  }
  const std::string& name = names->front();
  Outcome<nlohmann::json> r = api.post(service_path(api, name) + "/scale", body);
  if (!r.ok()) return report(named(r.error(), name));
  std::printf("service/%s scaled\n", name.c_str());
  return kExitOk;
}

int run_suspend(ApiClient& api, const SuspendOptions& o, bool resume) {
  const std::string verb = resume ? "resume" : "suspend";
  Outcome<TypeAndNames> tn = resolve_type(o.type, o.names);
  if (!tn.ok()) return report(tn.error());
  const std::string& type = tn->type;
  if (type != "services" && type != "cronjobs" && type != "schedules" && type != "jobs") {
    return report(usage_error(verb + ": resource type \"" + o.type + "\" cannot be " + (resume ? "resumed" : "suspended"),
                              "ebb " + verb + " service/NAME, cronjob/NAME, schedule/NAME or job/NAME"));
  }
  const ResourceKind& kind = resource_kind(type);
  if (tn->names.empty()) return report(usage_error(verb + " needs a name: ebb " + verb + " " + kind.singular + "/NAME"));
  int exit = kExitOk;
  for (const std::string& name : tn->names) {
    Outcome<nlohmann::json> r = api.post(object_path(api, kind, name) + "/" + verb, nlohmann::json::object());
    if (!r.ok()) {
      CliError e = r.error();
      if (is_not_found(e)) e.message = not_found_message(kind, name);
      exit = report(e);
      if (exit == kExitUnreachable) return exit;
      continue;
    }
    std::printf("%s/%s %s\n", kind.singular.c_str(), name.c_str(), resume ? "resumed" : "suspended");
  }
  return exit;
}

}  // namespace ebb::cli

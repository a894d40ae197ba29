// ebb delete queue|service|eventsource|schedule|cronjob|job NAME… [--yes]. Deleting a
// cronjob or schedule stops future runs (docs/api.md). kubectl deletes without
// asking; ebb asks only when a queue still holds messages: on a terminal it asks,
// otherwise it needs --yes (ecosystem.md §3.2 "Destructive commands"). Deleting a
// service stops its tasks (SIGTERM, then SIGKILL after its stop timeout).
#include <cstdio>

#include "cli/commands.h"
#include "cli/queue_view.h"
#include "cli/resource_kind.h"
#include "cli/terminal.h"

namespace ebb::cli {

namespace {

// Messages a queue object says it holds (visible + in flight + delayed).
int64_t messages_held(const nlohmann::json& q) {
  return int_at(q, {"status", "visible"}).value_or(0) + int_at(q, {"status", "inFlight"}).value_or(0) +
         int_at(q, {"status", "delayed"}).value_or(0);
}

// Services and event sources: no question, as kubectl.
int delete_plain(ApiClient& api, const ResourceKind& kind, const std::vector<std::string>& names) {
  int exit = kExitOk;
  for (const std::string& name : names) {
    Outcome<nlohmann::json> r = api.del(object_path(api, kind, name));
    if (!r.ok()) {
      CliError e = r.error();
      if (is_not_found(e)) e.message = not_found_message(kind, name);
      exit = report(e);
      if (e.exit == kExitUnreachable) return exit;
      continue;
    }
    std::printf("%s \"%s\" deleted\n", kind.singular.c_str(), name.c_str());
  }
  return exit;
}

}  // namespace

int run_delete(ApiClient& api, const DeleteOptions& o) {
  Outcome<TypeAndNames> tn = resolve_type(o.type, o.names);
  if (!tn.ok()) return report(tn.error());
  const ResourceKind& kind = resource_kind(tn->type);
  if (tn->type == "tasks") {
    return report(usage_error("tasks cannot be deleted", "scale the service down, or delete the service"));
  }
  if (tn->names.empty()) return report(usage_error("delete needs a name: ebb delete " + kind.singular + " NAME…"));
  if (tn->type != "queues") return delete_plain(api, kind, tn->names);
  int exit = kExitOk;
  for (const std::string& name : tn->names) {
    const std::string path = api.queue_path(name);
    Outcome<nlohmann::json> q = api.get(path);
    if (!q.ok()) {
      CliError e = q.error();
      if (is_not_found(e)) e.message = "queue \"" + name + "\" not found";
      exit = report(e);
      if (e.exit == kExitUnreachable) return exit;
      continue;
    }
    if (int64_t held = messages_held(*q); held > 0 && !o.yes) {
      std::string what = "queue/" + name + " holds " + std::to_string(held) + (held == 1 ? " message" : " messages");
      if (!stdin_is_terminal()) {
        exit = report(usage_error(what + "; not deleted", "pass --yes to delete it with its messages"));
        continue;
      }
      if (!confirm(what + ". Delete it?")) {
        std::fprintf(stderr, "queue/%s not deleted\n", name.c_str());
        continue;
      }
    }
    Outcome<nlohmann::json> r = api.del(path);
    if (!r.ok()) {
      exit = report(r.error());
      if (r.error().exit == kExitUnreachable) return exit;
      continue;
    }
    std::printf("queue \"%s\" deleted\n", name.c_str());
  }
  return exit;
}

}  // namespace ebb::cli

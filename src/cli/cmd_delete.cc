// ebb delete queue NAME… [--yes]. kubectl deletes without asking; ebb asks only
// when a queue still holds messages: on a terminal it asks, otherwise it needs --yes
// (ecosystem.md §3.2 "Destructive commands").
#include <cstdio>

#include "cli/commands.h"
#include "cli/queue_view.h"
#include "cli/terminal.h"

namespace ebb::cli {

namespace {

// Messages a queue object says it holds (visible + in flight + delayed).
int64_t messages_held(const nlohmann::json& q) {
  return int_at(q, {"status", "visible"}).value_or(0) + int_at(q, {"status", "inFlight"}).value_or(0) +
         int_at(q, {"status", "delayed"}).value_or(0);
}

}  // namespace

int run_delete(ApiClient& api, const DeleteOptions& o) {
  Outcome<TypeAndNames> tn = resolve_type(o.type, o.names);
  if (!tn.ok()) return report(tn.error());
  if (tn->names.empty()) return report(usage_error("delete needs a name: ebb delete queue NAME…"));
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

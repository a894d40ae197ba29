// ebb get TYPE [NAME…] [-o wide|json|yaml|name] [--no-headers] [-w] [--watch-only]
// (ecosystem.md §3.2); tasks also take --owner service/NAME and -a/--all.
#include <cstdio>

#include "cli/commands.h"
#include "cli/resource_kind.h"
#include "cli/table.h"
#include "cli/watch.h"
#include "cli/yaml_output.h"

namespace ebb::cli {
namespace {

void print_table(const ResourceKind& kind, const std::vector<nlohmann::json>& objects, bool wide, bool no_headers) {
  std::vector<std::string> headers = kind.headers;
  if (wide) headers.insert(headers.end(), kind.wide_headers.begin(), kind.wide_headers.end());
  Table t(headers);
  auto now = std::chrono::system_clock::now();
  for (const auto& o : objects) t.add_row(kind.row(o, wide, now));
  std::fputs(t.render(no_headers).c_str(), stdout);
}

}  // namespace

int run_get(ApiClient& api, const GetOptions& o) {
  Outcome<TypeAndNames> tn = resolve_type(o.type, o.names);
  if (!tn.ok()) return report(tn.error());
  const ResourceKind& kind = resource_kind(tn->type);

  std::string query;
  if (tn->type == "tasks") {
    if (!o.owner.empty()) {
      if (o.owner.rfind("service/", 0) != 0 || o.owner.size() == 8) {
        return report(usage_error("--owner \"" + o.owner + "\": expected service/NAME"));
      }
      query += "owner=" + api.escape(o.owner);
    }
    if (o.all) query += std::string(query.empty() ? "" : "&") + "all=true";
    if (!query.empty()) query = "?" + query;
  } else if (!o.owner.empty() || o.all) {
    return report(usage_error(std::string(!o.owner.empty() ? "--owner" : "--all") + " applies to tasks only"));
  }
  if (!tn->names.empty() && !query.empty()) {
    return report(usage_error("--owner and --all select from the list; do not combine them with names"));
  }
  const bool watch = o.watch || o.watch_only;
  std::optional<PollLoop> loop;
  if (watch) {
    Outcome<PollLoop> l = PollLoop::start();
    if (!l.ok()) return report(l.error());
    loop = *l;
  }

  Outcome<Fetched> f = fetch_objects(api, kind, tn->names, query);
  if (!f.ok()) return report(f.error());
  int exit = kExitOk;
  for (const std::string& name : f->missing) exit = report(CliError{kExitRefused, not_found_message(kind, name), {}, ""});
  for (const CliError& e : f->refused) exit = report(e);
  const std::vector<nlohmann::json>& objects = f->objects;

  if (watch && exit == kExitOk) {
    if (objects.empty() && tn->names.empty() && !o.watch_only && (o.output.empty() || o.output == "wide")) {
      std::fprintf(stderr, "No %s found.\n", kind.type.c_str());
    }
    WatchRequest w{&kind, tn->names, query, o.output, o.no_headers, o.watch_only};
    return run_watch(api, w, objects, *loop);
  }

  const bool single = tn->names.size() == 1;
  if (o.output == "json" || o.output == "yaml") {
    nlohmann::json out;
    if (single && objects.size() == 1) {
      out = objects[0];
    } else if (!single || !objects.empty()) {
      out = {{"apiVersion", "ebb/v1"}, {"kind", "List"}, {"items", objects}};
    }
    if (!out.is_null()) std::fputs(o.output == "json" ? (dump_json(out, 2) + "\n").c_str() : to_yaml(out).c_str(), stdout);
  } else if (o.output == "name") {
    for (const auto& obj : objects) std::printf("%s/%s\n", kind.singular.c_str(), object_name(obj).c_str());
  } else if (!objects.empty()) {
    print_table(kind, objects, o.output == "wide", o.no_headers);
  } else if (tn->names.empty()) {
    std::fprintf(stderr, "No %s found.\n", kind.type.c_str());  // kubectl: "No resources found"
  }
  return exit;
}

}  // namespace ebb::cli

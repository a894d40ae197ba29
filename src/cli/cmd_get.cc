// ebb get queues [NAME…] [-o wide|json|yaml|name] [--no-headers] (ecosystem.md §3.2).
#include <cstdio>

#include "cli/commands.h"
#include "cli/human_format.h"
#include "cli/queue_view.h"
#include "cli/table.h"
#include "cli/yaml_output.h"

namespace ebb::cli {
namespace {

std::string seconds_text(const std::optional<int64_t>& s) {
  return s ? human_duration(std::chrono::seconds(*s)) : "";
}

std::vector<std::string> queue_row(const nlohmann::json& q, bool wide, std::chrono::system_clock::time_point now) {
  auto visible = int_at(q, {"status", "visible"});
  auto oldest = int_at(q, {"status", "oldestAgeSeconds"});
  // An empty queue has no oldest message, whatever the server reports for it.
  std::string oldest_text = (visible && *visible == 0) ? "" : seconds_text(oldest);
  std::vector<std::string> row = {
      string_at(q, {"metadata", "name"}).value_or(""),
      text_of(visible),
      text_of(int_at(q, {"status", "inFlight"})),
      text_of(int_at(q, {"status", "delayed"})),
      oldest_text,
      string_at(q, {"spec", "deadLetter", "queue"}).value_or(""),
      age_of(q, now),
  };
  if (wide) {
    bool fifo = bool_at(q, {"spec", "fifo"}).value_or(false);
    row.push_back(fifo ? "fifo" : "standard");
    row.push_back(seconds_text(int_at(q, {"spec", "visibilityTimeoutSeconds"})));
    row.push_back(seconds_text(int_at(q, {"spec", "messageRetentionSeconds"})));
    row.push_back(text_of(int_at(q, {"spec", "deadLetter", "maxReceiveCount"})));
    row.push_back(string_at(q, {"status", "url"}).value_or(""));
  }
  return row;
}

void print_table(const std::vector<nlohmann::json>& queues, bool wide, bool no_headers) {
  std::vector<std::string> headers = {"NAME", "VISIBLE", "IN-FLIGHT", "DELAYED", "OLDEST", "DLQ", "AGE"};
  if (wide) headers.insert(headers.end(), {"TYPE", "VISIBILITY", "RETENTION", "MAX-RECEIVES", "URL"});
  Table t(headers);
  auto now = std::chrono::system_clock::now();
  for (const auto& q : queues) t.add_row(queue_row(q, wide, now));
  std::fputs(t.render(no_headers).c_str(), stdout);
}

}  // namespace

int run_get(ApiClient& api, const GetOptions& o) {
  Outcome<TypeAndNames> tn = resolve_type(o.type, o.names);
  if (!tn.ok()) return report(tn.error());

  std::vector<nlohmann::json> queues;
  int exit = kExitOk;
  if (tn->names.empty()) {
    Outcome<nlohmann::json> list = api.get("/api/v1/queues");
    if (!list.ok()) return report(list.error());
    if (auto items = list->find("items"); items != list->end() && items->is_array()) {
      for (auto& q : *items) queues.push_back(q);
    }
  } else {
    for (const std::string& name : tn->names) {
      Outcome<nlohmann::json> q = api.get(api.queue_path(name));
      if (q.ok()) {
        queues.push_back(*q);
        continue;
      }
      // Like kubectl: show what exists, report each missing name, exit non-zero.
      CliError e = q.error();
      if (is_not_found(e)) e.message = "queue \"" + name + "\" not found";
      exit = report(e);
      if (e.exit == kExitUnreachable) return exit;
    }
  }

  const bool single = tn->names.size() == 1;
  if (o.output == "json" || o.output == "yaml") {
    nlohmann::json out;
    if (single && queues.size() == 1) {
      out = queues[0];
    } else if (!single || !queues.empty()) {
      out = {{"apiVersion", "ebb/v1"}, {"kind", "List"}, {"items", queues}};
    }
    if (!out.is_null()) std::fputs(o.output == "json" ? (dump_json(out, 2) + "\n").c_str() : to_yaml(out).c_str(), stdout);
  } else if (o.output == "name") {
    for (const auto& q : queues) std::printf("queue/%s\n", string_at(q, {"metadata", "name"}).value_or("").c_str());
  } else if (!queues.empty()) {
    print_table(queues, o.output == "wide", o.no_headers);
  } else if (tn->names.empty()) {
    std::fputs("No queues found.\n", stderr);  // kubectl: "No resources found"
  }
  return exit;
}

}  // namespace ebb::cli

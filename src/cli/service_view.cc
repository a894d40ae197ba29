#include "cli/service_view.h"

#include <cctype>
#include <cstdio>

#include "cli/detail_page.h"
#include "cli/human_format.h"
#include "cli/table.h"
#include "cli/task_view.h"

namespace ebb::cli {
namespace {

std::string triggers_field(const nlohmann::json* triggers, const char* key) {
  if (!triggers || !triggers->is_array()) return "";
  std::string out;
  for (const auto& t : *triggers) {
    std::string v = scalar_text(find_at(t, {key}));
    if (v.empty()) continue;
    out += (out.empty() ? "" : ",") + v;
  }
  return out;
}

// status.X when the server reports it (it reflects `ebb scale`), else spec.scaling.X.
std::string status_or_spec(const nlohmann::json& s, const char* status_key, const char* spec_key) {
  std::string v = scalar_text(find_at(s, {"status", status_key}));
  return v.empty() ? scalar_text(find_at(s, {"spec", "scaling", spec_key})) : v;
}

std::string target_text(const nlohmann::json& s) {
  std::string v = status_or_spec(s, "target", "targetBacklogPerTask");
  return v.empty() ? triggers_field(find_at(s, {"spec", "scaling", "triggers"}), "targetBacklogPerTask") : v;
}

std::string resources_text(const nlohmann::json& s) {
  std::string cpu = scalar_text(find_at(s, {"spec", "template", "resources", "cpu"}));
  std::string mem = scalar_text(find_at(s, {"spec", "template", "resources", "memory"}));
  std::string out;
  if (!cpu.empty()) out += "cpu " + cpu;
  if (!mem.empty()) out += (out.empty() ? "" : ", ") + std::string("memory ") + mem;
  return out;
}

std::string bool_text(const std::optional<bool>& b) { return b ? (*b ? "true" : "false") : ""; }

void print_limits(const nlohmann::json* limits) {
  if (!limits || !limits->is_object()) {
    detail_line("Limits:", "");
    return;
  }
  std::string runtime = scalar_text(find_at(*limits, {"runtime"}));
  std::string cgroup = scalar_text(find_at(*limits, {"cgroup"}));
  std::printf("Limits enforced:\n");
  detail_line("Runtime:", runtime, 2);
  detail_line("Cgroup:", cgroup, 2);
  for (auto it = limits->begin(); it != limits->end(); ++it) {
    if (!it.value().is_boolean()) continue;
    std::string label = it.key() + ":";
    if (!label.empty()) label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    if (it.key() == "pids") label = "PIDs:";
    if (it.key() == "cpu") label = "CPU:";
    detail_line(label.c_str(), it.value().get<bool>() ? "enforced" : "not enforced", 2);
  }
  const nlohmann::json* notes = find_at(*limits, {"notes"});
  if (notes && notes->is_array() && !notes->empty()) {
    std::printf("  Notes:\n");
    for (const auto& n : *notes) std::printf("    %s\n", scalar_text(&n).c_str());
  }
}

}  // namespace

std::string service_queues(const nlohmann::json& s) {
  if (auto q = string_at(s, {"spec", "scaling", "queue"}); q && !q->empty()) return *q;
  std::string from_spec = triggers_field(find_at(s, {"spec", "scaling", "triggers"}), "queue");
  return from_spec.empty() ? triggers_field(find_at(s, {"status", "triggers"}), "queue") : from_spec;
}

std::vector<std::string> service_row(const nlohmann::json& s, bool wide, TimePoint now) {
  std::vector<std::string> row = {
      string_at(s, {"metadata", "name"}).value_or(""),
      service_queues(s),
      scalar_text(find_at(s, {"status", "desired"})),
      scalar_text(find_at(s, {"status", "running"})),
      scalar_text(find_at(s, {"status", "backlogPerTask"})),
      target_text(s),
      age_of(s, now),
  };
  if (wide) {
    row.push_back(status_or_spec(s, "minTasks", "minTasks"));
    row.push_back(status_or_spec(s, "maxTasks", "maxTasks"));
    row.push_back(scalar_text(find_at(s, {"spec", "template", "resources", "cpu"})));
    row.push_back(scalar_text(find_at(s, {"spec", "template", "resources", "memory"})));
    row.push_back(age_since(string_at(s, {"status", "lastScaleTime"}), now));
  }
  return row;
}

int describe_service(ApiClient& api, const nlohmann::json& s) {
  const TimePoint now = std::chrono::system_clock::now();
  const std::string name = string_at(s, {"metadata", "name"}).value_or("");
  int exit = kExitOk;

  detail_line("Name:", name);
  detail_line("Labels:", labels_text(s));
  detail_line("Created:", time_with_age(string_at(s, {"metadata", "creationTimestamp"}), now));
  detail_line("Command:", join_strings(find_at(s, {"spec", "template", "command"}), " "));
  if (find_at(s, {"spec", "template", "args"})) {
    detail_line("Args:", join_strings(find_at(s, {"spec", "template", "args"}), " "));
  }
  if (auto wd = string_at(s, {"spec", "template", "workingDir"})) detail_line("Working directory:", *wd);
  detail_line("Resources:", resources_text(s));
  if (auto st = int_at(s, {"spec", "template", "stopTimeoutSeconds"})) detail_line("Stop timeout:", seconds_detail(st));

  std::printf("Scaling:\n");
  const nlohmann::json* spec_triggers = find_at(s, {"spec", "scaling", "triggers"});
  if (spec_triggers && spec_triggers->is_array()) detail_line("Queues:", service_queues(s), 2);
  else detail_line("Queue:", service_queues(s), 2);
  detail_line("Min tasks:", status_or_spec(s, "minTasks", "minTasks"), 2);
  detail_line("Max tasks:", status_or_spec(s, "maxTasks", "maxTasks"), 2);
  detail_line("Target backlog/task:", target_text(s), 2);
  if (auto b = bool_at(s, {"spec", "scaling", "includeInFlight"})) detail_line("Include in flight:", bool_text(b), 2);
  if (auto c = int_at(s, {"spec", "scaling", "scaleOutCooldownSeconds"})) detail_line("Scale-out cooldown:", seconds_detail(c), 2);
  if (auto c = int_at(s, {"spec", "scaling", "scaleInCooldownSeconds"})) detail_line("Scale-in cooldown:", seconds_detail(c), 2);

  std::printf("Status:\n");
  detail_line("Paused:", bool_text(bool_at(s, {"status", "paused"})), 2);
  detail_line("Desired:", scalar_text(find_at(s, {"status", "desired"})), 2);
  detail_line("Running:", scalar_text(find_at(s, {"status", "running"})), 2);
  detail_line("Starting:", scalar_text(find_at(s, {"status", "starting"})), 2);
  detail_line("Draining:", scalar_text(find_at(s, {"status", "draining"})), 2);
  detail_line("Stopping:", scalar_text(find_at(s, {"status", "stopping"})), 2);
  detail_line("Backlog:", scalar_text(find_at(s, {"status", "backlog"})), 2);
  detail_line("Backlog per task:", scalar_text(find_at(s, {"status", "backlogPerTask"})), 2);
  std::string last = time_with_age(string_at(s, {"status", "lastScaleTime"}), now);
  std::string reason = scalar_text(find_at(s, {"status", "lastReason"}));
  detail_line("Last scale:", last.empty() ? reason : (reason.empty() ? last : last + ", " + reason), 2);
  if (auto b = int_at(s, {"status", "restartBackoffSeconds"})) detail_line("Restart backoff:", seconds_detail(b), 2);

  const nlohmann::json* triggers = find_at(s, {"status", "triggers"});
  Table tt({"QUEUE", "VISIBLE", "IN-FLIGHT", "DELAYED", "GROUPS", "BACKLOG", "RECOMMENDATION"});
  if (triggers && triggers->is_array()) {
    for (const auto& t : *triggers) {
      tt.add_row({scalar_text(find_at(t, {"queue"})), scalar_text(find_at(t, {"visible"})),
                  scalar_text(find_at(t, {"inFlight"})), scalar_text(find_at(t, {"delayed"})),
                  scalar_text(find_at(t, {"activeGroups"})), scalar_text(find_at(t, {"backlog"})),
                  scalar_text(find_at(t, {"recommendation"}))});
    }
  }
  detail_table("Triggers:", tt, !triggers || !triggers->is_array() || triggers->empty());

  print_limits(find_at(s, {"status", "limits"}));

  // Tasks: the service's current tasks.
  Outcome<nlohmann::json> tasks = api.get("/api/v1/tasks?owner=" + api.escape("service/" + name));
  if (!tasks.ok()) {
    exit = report(tasks.error());
    detail_line("Tasks:", "<unknown>");
  } else {
    const nlohmann::json* items = find_at(*tasks, {"items"});
    Table t({"NAME", "STATUS", "EXIT", "PID", "RUNTIME", "AGE"});
    size_t n = 0;
    if (items && items->is_array()) {
      for (const auto& task : *items) {
        std::vector<std::string> r = task_row(task, true, now);
        // task_row: NAME OWNER STATUS EXIT ATTEMPT AGE PID RUNTIME CPU MEMORY
        t.add_row({r[0], r[2], r[3], r[6], r[7], r[5]});
        ++n;
      }
    }
    detail_table("Tasks:", t, n == 0);
  }

  Outcome<nlohmann::json> events = api.get("/api/v1/services/" + api.escape(name) + "/events");
  if (!events.ok()) {
    int e = report(events.error());
    if (exit == kExitOk) exit = e;
    detail_line("Events:", "<unknown>");
  } else {
    detail_events(find_at(*events, {"items"}), now);
  }
  return exit;
}

}  // namespace ebb::cli

#include "cli/task_view.h"

#include <cstdio>

#include "cli/detail_page.h"
#include "cli/human_format.h"

namespace ebb::cli {
namespace {

std::string status_text(const nlohmann::json& t) {
  std::string state = scalar_text(find_at(t, {"status", "state"}));
  std::string reason = scalar_text(find_at(t, {"status", "reason"}));
  if ((state == "Failed" || state == "Lost") && !reason.empty() && reason != state) return state + " (" + reason + ")";
  return state;
}

std::string exit_text(const nlohmann::json& t) {
  std::string code = scalar_text(find_at(t, {"status", "exitCode"}));
  if (!code.empty()) return code;
  const nlohmann::json* sig = find_at(t, {"status", "signal"});
  if (sig && sig->is_number_integer()) return "signal " + std::to_string(sig->get<int64_t>());
  return scalar_text(sig);  // "SIGKILL"
}

std::string attempt_text(const nlohmann::json& t) {
  std::string a = scalar_text(find_at(t, {"status", "attempt"}));
  if (a.empty()) a = scalar_text(find_at(t, {"spec", "attempt"}));
  return a.empty() ? "-" : a;
}

std::optional<std::chrono::seconds> run_time(const nlohmann::json& t, TimePoint now) {
  auto started = string_at(t, {"status", "startedAt"});
  if (!started) return std::nullopt;
  auto from = parse_rfc3339(*started);
  if (!from) return std::nullopt;
  TimePoint to = now;
  if (auto ended = string_at(t, {"status", "endedAt"})) {
    auto e = parse_rfc3339(*ended);
    if (!e) return std::nullopt;
    to = *e;
  }
  return std::chrono::duration_cast<std::chrono::seconds>(to - *from);
}

std::string cpu_text(const nlohmann::json& t) {
  auto cpu = number_at(t, {"status", "cpuSeconds"});
  return cpu ? decimal_text(*cpu) + "s" : "";
}

std::string memory_text(const nlohmann::json& t) {
  auto rss = int_at(t, {"status", "peakRssBytes"});
  return rss ? human_bytes_rounded(*rss) : "";
}

}  // namespace

bool task_finished(const nlohmann::json& t) {
  std::string state = scalar_text(find_at(t, {"status", "state"}));
  return state == "Succeeded" || state == "Failed" || state == "Lost";
}

std::vector<std::string> task_row(const nlohmann::json& t, bool wide, TimePoint now) {
  std::vector<std::string> row = {
      string_at(t, {"metadata", "name"}).value_or(""),
      scalar_text(find_at(t, {"spec", "owner"})),
      status_text(t),
      exit_text(t),
      attempt_text(t),
      age_of(t, now),
  };
  if (wide) {
    row.push_back(scalar_text(find_at(t, {"status", "pid"})));
    auto rt = run_time(t, now);
    row.push_back(rt ? human_duration(*rt) : "");
    row.push_back(cpu_text(t));
    row.push_back(memory_text(t));
  }
  return row;
}

int describe_task(ApiClient& api, const nlohmann::json& t) {
  const TimePoint now = std::chrono::system_clock::now();
  const std::string name = string_at(t, {"metadata", "name"}).value_or("");
  const std::string owner = scalar_text(find_at(t, {"spec", "owner"}));
  detail_line("Name:", name);
  detail_line("Owner:", owner);
  detail_line("Created:", time_with_age(string_at(t, {"metadata", "creationTimestamp"}), now));
  detail_line("Command:", join_strings(find_at(t, {"spec", "command"}), " "));
  std::string res;
  if (auto cpu = scalar_text(find_at(t, {"spec", "cpu"})); !cpu.empty()) res = "cpu " + cpu;
  if (auto mem = scalar_text(find_at(t, {"spec", "memory"})); !mem.empty()) res += (res.empty() ? "" : ", ") + std::string("memory ") + mem;
  detail_line("Resources:", res);
  detail_line("State:", scalar_text(find_at(t, {"status", "state"})));
  detail_line("Reason:", scalar_text(find_at(t, {"status", "reason"})));
  detail_line("Message:", scalar_text(find_at(t, {"status", "message"})));
  detail_line("Exit code:", scalar_text(find_at(t, {"status", "exitCode"})));
  detail_line("Signal:", scalar_text(find_at(t, {"status", "signal"})));
  detail_line("Attempt:", attempt_text(t));
  detail_line("PID:", scalar_text(find_at(t, {"status", "pid"})));
  detail_line("Started:", time_with_age(string_at(t, {"status", "startedAt"}), now));
  detail_line("Ended:", time_with_age(string_at(t, {"status", "endedAt"}), now));
  auto rt = run_time(t, now);
  detail_line("Run time:", rt ? human_duration(*rt) : "");
  detail_line("CPU time:", cpu_text(t));
  auto rss = int_at(t, {"status", "peakRssBytes"});
  detail_line("Peak memory:", rss ? human_bytes_rounded(*rss) + " (" + std::to_string(*rss) + " bytes)" : "");
  detail_line("Leases:", scalar_text(find_at(t, {"status", "leases"})));
  detail_line("Draining:", scalar_text(find_at(t, {"status", "draining"})));
  detail_line("Stop reason:", scalar_text(find_at(t, {"status", "stopReason"})));
  detail_line("Log:", scalar_text(find_at(t, {"status", "logPath"})));

  // Task events are kept with the owning service's events.
  if (owner.rfind("service/", 0) != 0) {
    detail_line("Events:", "");
    return kExitOk;
  }
  Outcome<nlohmann::json> events = api.get("/api/v1/services/" + api.escape(owner.substr(8)) + "/events");
  if (!events.ok()) {
    if (is_not_found(events.error())) {  // the service is gone; its task record stays
      detail_line("Events:", "");
      return kExitOk;
    }
    detail_line("Events:", "<unknown>");
    return report(events.error());
  }
  nlohmann::json mine = nlohmann::json::array();
  if (const nlohmann::json* items = find_at(*events, {"items"}); items && items->is_array()) {
    for (const auto& e : *items) {
      if (string_at(e, {"object"}).value_or("") == "task/" + name) mine.push_back(e);
    }
  }
  detail_events(&mine, now);
  return kExitOk;
}

}  // namespace ebb::cli

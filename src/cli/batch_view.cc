#include "cli/batch_view.h"

#include <cstdio>

#include "cli/detail_page.h"
#include "cli/human_format.h"
#include "cli/resource_kind.h"
#include "cli/table.h"
#include "cli/task_view.h"

namespace ebb::cli {
namespace {

std::optional<TimePoint> time_at(const nlohmann::json& j, std::initializer_list<const char*> path) {
  auto s = string_at(j, path);
  if (!s) return std::nullopt;
  auto t = parse_rfc3339(*s);
  if (!t) return std::nullopt;
  return TimePoint(*t);
}

std::string job_status(const nlohmann::json& j) {
  for (const char* type : {"Failed", "Complete", "Suspended", "FailureTarget", "SuccessCriteriaMet"}) {
    if (job_condition(j, type)) return type;
  }
  return "Running";
}

std::string completions_text(const nlohmann::json& j) {
  const std::string succeeded = std::to_string(int_at(j, {"status", "succeeded"}).value_or(0));
  auto completions = int_at(j, {"spec", "completions"});
  auto parallelism = int_at(j, {"spec", "parallelism"});
  if (completions) return succeeded + "/" + std::to_string(*completions);
  if (parallelism && *parallelism != 1) return succeeded + "/1 of " + std::to_string(*parallelism);
  return succeeded + "/1";
}

std::string job_duration(const nlohmann::json& j, TimePoint now) {
  auto start = time_at(j, {"status", "startTime"});
  if (!start) return "";
  TimePoint end = time_at(j, {"status", "completionTime"}).value_or(now);
  return human_duration(std::chrono::duration_cast<std::chrono::seconds>(end - *start));
}

std::string suspend_text(const nlohmann::json& o) { return bool_at(o, {"spec", "suspend"}).value_or(false) ? "True" : "False"; }

std::string zone_text(const nlohmann::json& o) { return string_at(o, {"spec", "timeZone"}).value_or("UTC"); }

std::string until_text(const std::optional<std::string>& ts, TimePoint now) {
  if (!ts) return "";
  auto t = parse_rfc3339(*ts);
  if (!t) return "";
  auto d = std::chrono::duration_cast<std::chrono::seconds>(TimePoint(*t) - now);
  return d.count() <= 0 ? "now" : "in " + human_duration(d);
}

std::string lateness_text(const nlohmann::json* run) {
  if (!run) return "";
  auto ms = int_at(*run, {"latenessMs"});
  if (!ms) return "";
  if (*ms < 1000) return std::to_string(*ms) + "ms";
  return decimal_text(static_cast<double>(*ms) / 1000.0) + "s";
}

const nlohmann::json* last_run(const nlohmann::json& o) {
  const nlohmann::json* runs = find_at(o, {"status", "runs"});
  if (!runs || !runs->is_array() || runs->empty()) return nullptr;
  return &runs->back();
}

std::string target_text(const nlohmann::json& s) {
  const nlohmann::json* t = find_at(s, {"spec", "target"});
  if (!t || !t->is_object()) return "";
  if (t->contains("task")) return "task";
  if (auto td = string_at(*t, {"taskDefinition"})) return "taskdefinition/" + *td;
  if (auto q = string_at(*t, {"queue"})) return "queue/" + *q;
  return "";
}

// The runs table of a CronJob or Schedule: the last `limit` runs, oldest first.
void runs_table(const nlohmann::json& o, size_t limit = 10) {
  const nlohmann::json* runs = find_at(o, {"status", "runs"});
  Table t({"SLOT", "START", "LATENESS", "OUTCOME", "JOB/MESSAGE"});
  size_t n = runs && runs->is_array() ? runs->size() : 0;
  for (size_t i = n > limit ? n - limit : 0; i < n; ++i) {
    const nlohmann::json& r = (*runs)[i];
    std::string outcome = scalar_text(find_at(r, {"outcome"}));
    std::string error = scalar_text(find_at(r, {"error"}));
    if (!error.empty()) outcome += " (" + error + ")";
    std::string what = scalar_text(find_at(r, {"job"}));
    if (what.empty()) what = scalar_text(find_at(r, {"messageId"}));
    t.add_row({scalar_text(find_at(r, {"slot"})), scalar_text(find_at(r, {"start"})), lateness_text(&r), outcome, what});
  }
  detail_table("Runs:", t, n == 0);
}

int print_events(ApiClient& api, const std::string& collection, const std::string& name, TimePoint now) {
  Outcome<nlohmann::json> events = api.get("/api/v1/" + collection + "/" + api.escape(name) + "/events");
  if (!events.ok()) {
    int e = report(events.error());
    detail_line("Events:", "<unknown>");
    return e;
  }
  detail_events(find_at(*events, {"items"}), now);
  return kExitOk;
}

std::string int_text(const nlohmann::json& o, std::initializer_list<const char*> path) { return text_of(int_at(o, path)); }

// The first container of a pod template: command (and args) or image.
void template_lines(const nlohmann::json& pod_template) {
  const nlohmann::json* containers = find_at(pod_template, {"spec", "containers"});
  if (!containers || !containers->is_array() || containers->empty()) return;
  const nlohmann::json& c = (*containers)[0];
  detail_line("Image:", scalar_text(find_at(c, {"image"})), 2);
  std::string cmd = join_strings(find_at(c, {"command"}), " ");
  std::string args = join_strings(find_at(c, {"args"}), " ");
  detail_line("Command:", cmd.empty() ? "" : cmd + (args.empty() ? "" : " " + args), 2);
  detail_line("Restart policy:", scalar_text(find_at(pod_template, {"spec", "restartPolicy"})), 2);
}

}  // namespace

std::optional<ConditionMet> job_condition(const nlohmann::json& j, const std::string& type) {
  const nlohmann::json* conds = find_at(j, {"status", "conditions"});
  if (!conds || !conds->is_array()) return std::nullopt;
  for (const auto& c : *conds) {
    if (string_at(c, {"type"}).value_or("") == type && string_at(c, {"status"}).value_or("") == "True") {
      return ConditionMet{scalar_text(find_at(c, {"reason"})), scalar_text(find_at(c, {"message"}))};
    }
  }
  return std::nullopt;
}

std::vector<std::string> job_row(const nlohmann::json& j, bool /*wide*/, TimePoint now) {
  return {object_name(j), job_status(j), completions_text(j), job_duration(j, now), age_of(j, now)};
}

std::vector<std::string> cronjob_row(const nlohmann::json& c, bool /*wide*/, TimePoint now) {
  const nlohmann::json* active = find_at(c, {"status", "active"});
  const size_t n = active && active->is_array() ? active->size() : 0;
  return {object_name(c),
          scalar_text(find_at(c, {"spec", "schedule"})),
          zone_text(c),
          suspend_text(c),
          std::to_string(n),
          age_since(string_at(c, {"status", "lastScheduleTime"}), now),
          age_of(c, now)};
}

std::vector<std::string> schedule_row(const nlohmann::json& s, bool wide, TimePoint now) {
  std::vector<std::string> row = {object_name(s),
                                  scalar_text(find_at(s, {"spec", "expression"})),
                                  zone_text(s),
                                  suspend_text(s),
                                  until_text(string_at(s, {"status", "nextScheduleTime"}), now),
                                  age_since(string_at(s, {"status", "lastScheduleTime"}), now),
                                  age_of(s, now)};
  if (wide) {
    row.push_back(target_text(s));
    row.push_back(lateness_text(last_run(s)));
  }
  return row;
}

std::vector<std::string> taskdefinition_row(const nlohmann::json& t, bool wide, TimePoint now) {
  std::string command;
  if (const nlohmann::json* cmd = find_at(t, {"spec", "command"}); cmd && cmd->is_array()) {
    for (const auto& a : *cmd) command += (command.empty() ? "" : " ") + (a.is_string() ? a.get<std::string>() : a.dump());
    if (command.size() > 40) command = command.substr(0, 37) + "...";
  }
  std::vector<std::string> row = {object_name(t),
                                  scalar_text(find_at(t, {"status", "revision"})),
                                  command.empty() ? "-" : command,
                                  scalar_text(find_at(t, {"spec", "resources", "cpu"})),
                                  scalar_text(find_at(t, {"spec", "resources", "memory"})),
                                  age_of(t, now)};
  if (wide) {
    row.push_back(scalar_text(find_at(t, {"spec", "image"})));
    std::string revs;
    if (const nlohmann::json* r = find_at(t, {"status", "revisions"}); r && r->is_array())
      for (const auto& n : *r) revs += (revs.empty() ? "" : ",") + n.dump();
    row.push_back(revs.empty() ? "-" : revs);
  }
  return row;
}

int describe_job(ApiClient& api, const nlohmann::json& j) {
  const TimePoint now = std::chrono::system_clock::now();
  const std::string name = object_name(j);
  int exit = kExitOk;
  detail_line("Name:", name);
  detail_line("Labels:", labels_text(j));
  detail_line("Created:", time_with_age(string_at(j, {"metadata", "creationTimestamp"}), now));
  if (auto owner = string_at(j, {"metadata", "annotations", "batch.kubernetes.io/cronjob-scheduled-timestamp"})) {
    detail_line("Scheduled for:", *owner);
  }
  detail_line("Status:", job_status(j));
  detail_line("Completions:", completions_text(j));
  detail_line("Parallelism:", int_text(j, {"spec", "parallelism"}));
  detail_line("Completion mode:", string_at(j, {"spec", "completionMode"}).value_or("NonIndexed"));
  detail_line("Backoff limit:", int_text(j, {"spec", "backoffLimit"}));
  if (auto d = int_at(j, {"spec", "activeDeadlineSeconds"})) detail_line("Active deadline:", seconds_detail(d));
  if (auto t = int_at(j, {"spec", "ttlSecondsAfterFinished"})) detail_line("TTL after finished:", seconds_detail(t));
  detail_line("Suspend:", suspend_text(j) == "True" ? "true" : "false");
  detail_line("Start time:", time_with_age(string_at(j, {"status", "startTime"}), now));
  detail_line("Completed at:", time_with_age(string_at(j, {"status", "completionTime"}), now));
  detail_line("Duration:", job_duration(j, now));
  detail_line("Tasks statuses:", int_text(j, {"status", "active"}).empty() && int_text(j, {"status", "succeeded"}).empty()
                                     ? ""
                                     : std::to_string(int_at(j, {"status", "active"}).value_or(0)) + " Active / " +
                                           std::to_string(int_at(j, {"status", "succeeded"}).value_or(0)) +
                                           " Succeeded / " + std::to_string(int_at(j, {"status", "failed"}).value_or(0)) +
                                           " Failed");
  if (string_at(j, {"spec", "completionMode"}).value_or("") == "Indexed") {
    detail_line("Completed indexes:", scalar_text(find_at(j, {"status", "completedIndexes"})));
    detail_line("Failed indexes:", scalar_text(find_at(j, {"status", "failedIndexes"})));
  }
  std::printf("Template:\n");
  if (const nlohmann::json* t = find_at(j, {"spec", "template"})) template_lines(*t);

  const nlohmann::json* conds = find_at(j, {"status", "conditions"});
  Table ct({"TYPE", "STATUS", "REASON", "MESSAGE"});
  size_t nc = 0;
  if (conds && conds->is_array()) {
    for (const auto& c : *conds) {
      ct.add_row({scalar_text(find_at(c, {"type"})), scalar_text(find_at(c, {"status"})),
                  scalar_text(find_at(c, {"reason"})), scalar_text(find_at(c, {"message"}))});
      ++nc;
    }
  }
  detail_table("Conditions:", ct, nc == 0);

  Outcome<nlohmann::json> tasks = api.get("/api/v1/tasks?owner=" + api.escape("job/" + name) + "&all=true");
  if (!tasks.ok()) {
    exit = report(tasks.error());
    detail_line("Tasks:", "<unknown>");
  } else {
    const nlohmann::json* items = find_at(*tasks, {"items"});
    Table t({"NAME", "STATUS", "EXIT", "ATTEMPT", "AGE"});
    size_t n = 0;
    if (items && items->is_array()) {
      for (const auto& task : *items) {
        std::vector<std::string> r = task_row(task, false, now);  // NAME OWNER STATUS EXIT ATTEMPT AGE
        t.add_row({r[0], r[2], r[3], r[4], r[5]});
        ++n;
      }
    }
    detail_table("Tasks:", t, n == 0);
  }
  int e = print_events(api, "jobs", name, now);
  return exit != kExitOk ? exit : e;
}

int describe_cronjob(ApiClient& api, const nlohmann::json& c) {
  const TimePoint now = std::chrono::system_clock::now();
  const std::string name = object_name(c);
  detail_line("Name:", name);
  detail_line("Labels:", labels_text(c));
  detail_line("Created:", time_with_age(string_at(c, {"metadata", "creationTimestamp"}), now));
  detail_line("Schedule:", scalar_text(find_at(c, {"spec", "schedule"})));
  detail_line("Time zone:", zone_text(c));
  detail_line("Concurrency policy:", string_at(c, {"spec", "concurrencyPolicy"}).value_or("Allow"));
  detail_line("Suspend:", suspend_text(c) == "True" ? "true" : "false");
  detail_line("Starting deadline:", seconds_detail(int_at(c, {"spec", "startingDeadlineSeconds"})));
  detail_line("Successful history:", text_of(int_at(c, {"spec", "successfulJobsHistoryLimit"}).value_or(3)));
  detail_line("Failed history:", text_of(int_at(c, {"spec", "failedJobsHistoryLimit"}).value_or(1)));
  std::printf("Job template:\n");
  if (const nlohmann::json* js = find_at(c, {"spec", "jobTemplate", "spec"})) {
    detail_line("Completions:", int_text(*js, {"completions"}), 2);
    detail_line("Parallelism:", int_text(*js, {"parallelism"}), 2);
    detail_line("Backoff limit:", int_text(*js, {"backoffLimit"}), 2);
    if (const nlohmann::json* t = find_at(*js, {"template"})) template_lines(*t);
  }
  detail_line("Last schedule:", time_with_age(string_at(c, {"status", "lastScheduleTime"}), now));
  detail_line("Last successful:", time_with_age(string_at(c, {"status", "lastSuccessfulTime"}), now));
  auto next = string_at(c, {"status", "nextScheduleTime"});
  std::string until = until_text(next, now);
  detail_line("Next schedule:", next ? *next + (until.empty() ? "" : " (" + until + ")") : "");
  std::string active;
  if (const nlohmann::json* a = find_at(c, {"status", "active"}); a && a->is_array()) {
    for (const auto& e : *a) active += (active.empty() ? "" : ", ") + scalar_text(find_at(e, {"name"}));
  }
  detail_line("Active jobs:", active);
  runs_table(c);
  return print_events(api, "cronjobs", name, now);
}

int describe_schedule(ApiClient& api, const nlohmann::json& s) {
  const TimePoint now = std::chrono::system_clock::now();
  const std::string name = object_name(s);
  detail_line("Name:", name);
  detail_line("Labels:", labels_text(s));
  detail_line("Created:", time_with_age(string_at(s, {"metadata", "creationTimestamp"}), now));
  detail_line("Expression:", scalar_text(find_at(s, {"spec", "expression"})));
  detail_line("Time zone:", zone_text(s));
  if (auto d = string_at(s, {"spec", "startDate"})) detail_line("Start date:", *d);
  if (auto d = string_at(s, {"spec", "endDate"})) detail_line("End date:", *d);
  detail_line("Suspend:", suspend_text(s) == "True" ? "true" : "false");
  auto window = int_at(s, {"spec", "flexibleTimeWindow", "maximumWindowMinutes"});
  detail_line("Flexible window:", window ? std::to_string(*window) + "m" : "off");
  detail_line("Concurrency policy:", string_at(s, {"spec", "concurrencyPolicy"}).value_or("Allow"));
  detail_line("Target:", target_text(s));
  if (auto q = string_at(s, {"spec", "target", "queue"})) {
    detail_line("Message body:", scalar_text(find_at(s, {"spec", "target", "message", "body"})), 2);
  } else if (const nlohmann::json* task = find_at(s, {"spec", "target", "task"})) {
    detail_line("Command:", join_strings(find_at(*task, {"command"}), " "), 2);
  }
  if (auto n = int_at(s, {"spec", "target", "taskCount"})) detail_line("Task count:", std::to_string(*n), 2);
  std::printf("Retry policy:\n");
  detail_line("Maximum attempts:", text_of(int_at(s, {"spec", "retryPolicy", "maximumRetryAttempts"}).value_or(185)), 2);
  detail_line("Maximum event age:",
              seconds_detail(int_at(s, {"spec", "retryPolicy", "maximumEventAgeSeconds"}).value_or(86400)), 2);
  detail_line("Dead-letter queue:", scalar_text(find_at(s, {"spec", "deadLetterQueue"})));
  detail_line("Last schedule:", time_with_age(string_at(s, {"status", "lastScheduleTime"}), now));
  auto next = string_at(s, {"status", "nextScheduleTime"});
  std::string until = until_text(next, now);
  detail_line("Next schedule:", next ? *next + (until.empty() ? "" : " (" + until + ")") : "");
  runs_table(s);
  return print_events(api, "schedules", name, now);
}

}  // namespace ebb::cli

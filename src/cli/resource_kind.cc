#include "cli/resource_kind.h"

#include "cli/alarm_view.h"
#include "cli/batch_view.h"
#include "cli/eventsource_view.h"
#include "cli/secret_view.h"
#include "cli/service_view.h"
#include "cli/task_view.h"

namespace ebb::cli {

const ResourceKind& resource_kind(const std::string& type) {
  static const ResourceKind kQueues{
      "queues", "queue", "/api/v1/queues",
      {"NAME", "VISIBLE", "IN-FLIGHT", "DELAYED", "OLDEST", "DLQ", "AGE"},
      {"TYPE", "VISIBILITY", "RETENTION", "MAX-RECEIVES", "URL"},
      {"OLDEST", "AGE"},
      queue_row};
  static const ResourceKind kServices{
      "services", "service", "/api/v1/services",
      {"NAME", "QUEUE", "DESIRED", "RUNNING", "BACKLOG/TASK", "TARGET", "AGE"},
      {"MIN", "MAX", "CPU", "MEMORY", "LAST-SCALE"},
      {"AGE", "LAST-SCALE"},
      service_row};
  static const ResourceKind kTasks{
      "tasks", "task", "/api/v1/tasks",
      {"NAME", "OWNER", "STATUS", "EXIT", "ATTEMPT", "AGE"},
      {"PID", "RUNTIME", "CPU", "MEMORY"},
      {"AGE", "RUNTIME", "CPU"},
      task_row};
  static const ResourceKind kEventSources{
      "eventsources", "eventsource", "/api/v1/eventsources",
      {"NAME", "DIRECTORY", "QUEUE", "ANNOUNCED", "PENDING", "AGE"},
      {"BODY", "LAST-FILE"},
      {"AGE"},
      eventsource_row};
  static const ResourceKind kSchedules{
      "schedules", "schedule", "/api/v1/schedules",
      {"NAME", "EXPRESSION", "TIMEZONE", "SUSPEND", "NEXT", "LAST", "AGE"},
      {"TARGET", "LATENESS"},
      {"NEXT", "LAST", "AGE"},
      schedule_row};
  static const ResourceKind kCronJobs{
      "cronjobs", "cronjob", "/api/v1/cronjobs",
      {"NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"},
      {},
      {"LAST SCHEDULE", "AGE"},
      cronjob_row};
  static const ResourceKind kJobs{
      "jobs", "job", "/api/v1/jobs",
      {"NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"},
      {},
      {"DURATION", "AGE"},
      job_row};
  static const ResourceKind kTaskDefinitions{
      "taskdefinitions", "taskdefinition", "/api/v1/taskdefinitions",
      {"NAME", "REVISION", "COMMAND", "CPU", "MEMORY", "AGE"},
      {"IMAGE", "REVISIONS"},
      {"AGE"},
      taskdefinition_row};
  static const ResourceKind kAlarms{
      "alarms", "alarm", "/api/v1/alarms",
      {"NAME", "STATE", "CONDITION", "LAST-CHANGE", "AGE"},
      {"EVALUATION", "ACTIONS"},
      {"LAST-CHANGE", "AGE"},
      alarm_row};
  static const ResourceKind kSecrets{
      "secrets", "secret", "/api/v1/secrets",
      {"NAME", "KEYS", "AGE"},
      {"BYTES", "UPDATED"},
      {"AGE", "UPDATED"},
      secret_row};
  if (type == "secrets") return kSecrets;
  if (type == "alarms") return kAlarms;
  if (type == "taskdefinitions") return kTaskDefinitions;
  if (type == "services") return kServices;
  if (type == "schedules") return kSchedules;
  if (type == "cronjobs") return kCronJobs;
  if (type == "jobs") return kJobs;
  if (type == "tasks") return kTasks;
  if (type == "eventsources") return kEventSources;
  return kQueues;
}

std::string object_name(const nlohmann::json& object) { return string_at(object, {"metadata", "name"}).value_or(""); }

std::string object_path(ApiClient& api, const ResourceKind& kind, const std::string& name) {
  return kind.collection + "/" + api.escape(name);
}

std::string not_found_message(const ResourceKind& kind, const std::string& name) {
  return kind.singular + " \"" + name + "\" not found";
}

Outcome<Fetched> fetch_objects(ApiClient& api, const ResourceKind& kind, const std::vector<std::string>& names,
                               const std::string& list_query) {
  Fetched out;
  if (names.empty()) {
    Outcome<nlohmann::json> list = api.get(kind.collection + list_query);
    if (!list.ok()) return list.error();
    if (const nlohmann::json* items = find_at(*list, {"items"}); items && items->is_array()) {
      for (const auto& o : *items) out.objects.push_back(o);
    }
    return out;
  }
  for (const std::string& name : names) {
    Outcome<nlohmann::json> o = api.get(object_path(api, kind, name));
    if (o.ok()) {
      out.objects.push_back(*o);
      continue;
    }
    const CliError& e = o.error();
    if (e.exit == kExitUnreachable) return e;
    if (is_not_found(e)) out.missing.push_back(name);
    else out.refused.push_back(e);
  }
  return out;
}

}  // namespace ebb::cli

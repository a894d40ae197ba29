#include "sched/schedule_spec.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace ebb::sched {

using nlohmann::json;

namespace {

std::optional<int64_t> opt_int(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::string str(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Result<Concurrency> parse_concurrency(const json& spec) {
  const std::string c = str(spec, "concurrencyPolicy");
  if (c.empty() || c == "Allow") return Concurrency::Allow;
  if (c == "Forbid") return Concurrency::Forbid;
  if (c == "Replace") return Concurrency::Replace;
  return err(Code::Invalid, "spec.concurrencyPolicy: must be Allow, Forbid or Replace");
}

// {body, attributes: {name: {dataType, stringValue}}}, a plain string, or any other
// JSON value (sent as its JSON text).
void parse_message(const json& m, ScheduleSpec& s) {
  if (m.is_string()) {
    s.message_body = m.get<std::string>();
    return;
  }
  if (m.is_object() && m.contains("body")) {
    const json& b = m["body"];
    s.message_body = b.is_string() ? b.get<std::string>() : b.dump();
    if (m.contains("attributes") && m["attributes"].is_object()) {
      for (auto& [k, v] : m["attributes"].items()) {
        MsgAttr a;
        a.name = k;
        if (v.is_object()) {
          a.data_type = v.value("dataType", std::string("String"));
          a.value = v.contains("stringValue") && v["stringValue"].is_string() ? v["stringValue"].get<std::string>()
                                                                              : std::string();
        } else {
          a.data_type = "String";
          a.value = v.is_string() ? v.get<std::string>() : v.dump();
        }
        s.message_attrs.push_back(std::move(a));
      }
    }
    return;
  }
  s.message_body = m.is_null() ? std::string() : m.dump();
}

}  // namespace

std::string ScheduleSpec::timing_key() const {
  json k = {expression, time_zone, doc.contains("spec") ? doc["spec"].value("dstPolicy", json()) : json()};
  if (start_ms) k.push_back(*start_ms);
  return k.dump();
}

std::string ScheduleSpec::object() const { return (kind == "CronJob" ? "cronjob/" : "schedule/") + name; }

Result<ScheduleSpec> parse_schedule_spec(const json& doc) {
  if (!doc.is_object()) return err(Code::Invalid, "document: must be an object");
  ScheduleSpec s;
  s.kind = str(doc, "kind");
  if (s.kind != "CronJob" && s.kind != "Schedule") return err(Code::Invalid, "kind: must be CronJob or Schedule");
  s.doc = doc;
  s.doc.erase("status");
  s.name = doc.contains("metadata") ? str(doc["metadata"], "name") : std::string();
  if (s.name.empty()) return err(Code::Invalid, "metadata.name: required");
  const json spec = doc.value("spec", json::object());
  if (!spec.is_object()) return err(Code::Invalid, "spec: must be an object");
  if (auto tz = str(spec, "timeZone"); !tz.empty()) s.time_zone = tz;
  EBB_TRY(s.concurrency, parse_concurrency(spec));
  s.starting_deadline_s = opt_int(spec, "startingDeadlineSeconds");
  if (s.starting_deadline_s && *s.starting_deadline_s < 0)
    return err(Code::Invalid, "spec.startingDeadlineSeconds: must be >= 0");
  s.suspend = spec.value("suspend", false);

  if (s.kind == "CronJob") {
    if (s.name.size() > 52) return err(Code::Invalid, "metadata.name: at most 52 characters for a CronJob");
    s.expression = str(spec, "schedule");
    if (s.expression.empty()) return err(Code::Invalid, "spec.schedule: required");
    s.dialect = Dialect::Kubernetes;
    s.successful_history = opt_int(spec, "successfulJobsHistoryLimit").value_or(3);
    s.failed_history = opt_int(spec, "failedJobsHistoryLimit").value_or(1);
    if (s.successful_history < 0 || s.failed_history < 0)
      return err(Code::Invalid, "spec.*JobsHistoryLimit: must be >= 0");
    s.job_template = spec.value("jobTemplate", json::object());
    if (!s.job_template.is_object() || !s.job_template.contains("spec"))
      return err(Code::Invalid, "spec.jobTemplate.spec: required");
    s.job_spec = s.job_template["spec"];
    return s;
  }

  s.expression = str(spec, "expression");
  if (s.expression.empty()) return err(Code::Invalid, "spec.expression: required");
  // §2.1: cron()/rate()/at() are EventBridge; a bare 5-field expression is standard cron.
  const bool eb = s.expression.rfind("cron(", 0) == 0 || s.expression.rfind("rate(", 0) == 0 ||
                  s.expression.rfind("at(", 0) == 0;
  s.dialect = eb ? Dialect::EventBridge : Dialect::Kubernetes;
  if (auto v = str(spec, "startDate"); !v.empty()) {
    s.start_ms = parse_rfc3339(v);
    if (!s.start_ms) return err(Code::Invalid, "spec.startDate: not an RFC 3339 instant");
  }
  if (auto v = str(spec, "endDate"); !v.empty()) {
    s.end_ms = parse_rfc3339(v);
    if (!s.end_ms) return err(Code::Invalid, "spec.endDate: not an RFC 3339 instant");
  }
  if (s.start_ms && s.end_ms && *s.end_ms < *s.start_ms)
    return err(Code::Invalid, "spec.endDate: before startDate");
  if (spec.contains("flexibleTimeWindow") && spec["flexibleTimeWindow"].is_object()) {
    s.window_minutes = opt_int(spec["flexibleTimeWindow"], "maximumWindowMinutes").value_or(0);
    if (s.window_minutes < 1 || s.window_minutes > 1440)
      return err(Code::Invalid, "spec.flexibleTimeWindow.maximumWindowMinutes: must be 1-1440");
  }
  const std::string cu = str(spec, "catchUp");
  if (cu == "All") s.catch_up = CatchUp::All;
  else if (cu == "None") s.catch_up = CatchUp::None;
  else if (!cu.empty() && cu != "Latest") return err(Code::Invalid, "spec.catchUp: must be Latest, All or None");
  s.max_catch_up = std::clamp<int64_t>(opt_int(spec, "maxCatchUp").value_or(10), 1, 100);
  s.allow_past = spec.value("allowPast", false);
  s.delete_after_completion = str(spec, "actionAfterCompletion") == "DELETE";
  if (spec.contains("retryPolicy") && spec["retryPolicy"].is_object()) {
    const json& rp = spec["retryPolicy"];
    s.max_retry_attempts = opt_int(rp, "maximumRetryAttempts").value_or(185);
    s.max_event_age_s = opt_int(rp, "maximumEventAgeSeconds").value_or(86400);
    if (s.max_retry_attempts < 0 || s.max_retry_attempts > 185)
      return err(Code::Invalid, "spec.retryPolicy.maximumRetryAttempts: must be 0-185");
    if (s.max_event_age_s < 60 || s.max_event_age_s > 86400)
      return err(Code::Invalid, "spec.retryPolicy.maximumEventAgeSeconds: must be 60-86400");
  }
  s.dead_letter_queue = str(spec, "deadLetterQueue");
  if (s.dead_letter_queue.size() > 5 && s.dead_letter_queue.ends_with(".fifo"))
    return err(Code::Invalid, "spec.deadLetterQueue: must be a standard queue (FIFO rejected)");
  s.target = spec.value("target", json());
  if (!s.target.is_object()) return err(Code::Invalid, "spec.target: required");
  const int64_t count = opt_int(s.target, "taskCount").value_or(1);
  if (count < 1 || count > 10) return err(Code::Invalid, "spec.target.taskCount: must be 1-10");
  int targets = 0;
  if (s.target.contains("task")) {
    ++targets;
    if (!s.target["task"].is_object()) return err(Code::Invalid, "spec.target.task: must be an object");
    s.job_spec = task_to_job_spec(s.target["task"], count);
  }
  if (s.target.contains("taskDefinition")) {
    ++targets;
    s.task_definition = str(s.target, "taskDefinition");
    s.task_count = count;
    if (s.task_definition.empty()) return err(Code::Invalid, "spec.target.taskDefinition: must be FAMILY or FAMILY:REVISION");
  }
  if (s.target.contains("job")) {
    ++targets;
    const json& j = s.target["job"];
    s.job_spec = j.is_object() && j.contains("spec") && j.contains("template") == false ? j["spec"] : j;
    if (!s.job_spec.is_object() || !s.job_spec.contains("template"))
      return err(Code::Invalid, "spec.target.job: a Job spec with template");
  }
  if (s.target.contains("queue")) {
    ++targets;
    s.queue = str(s.target, "queue");
    if (s.queue.empty()) return err(Code::Invalid, "spec.target.queue: must be a queue name");
    parse_message(s.target.value("message", json()), s);
  }
  if (targets != 1) return err(Code::Invalid, "spec.target: exactly one of task, taskDefinition, job or queue");
  return s;
}

json task_to_job_spec(const json& task, int64_t task_count) {
  json c = {{"name", "task"}};
  if (task.contains("command")) c["command"] = task["command"];
  if (task.contains("args")) c["args"] = task["args"];
  if (task.contains("env")) c["env"] = task["env"];
  if (task.contains("workingDir")) c["workingDir"] = task["workingDir"];
  if (task.contains("image")) c["image"] = task["image"];
  if (task.contains("resources") && task["resources"].is_object()) {
    const json& r = task["resources"];
    if (r.contains("limits") || r.contains("requests")) {
      c["resources"] = r;
    } else {
      c["resources"] = {{"limits", r}};
    }
  }
  json pod = {{"restartPolicy", "Never"}, {"containers", json::array({c})}};
  if (task.contains("stopTimeoutSeconds")) pod["terminationGracePeriodSeconds"] = task["stopTimeoutSeconds"];
  json spec = {{"completions", task_count},
               {"parallelism", task_count},
               // §8: EventBridge never re-runs a scheduled task that exited non-zero.
               {"backoffLimit", task.value("backoffLimit", json(0))},
               {"template", {{"spec", std::move(pod)}}}};
  if (task.contains("timeoutSeconds")) spec["activeDeadlineSeconds"] = task["timeoutSeconds"];
  if (task.contains("activeDeadlineSeconds")) spec["activeDeadlineSeconds"] = task["activeDeadlineSeconds"];
  return spec;
}

uint64_t fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char ch : s) {
    h ^= ch;
    h *= 0x100000001b3ULL;
  }
  return h;
}

namespace {
int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

int64_t flexible_offset_s(const std::string& uid, int64_t slot_ms, int64_t window_minutes) {
  if (window_minutes <= 0) return 0;
  const std::string key = uid + "|" + std::to_string(floor_div(slot_ms, 1000));
  return static_cast<int64_t>(fnv1a64(key) % static_cast<uint64_t>(window_minutes * 60));
}

int64_t retry_delay_ms(const std::string& uid, int64_t slot_ms, int64_t n) {
  const int64_t base = n >= 10 ? 300'000 : std::min<int64_t>(int64_t{1000} << (n - 1), 300'000);
  const std::string key = uid + "|" + std::to_string(floor_div(slot_ms, 1000)) + "|" + std::to_string(n);
  // ±20 %: a factor in [0.8, 1.2] from 401 steps.
  const int64_t permille = 800 + static_cast<int64_t>(fnv1a64(key) % 401);
  return base * permille / 1000;
}

std::string run_name(const std::string& name, int64_t slot_ms) {
  return name + "-" + std::to_string(floor_div(slot_ms, 60'000));
}



std::optional<int64_t> parse_rfc3339(std::string_view s) {
  int y, mo, d, h, mi, sec, n = 0;
  const std::string text(s);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
    return std::nullopt;
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{unsigned(mo)}, day{unsigned(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  int64_t ms = duration_cast<milliseconds>(sys_days{ymd}.time_since_epoch()).count() +
               ((int64_t{h} * 60 + mi) * 60 + sec) * 1000;
  size_t i = 19;
  if (i < text.size() && text[i] == '.') {
    int64_t frac = 0, digits = 0;
    for (++i; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i)
      if (digits < 3) frac = frac * 10 + (text[i] - '0'), ++digits;
    if (digits == 0) return std::nullopt;
    while (digits < 3) frac *= 10, ++digits;
    ms += frac;
  }
  if (i < text.size() && (text[i] == 'Z' || text[i] == 'z') && i + 1 == text.size()) return ms;
  int oh, om;
  if (i + 6 == text.size() && (text[i] == '+' || text[i] == '-') &&
      std::sscanf(text.c_str() + i + 1, "%2d:%2d", &oh, &om) == 2) {
    const int64_t off = (int64_t{oh} * 60 + om) * 60'000;
    return text[i] == '+' ? ms - off : ms + off;
  }
  return std::nullopt;
}

}  // namespace ebb::sched

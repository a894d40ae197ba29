#include "manifest/alarm_kind.h"

#include <cmath>

#include "manifest/names.h"
#include "manifest/task_template_kind.h"

namespace ebb::manifest {
namespace {

std::string show(std::string_view s) {
  return nlohmann::json(std::string(s.substr(0, 100))).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// One condition: metric, labels, statistic, comparison, threshold (the top level of
// spec and each item of spec.and).
void check_condition(const nlohmann::json& obj, const std::string& path, Checker& c) {
  std::optional<std::string> metric = c.string(obj, "metric", path, true);
  if (metric) {
    std::string why = metric_name_problem(*metric);
    if (!why.empty()) c.error(field_path(path, "metric"), why);
  }
  if (auto l = obj.find("labels"); l != obj.end()) {
    const std::string lp = field_path(path, "labels");
    if (!l->is_object()) {
      c.error(lp, "must be a map of label name to value, got " + describe_value(*l));
    } else {
      if (l->size() > 20) c.error(lp, "at most 20 label matchers");
      for (auto it = l->begin(); it != l->end(); ++it) {
        const std::string p = field_path(lp, it.key());
        if (it.key() == "__name__") c.error(p, "give the name in metric, not as a label");
        else if (!metric_name_problem(it.key()).empty() || it.key().find(':') != std::string::npos)
          c.error(p, "is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)");
        if (std::optional<std::string> v = c.as_string(it.value(), p); v && v->size() > 1024)
          c.error(p, "values are at most 1024 characters");
      }
    }
  }
  std::optional<std::string> stat =
      c.one_of(obj, "statistic", path,
               {"Average", "Minimum", "Maximum", "Sum", "SampleCount", "Increase", "Rate"}, true);
  if (stat && metric && counter_statistic(*stat) && !ends_with(*metric, "_total") && !ends_with(*metric, "_count") &&
      !ends_with(*metric, "_sum") && !ends_with(*metric, "_bucket")) {
    c.error(field_path(path, "statistic"),
            *stat + " needs a counter (a metric ending in _total, or a histogram's _count, _sum or _bucket); " +
                show(*metric) + " is a gauge: use Average, Minimum, Maximum, Sum or SampleCount");
  }
  c.one_of(obj, "comparison", path,
           {"GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold",
            "LessThanOrEqualToThreshold"},
           true);
  auto t = obj.find("threshold");
  if (t == obj.end()) {
    c.error(field_path(path, "threshold"), "required field is missing");
  } else if (!t->is_number() || !std::isfinite(t->get<double>())) {
    std::string msg = "must be a number, got " + describe_value(*t);
    if (t->is_string()) msg += "; hint: write it without quotes";
    c.error(field_path(path, "threshold"), msg);
  }
}

void check_secret_ref(const nlohmann::json& obj, const std::string& path, Checker& c) {
  auto r = obj.find("secretRef");
  if (r == obj.end()) return;
  const std::string p = field_path(path, "secretRef");
  if (!c.object(*r, p, {"name", "key", "env"})) return;
  std::optional<std::string> name = c.string(*r, "name", p);
  std::optional<std::string> key = c.string(*r, "key", p);
  std::optional<std::string> env = c.string(*r, "env", p);
  if (key && (key->empty() || !name)) c.error(field_path(p, "key"), key->empty() ? "must not be empty" : "goes with name (a secret's key)");
  if (r->contains("name") == r->contains("env")) {
    c.error(p, "give exactly one of name (a secret made with `ebb secret create`) and env (a variable of ebbd)");
    return;
  }
  if (name) {
    std::string why = check_dns1123_subdomain(*name);
    if (!why.empty()) c.error(field_path(p, "name"), why);
  }
  if (env) {
    bool ok = !env->empty() && env->size() <= 256 && !(env->front() >= '0' && env->front() <= '9');
    for (char ch : *env) ok = ok && ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_');
    if (!ok) c.error(field_path(p, "env"), "must be an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got " + show(*env));
  }
}

void check_webhook(const nlohmann::json& w, const std::string& path, Checker& c) {
  if (!c.object(w, path, {"url", "secretRef", "timeoutSeconds", "maxAttempts"})) return;
  if (std::optional<std::string> url = c.string(w, "url", path, true)) {
    const bool scheme = url->rfind("http://", 0) == 0 || url->rfind("https://", 0) == 0;
    const std::size_t host_at = url->find("//") + 2;
    if (!scheme) c.error(field_path(path, "url"), "must start with http:// or https://, got " + show(*url));
    else if (url->size() <= host_at || (*url)[host_at] == '/') c.error(field_path(path, "url"), "has no host: " + show(*url));
    else if (url->size() > 2048) c.error(field_path(path, "url"), "is longer than 2048 characters");
    for (char ch : *url) {
      if (static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7f) {
        c.error(field_path(path, "url"), "must not contain spaces or control characters (percent-encode them)");
        break;
      }
    }
  }
  check_secret_ref(w, path, c);
  c.integer(w, "timeoutSeconds", path, 1, 60);
  c.integer(w, "maxAttempts", path, 1, 10);
}

void check_queue_action(const nlohmann::json& q, const std::string& path, Checker& c) {
  if (!c.object(q, path, {"name", "groupId"})) return;
  std::optional<std::string> name = c.string(q, "name", path, true);
  if (name) {
    std::string why = check_queue_name(*name);
    if (!why.empty()) c.error(field_path(path, "name"), why);
  }
  std::optional<std::string> group = c.string(q, "groupId", path);
  const bool fifo = name && ends_with(*name, ".fifo");
  if (fifo && !group) c.error(field_path(path, "groupId"), "required for a FIFO queue");
  if (!fifo && group && name) c.error(field_path(path, "groupId"), "allowed only for a FIFO queue (a name ending .fifo)");
  if (group && (group->empty() || group->size() > 128)) c.error(field_path(path, "groupId"), "must be 1-128 characters");
}

void check_notify(const nlohmann::json& spec, Checker& c) {
  auto n = spec.find("notify");
  if (n == spec.end()) return;
  if (!n->is_array()) {
    c.error("spec.notify", "must be a list of actions, got " + describe_value(*n));
    return;
  }
  if (n->size() > 10) c.error("spec.notify", "at most 10 actions");
  for (std::size_t i = 0; i < n->size(); ++i) {
    const nlohmann::json& a = (*n)[i];
    const std::string path = index_path("spec.notify", i);
    if (!c.object(a, path, {"states", "webhook", "queue", "task", "log"})) continue;
    const int kinds = int(a.contains("webhook")) + int(a.contains("queue")) + int(a.contains("task")) + int(a.contains("log"));
    if (kinds != 1) c.error(path, "give exactly one of webhook, queue, task and log");
    if (auto s = a.find("states"); s != a.end()) {
      const std::string sp = field_path(path, "states");
      if (!s->is_array() || s->empty()) {
        c.error(sp, "must be a non-empty list of ALARM, OK and INSUFFICIENT_DATA, got " + describe_value(*s));
      } else {
        for (std::size_t j = 0; j < s->size(); ++j) {
          std::optional<std::string> v = c.as_string((*s)[j], index_path(sp, j));
          if (v && *v != "ALARM" && *v != "OK" && *v != "INSUFFICIENT_DATA")
            c.error(index_path(sp, j), "must be ALARM, OK or INSUFFICIENT_DATA, got " + show(*v));
        }
      }
    }
    if (auto w = a.find("webhook"); w != a.end()) check_webhook(*w, field_path(path, "webhook"), c);
    if (auto q = a.find("queue"); q != a.end()) check_queue_action(*q, field_path(path, "queue"), c);
    if (auto t = a.find("task"); t != a.end()) check_job_task(*t, field_path(path, "task"), c);
    if (auto l = a.find("log"); l != a.end()) {
      const std::string lp = field_path(path, "log");
      if (l->is_null()) continue;  // `log:` with nothing after it
      if (c.object(*l, lp, {"level"})) c.one_of(*l, "level", lp, {"info", "warning", "error"});
    }
  }
}

}  // namespace

std::string metric_name_problem(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 200) return "is longer than 200 characters";
  auto head = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == ':'; };
  bool ok = head(name.front());
  for (char ch : name) ok = ok && (head(ch) || (ch >= '0' && ch <= '9'));
  if (!ok) return show(name) + " is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), e.g. ebb_queue_messages_visible";
  return "";
}

bool counter_statistic(std::string_view statistic) { return statistic == "Increase" || statistic == "Rate"; }

void check_alarm_spec(const nlohmann::json& spec, const std::string& /*name*/, Checker& c) {
  if (spec.is_null()) {
    c.error("spec", "required field is missing (an Alarm needs metric, statistic, comparison and threshold)");
    return;
  }
  if (!c.object(spec, "spec",
                {"description", "metric", "labels", "statistic", "comparison", "threshold", "periodSeconds",
                 "evaluationPeriods", "datapointsToAlarm", "treatMissingData", "and", "suspend", "notify"})) {
    return;
  }
  if (std::optional<std::string> d = c.string(spec, "description", "spec"); d && d->size() > 1024)
    c.error("spec.description", "is longer than 1024 characters");
  check_condition(spec, "spec", c);
  c.integer(spec, "periodSeconds", "spec", 1, 86400);
  std::optional<int64_t> n = c.integer(spec, "evaluationPeriods", "spec", 1, 100);
  if (std::optional<int64_t> m = c.integer(spec, "datapointsToAlarm", "spec", 1, 100)) {
    if (*m > n.value_or(1) && (n || !spec.contains("evaluationPeriods")))
      c.error("spec.datapointsToAlarm", "must not exceed evaluationPeriods (" + std::to_string(n.value_or(1)) + "), got " +
                                            std::to_string(*m));
  }
  c.one_of(spec, "treatMissingData", "spec", {"missing", "notBreaching", "breaching", "ignore"});
  if (auto a = spec.find("and"); a != spec.end()) {
    if (!a->is_array() || a->empty()) {
      c.error("spec.and", "must be a non-empty list of conditions {metric, labels, statistic, comparison, threshold}, got " +
                              describe_value(*a));
    } else {
      if (a->size() > 4) c.error("spec.and", "at most 4 more conditions");
      for (std::size_t i = 0; i < a->size(); ++i) {
        const std::string p = index_path("spec.and", i);
        if (c.object((*a)[i], p, {"metric", "labels", "statistic", "comparison", "threshold"})) check_condition((*a)[i], p, c);
      }
    }
  }
  c.boolean(spec, "suspend", "spec");
  check_notify(spec, c);
}

}  // namespace ebb::manifest

#include "alarm/alarm_spec.h"

#include <algorithm>

#include "sched/schedule_spec.h"

namespace ebb::alarm {
namespace {

using nlohmann::json;

Result<Condition> condition_of(const json& j, const std::string& path) {
  Condition c;
  if (!j.contains("metric") || !j["metric"].is_string()) return err(Code::Invalid, path + ".metric: required");
  c.metric = j["metric"].get<std::string>();
  if (auto l = j.find("labels"); l != j.end() && l->is_object())
    for (auto it = l->begin(); it != l->end(); ++it)
      if (it.value().is_string()) c.labels.emplace_back(it.key(), it.value().get<std::string>());
  std::sort(c.labels.begin(), c.labels.end());
  static const std::pair<const char*, Statistic> kStats[] = {
      {"Average", Statistic::Average},   {"Minimum", Statistic::Minimum},   {"Maximum", Statistic::Maximum},
      {"Sum", Statistic::Sum},           {"SampleCount", Statistic::SampleCount},
      {"Increase", Statistic::Increase}, {"Rate", Statistic::Rate}};
  std::string stat = j.value("statistic", "");
  auto st = std::find_if(std::begin(kStats), std::end(kStats), [&](auto& p) { return stat == p.first; });
  if (st == std::end(kStats)) return err(Code::Invalid, path + ".statistic: unknown statistic " + stat);
  c.statistic = st->second;
  static const std::pair<const char*, Comparison> kCmp[] = {
      {"GreaterThanThreshold", Comparison::GreaterThan},
      {"GreaterThanOrEqualToThreshold", Comparison::GreaterThanOrEqual},
      {"LessThanThreshold", Comparison::LessThan},
      {"LessThanOrEqualToThreshold", Comparison::LessThanOrEqual}};
  std::string cmp = j.value("comparison", "");
  auto ct = std::find_if(std::begin(kCmp), std::end(kCmp), [&](auto& p) { return cmp == p.first; });
  if (ct == std::end(kCmp)) return err(Code::Invalid, path + ".comparison: unknown comparison " + cmp);
  c.comparison = ct->second;
  if (!j.contains("threshold") || !j["threshold"].is_number()) return err(Code::Invalid, path + ".threshold: required number");
  c.threshold = j["threshold"].get<double>();
  return c;
}

}  // namespace

std::string_view state_name(State s) {
  switch (s) {
    case State::Ok: return "OK";
    case State::Alarm: return "ALARM";
    case State::InsufficientData: return "INSUFFICIENT_DATA";
  }
  return "INSUFFICIENT_DATA";
}

std::optional<State> parse_state(std::string_view s) {
  if (s == "OK") return State::Ok;
  if (s == "ALARM") return State::Alarm;
  if (s == "INSUFFICIENT_DATA") return State::InsufficientData;
  return std::nullopt;
}

std::string_view statistic_name(Statistic s) {
  switch (s) {
    case Statistic::Average: return "Average";
    case Statistic::Minimum: return "Minimum";
    case Statistic::Maximum: return "Maximum";
    case Statistic::Sum: return "Sum";
    case Statistic::SampleCount: return "SampleCount";
    case Statistic::Increase: return "Increase";
    case Statistic::Rate: return "Rate";
  }
  return "Average";
}

std::string_view comparison_text(Comparison c) {
  switch (c) {
    case Comparison::GreaterThan: return "greater than";
    case Comparison::GreaterThanOrEqual: return "greater than or equal to";
    case Comparison::LessThan: return "less than";
    case Comparison::LessThanOrEqual: return "less than or equal to";
  }
  return "";
}

bool is_counter_statistic(Statistic s) { return s == Statistic::Increase || s == Statistic::Rate; }

bool breaches(Comparison c, double v, double t) {
  switch (c) {
    case Comparison::GreaterThan: return v > t;
    case Comparison::GreaterThanOrEqual: return v >= t;
    case Comparison::LessThan: return v < t;
    case Comparison::LessThanOrEqual: return v <= t;
  }
  return false;
}

bool Action::runs_on(State s) const { return std::find(states.begin(), states.end(), s) != states.end(); }

std::string Action::describe() const {
  switch (kind) {
    case Kind::Webhook: return "webhook " + url;
    case Kind::Queue: return "queue " + queue;
    case Kind::Task: return "task";
    case Kind::Log: return "log";
  }
  return "";
}

int64_t AlarmSpec::sample_interval_ms() const {
  return std::clamp<int64_t>(period_seconds * 1000 / 5, 1000, 10'000);
}

Result<AlarmSpec> alarm_spec(const json& doc) {
  AlarmSpec a;
  if (!doc.is_object() || !doc.contains("metadata") || !doc["metadata"].contains("name"))
    return err(Code::Invalid, "metadata.name: required");
  a.name = doc["metadata"]["name"].get<std::string>();
  const json spec = doc.value("spec", json::object());
  if (!spec.is_object()) return err(Code::Invalid, "spec: required");
  a.description = spec.value("description", "");
  EBB_TRY(Condition main, condition_of(spec, "spec"));
  a.conditions.push_back(std::move(main));
  if (auto more = spec.find("and"); more != spec.end() && more->is_array()) {
    for (size_t i = 0; i < more->size(); ++i) {
      EBB_TRY(Condition c, condition_of((*more)[i], "spec.and[" + std::to_string(i) + "]"));
      a.conditions.push_back(std::move(c));
    }
  }
  a.period_seconds = spec.value("periodSeconds", int64_t(60));
  a.evaluation_periods = spec.value("evaluationPeriods", 1);
  a.datapoints_to_alarm = spec.value("datapointsToAlarm", a.evaluation_periods);
  if (a.period_seconds < 1 || a.evaluation_periods < 1 || a.datapoints_to_alarm < 1 ||
      a.datapoints_to_alarm > a.evaluation_periods)
    return err(Code::Invalid, "spec: periodSeconds, evaluationPeriods or datapointsToAlarm out of range");
  std::string m = spec.value("treatMissingData", "missing");
  a.missing = m == "notBreaching" ? MissingData::NotBreaching
              : m == "breaching"  ? MissingData::Breaching
              : m == "ignore"     ? MissingData::Ignore
                                  : MissingData::Missing;
  a.suspend = spec.value("suspend", false);
  for (const json& n : spec.value("notify", json::array())) {
    Action act;
    if (auto s = n.find("states"); s != n.end() && s->is_array()) {
      act.states.clear();
      for (const json& x : *s)
        if (auto st = parse_state(x.is_string() ? x.get<std::string>() : ""))
          if (!act.runs_on(*st)) act.states.push_back(*st);
    }
    if (auto w = n.find("webhook"); w != n.end()) {
      act.kind = Action::Kind::Webhook;
      act.url = w->value("url", "");
      if (auto r = w->find("secretRef"); r != w->end() && r->is_object()) {
        act.secret_name = r->value("name", "");
        act.secret_key = r->value("key", "value");
        act.secret_env = r->value("env", "");
      }
      act.timeout_seconds = w->value("timeoutSeconds", 10);
      act.max_attempts = w->value("maxAttempts", 5);
    } else if (auto q = n.find("queue"); q != n.end()) {
      act.kind = Action::Kind::Queue;
      act.queue = q->value("name", "");
      act.group_id = q->value("groupId", "");
    } else if (auto t = n.find("task"); t != n.end()) {
      act.kind = Action::Kind::Task;
      act.job_spec = sched::task_to_job_spec(*t, 1);
      // Runs are kept an hour unless the manifest says otherwise: an alarm that flaps
      // must not pile up finished Jobs.
      act.job_spec["ttlSecondsAfterFinished"] = t->value("ttlSecondsAfterFinished", json(3600));
    } else if (auto l = n.find("log"); l != n.end()) {
      act.kind = Action::Kind::Log;
      if (l->is_object()) act.log_level = l->value("level", "warning");
    } else {
      return err(Code::Invalid, "spec.notify: an action needs webhook, queue, task or log");
    }
    a.actions.push_back(std::move(act));
  }
  return a;
}

}  // namespace ebb::alarm

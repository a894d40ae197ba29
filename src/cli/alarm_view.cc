#include "cli/alarm_view.h"

#include <chrono>

#include "cli/detail_page.h"
#include "cli/human_format.h"
#include "cli/resource_kind.h"
#include "cli/table.h"

namespace ebb::cli {
namespace {

std::string comparison_symbol(const std::string& c) {
  if (c == "GreaterThanThreshold") return ">";
  if (c == "GreaterThanOrEqualToThreshold") return ">=";
  if (c == "LessThanThreshold") return "<";
  if (c == "LessThanOrEqualToThreshold") return "<=";
  return c;
}

// "Maximum(metric{a=b}) > 0" from an object holding metric, labels, statistic…
std::string condition_text(const nlohmann::json& c) {
  std::string labels;
  if (const nlohmann::json* l = find_at(c, {"labels"}); l && l->is_object()) {
    for (auto it = l->begin(); it != l->end(); ++it)
      labels += (labels.empty() ? "" : ",") + it.key() + "=" + scalar_text(&it.value());
  }
  std::string metric = scalar_text(find_at(c, {"metric"})) + (labels.empty() ? "" : "{" + labels + "}");
  return scalar_text(find_at(c, {"statistic"})) + "(" + metric + ") " +
         comparison_symbol(scalar_text(find_at(c, {"comparison"}))) + " " + scalar_text(find_at(c, {"threshold"}));
}

std::string conditions_text(const nlohmann::json& a) {
  const nlohmann::json* spec = find_at(a, {"spec"});
  if (!spec) return "";
  std::string out = condition_text(*spec);
  if (const nlohmann::json* more = find_at(*spec, {"and"}); more && more->is_array())
    for (const auto& c : *more) out += " and " + condition_text(c);
  return out;
}

std::string action_text(const nlohmann::json& n) {
  std::string what;
  if (const nlohmann::json* w = find_at(n, {"webhook"})) {
    what = "webhook " + scalar_text(find_at(*w, {"url"}));
    if (auto s = string_at(*w, {"secretRef", "name"})) what += " (signed, secret " + *s + ")";
    if (auto s = string_at(*w, {"secretRef", "env"})) what += " (signed, $" + *s + ")";
  } else if (const nlohmann::json* q = find_at(n, {"queue"})) {
    what = "queue " + scalar_text(find_at(*q, {"name"}));
  } else if (const nlohmann::json* t = find_at(n, {"task"})) {
    what = "task " + join_strings(find_at(*t, {"command"}), " ");
  } else if (n.contains("log")) {
    what = "log " + string_at(n, {"log", "level"}).value_or("warning");
  }
  std::string states = join_strings(find_at(n, {"states"}), ",");
  return what + " on " + (states.empty() ? "ALARM" : states);
}

}  // namespace

std::vector<std::string> alarm_row(const nlohmann::json& a, bool wide, TimePoint now) {
  std::vector<std::string> row = {object_name(a), scalar_text(find_at(a, {"status", "state"})), conditions_text(a),
                                  age_since(string_at(a, {"status", "stateTransitionTime"}), now), age_of(a, now)};
  if (wide) {
    int64_t period = int_at(a, {"spec", "periodSeconds"}).value_or(60);
    int64_t n = int_at(a, {"spec", "evaluationPeriods"}).value_or(1);
    int64_t m = int_at(a, {"spec", "datapointsToAlarm"}).value_or(n);
    row.push_back(std::to_string(m) + "/" + std::to_string(n) + " x " + std::to_string(period) + "s");
    const nlohmann::json* notify = find_at(a, {"spec", "notify"});
    row.push_back(std::to_string(notify && notify->is_array() ? notify->size() : 0));
  }
  return row;
}

void describe_alarm(const nlohmann::json& a) {
  const TimePoint now = std::chrono::system_clock::now();
  detail_line("Name:", object_name(a));
  detail_line("Description:", scalar_text(find_at(a, {"spec", "description"})));
  detail_line("Created:", time_with_age(string_at(a, {"metadata", "creationTimestamp"}), now));
  detail_line("State:", scalar_text(find_at(a, {"status", "state"})));
  detail_line("Since:", time_with_age(string_at(a, {"status", "stateTransitionTime"}), now));
  detail_line("Reason:", scalar_text(find_at(a, {"status", "stateReason"})));
  detail_line("Condition:", conditions_text(a));
  const int64_t period = int_at(a, {"spec", "periodSeconds"}).value_or(60);
  const int64_t n = int_at(a, {"spec", "evaluationPeriods"}).value_or(1);
  detail_line("Period:", seconds_detail(period));
  detail_line("Evaluation periods:", std::to_string(n));
  detail_line("Datapoints to alarm:", std::to_string(int_at(a, {"spec", "datapointsToAlarm"}).value_or(n)));
  detail_line("Missing data:", string_at(a, {"spec", "treatMissingData"}).value_or("missing"));
  detail_line("Suspend:", bool_at(a, {"spec", "suspend"}).value_or(false) ? "true (no actions run)" : "false");
  Table actions({"#", "ACTION"});
  const nlohmann::json* notify = find_at(a, {"spec", "notify"});
  size_t count = notify && notify->is_array() ? notify->size() : 0;
  for (size_t i = 0; i < count; ++i) actions.add_row({std::to_string(i), action_text((*notify)[i])});
  detail_table("Actions:", actions, count == 0);

  Table points({"PERIOD START", "VALUE", "BREACHING"});
  const nlohmann::json* dps = find_at(a, {"status", "datapoints"});
  size_t np = dps && dps->is_array() ? dps->size() : 0;
  for (size_t i = 0; i < np; ++i) {
    const nlohmann::json& d = (*dps)[i];
    bool missing = bool_at(d, {"missing"}).value_or(true);
    points.add_row({scalar_text(find_at(d, {"start"})), missing ? "missing" : scalar_text(find_at(d, {"value"})),
                    missing ? "-" : (bool_at(d, {"breaching"}).value_or(false) ? "yes" : "no")});
  }
  detail_table("Datapoints:", points, np == 0);

  Table pending({"NOTIFICATION", "ACTION", "FAILED ATTEMPTS"});
  const nlohmann::json* pend = find_at(a, {"status", "pendingNotifications"});
  size_t npend = pend && pend->is_array() ? pend->size() : 0;
  for (size_t i = 0; i < npend; ++i) {
    const nlohmann::json& p = (*pend)[i];
    pending.add_row({scalar_text(find_at(p, {"id"})), scalar_text(find_at(p, {"action"})),
                     scalar_text(find_at(p, {"attempts"}))});
  }
  detail_table("Pending notifications:", pending, npend == 0);

  Table history({"TIME", "AGE", "TYPE", "SUMMARY"});
  const nlohmann::json* hist = find_at(a, {"status", "history"});
  size_t nh = hist && hist->is_array() ? hist->size() : 0;
  for (size_t i = 0; i < nh; ++i) {
    const nlohmann::json& h = (*hist)[i];
    std::string summary;
    std::string type = scalar_text(find_at(h, {"type"}));
    if (type == "StateUpdate") {
      summary = scalar_text(find_at(h, {"from"})) + " -> " + scalar_text(find_at(h, {"to"})) + ": " +
                scalar_text(find_at(h, {"reason"}));
    } else if (type == "Action") {
      summary = scalar_text(find_at(h, {"result"})) + ": " + scalar_text(find_at(h, {"summary"}));
    } else {
      summary = scalar_text(find_at(h, {"summary"}));
    }
    auto t = string_at(h, {"time"});
    history.add_row({t.value_or(""), age_since(t, now), type, summary});
  }
  detail_table("History:", history, nh == 0);
}

}  // namespace ebb::cli

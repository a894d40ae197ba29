// AlarmSpec: a validated `kind: Alarm` document (manifest/alarm_kind.h) in the shape
// the evaluator and the controller use, with the defaults filled in.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace ebb::alarm {

enum class State { Ok, Alarm, InsufficientData };
std::string_view state_name(State s);  // "OK", "ALARM", "INSUFFICIENT_DATA"
std::optional<State> parse_state(std::string_view s);

enum class Statistic { Average, Minimum, Maximum, Sum, SampleCount, Increase, Rate };
enum class Comparison { GreaterThan, GreaterThanOrEqual, LessThan, LessThanOrEqual };
enum class MissingData { Missing, NotBreaching, Breaching, Ignore };

std::string_view statistic_name(Statistic s);
std::string_view comparison_text(Comparison c);  // "greater than", ...
bool is_counter_statistic(Statistic s);          // Increase, Rate
bool breaches(Comparison c, double value, double threshold);

// One metric test: the series of `metric` whose labels include every matcher, summed
// at each sample; the statistic over a period compared with the threshold.
struct Condition {
  std::string metric;
  std::vector<std::pair<std::string, std::string>> labels;  // sorted by name
  Statistic statistic = Statistic::Average;
  Comparison comparison = Comparison::GreaterThan;
  double threshold = 0;
};

struct Action {
  enum class Kind { Webhook, Queue, Task, Log };
  Kind kind = Kind::Log;
  std::vector<State> states{State::Alarm};  // the states whose entry runs the action
  // webhook
  std::string url;
  std::string secret_name;  // a secret of `ebb secret create` (else a file <data dir>/secrets/<name>)
  std::string secret_key = "value";  // its key
  std::string secret_env;   // or a variable of ebbd's environment
  int timeout_seconds = 10;
  int max_attempts = 5;
  // queue
  std::string queue;
  std::string group_id;
  // task: a batch/v1 Job spec (one attempt unless backoffLimit says otherwise)
  nlohmann::json job_spec;
  // log
  std::string log_level = "warning";

  bool runs_on(State s) const;
  std::string describe() const;  // "webhook https://…", "queue alerts", "task", "log"
};

struct AlarmSpec {
  std::string name;
  std::string description;
  std::vector<Condition> conditions;  // [0] is spec.metric…; then spec.and
  int64_t period_seconds = 60;
  int evaluation_periods = 1;
  int datapoints_to_alarm = 1;
  MissingData missing = MissingData::Missing;
  bool suspend = false;
  std::vector<Action> actions;

  int64_t period_ms() const { return period_seconds * 1000; }
  // How often the controller samples /metrics for this alarm: periodSeconds/5 clamped
  // to 1..10 s, so a period has at least one sample and 60 s periods have six.
  int64_t sample_interval_ms() const;
};

// From a document that passed manifest::validate. Code::Invalid for anything the
// validator would have refused.
Result<AlarmSpec> alarm_spec(const nlohmann::json& validated_doc);

}  // namespace ebb::alarm

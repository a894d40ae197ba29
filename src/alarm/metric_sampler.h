// MetricSampler: reads alarm conditions off the Prometheus text ebbd renders for
// GET /metrics (ecosystem.md §3.3), so alarms see exactly what a scraper sees and
// keep working whatever families are added. Parses only the samples whose names an
// alarm uses; keeps the previous value of every counter series it watches, so
// Increase/Rate observations are per-series increases (a reset counts from 0; a
// series that appears after the first sample counts from 0, one present at the first
// sample is the baseline).
#pragma once
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "alarm/alarm_spec.h"
#include "alarm/evaluator.h"

namespace ebb::alarm {

using Labels = std::vector<std::pair<std::string, std::string>>;  // sorted by name

struct Sample {
  Labels labels;
  double value = 0;
};

// Samples of the named metrics in `text` (exposition format 0.0.4), by sample name.
// Lines that do not parse are skipped. NaN values are skipped.
std::map<std::string, std::vector<Sample>> parse_samples(std::string_view text, const std::set<std::string>& names);

bool matches(const Labels& have, const Labels& want);

// One alarm condition's view of the samples over time.
class ConditionSampler {
 public:
  explicit ConditionSampler(Condition c) : c_(std::move(c)) {}
  Observation observe(const std::map<std::string, std::vector<Sample>>& samples);
  const Condition& condition() const { return c_; }

 private:
  Condition c_;
  bool primed_ = false;                   // a sample was taken before
  std::map<Labels, double> last_;         // counter series → previous value
};

}  // namespace ebb::alarm

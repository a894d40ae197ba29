// Evaluator: the pure state machine of one alarm (docs/alarms.md "How an alarm
// decides"). Fed with samples at instants the caller chooses (a fake clock in tests);
// it groups them into periods aligned to multiples of periodSeconds since the epoch,
// turns each finished period into a datapoint (the statistic of every condition,
// compared with its threshold), and decides the state from the last
// evaluationPeriods datapoints, CloudWatch's "M out of N":
//
//   missing datapoints are first replaced by treatMissingData: breaching and
//   notBreaching turn them into that; missing and ignore leave them missing.
//   ALARM              when at least M datapoints breach;
//   OK                 when so few breach that even if every missing one breached,
//                      fewer than M would (present non-breaching > N − M);
//   INSUFFICIENT_DATA  when all N are missing and treatMissingData is missing;
//   unchanged          otherwise (ignore with all missing; too few datapoints yet).
//
// A period with no sample of some condition is missing; periods skipped entirely
// (ebbd was down, or never sampled) are missing too.
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "alarm/alarm_spec.h"

namespace ebb::alarm {

// One sample of one condition: present = some series matched. `value` is the sum of
// the matched series for gauge statistics, and for Increase/Rate the sum of their
// increases since the previous sample (counter resets count from 0).
struct Observation {
  bool present = false;
  double value = 0;
};

struct Datapoint {
  int64_t start_ms = 0;          // period start (aligned)
  bool missing = true;           // some condition had no sample in the period
  bool breaching = false;        // every condition breached (false when missing)
  std::vector<double> values;    // the statistic per condition (NaN when missing)
};

struct Transition {
  State from = State::InsufficientData;
  State to = State::InsufficientData;
  int64_t at_ms = 0;
  std::string reason;            // CloudWatch-style StateReason
  std::vector<Datapoint> window; // oldest first: what was evaluated
};

class Evaluator {
 public:
  explicit Evaluator(AlarmSpec spec, State initial = State::InsufficientData);

  // A sample at `t_ms` (one Observation per condition, in spec order): first closes
  // every period that ended at or before t_ms, then adds the sample to its period.
  std::vector<Transition> observe(int64_t t_ms, const std::vector<Observation>& obs);
  // Closes every period that ended at or before t_ms, without a sample.
  std::vector<Transition> close_until(int64_t t_ms);

  State state() const { return state_; }
  const std::deque<Datapoint>& window() const { return window_; }  // oldest first, ≤ N
  const AlarmSpec& spec() const { return spec_; }
  // The end of the period being filled; nullopt before the first sample.
  std::optional<int64_t> current_period_end_ms() const;

 private:
  struct Acc {  // one condition's samples in the current period
    int64_t n = 0;
    double sum = 0, min = 0, max = 0;
  };
  void start_period(int64_t start_ms);
  Datapoint finish_period() const;
  std::optional<Transition> push(Datapoint d, int64_t at_ms);
  State decide(std::string& reason) const;

  AlarmSpec spec_;
  State state_;
  std::optional<int64_t> period_start_;
  std::vector<Acc> acc_;
  std::deque<Datapoint> window_;
};

}  // namespace ebb::alarm

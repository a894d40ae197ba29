#include "alarm/evaluator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "base/rfc3339.h"

namespace ebb::alarm {
namespace {

int64_t floor_to(int64_t t, int64_t step) { return t / step * step - ((t % step != 0 && t < 0) ? step : 0); }

std::string number(double v) {
  if (std::isnan(v)) return "missing";
  std::ostringstream o;
  o.precision(6);
  o << v;
  return o.str();
}

}  // namespace

Evaluator::Evaluator(AlarmSpec spec, State initial) : spec_(std::move(spec)), state_(initial) {
  acc_.resize(spec_.conditions.size());
}

std::optional<int64_t> Evaluator::current_period_end_ms() const {
  if (!period_start_) return std::nullopt;
  return *period_start_ + spec_.period_ms();
}

void Evaluator::start_period(int64_t start_ms) {
  period_start_ = start_ms;
  for (Acc& a : acc_) a = Acc{};
}

Datapoint Evaluator::finish_period() const {
  Datapoint d;
  d.start_ms = *period_start_;
  d.missing = false;
  d.breaching = true;
  for (size_t i = 0; i < spec_.conditions.size(); ++i) {
    const Condition& c = spec_.conditions[i];
    const Acc& a = acc_[i];
    if (a.n == 0) {
      d.values.push_back(std::numeric_limits<double>::quiet_NaN());
      d.missing = true;
      continue;
    }
    double v = 0;
    switch (c.statistic) {
      case Statistic::Average: v = a.sum / double(a.n); break;
      case Statistic::Minimum: v = a.min; break;
      case Statistic::Maximum: v = a.max; break;
      case Statistic::Sum: v = a.sum; break;
      case Statistic::SampleCount: v = double(a.n); break;
      case Statistic::Increase: v = a.sum; break;
      case Statistic::Rate: v = a.sum / double(spec_.period_seconds); break;
    }
    d.values.push_back(v);
    d.breaching = d.breaching && breaches(c.comparison, v, c.threshold);
  }
  if (d.missing) d.breaching = false;
  return d;
}

std::vector<Transition> Evaluator::close_until(int64_t t_ms) {
  std::vector<Transition> out;
  if (!period_start_) return out;
  const int64_t p = spec_.period_ms();
  int64_t closed = 0;
  while (*period_start_ + p <= t_ms) {
    const int64_t end = *period_start_ + p;
    if (auto tr = push(finish_period(), end)) out.push_back(std::move(*tr));
    ++closed;
    // A long gap: after N empty periods the window is all missing; skip the rest.
    if (closed > spec_.evaluation_periods) {
      start_period(floor_to(t_ms, p));
      break;
    }
    start_period(end);
  }
  return out;
}

std::vector<Transition> Evaluator::observe(int64_t t_ms, const std::vector<Observation>& obs) {
  if (!period_start_) start_period(floor_to(t_ms, spec_.period_ms()));
  std::vector<Transition> out = close_until(t_ms);
  for (size_t i = 0; i < acc_.size() && i < obs.size(); ++i) {
    if (!obs[i].present) continue;
    Acc& a = acc_[i];
    const double v = obs[i].value;
    if (a.n == 0) a.min = a.max = v;
    a.min = std::min(a.min, v);
    a.max = std::max(a.max, v);
    a.sum += v;
    ++a.n;
  }
  return out;
}

std::optional<Transition> Evaluator::push(Datapoint d, int64_t at_ms) {
  window_.push_back(std::move(d));
  while (window_.size() > size_t(spec_.evaluation_periods)) window_.pop_front();
  std::string reason;
  State next = decide(reason);
  if (next == state_) return std::nullopt;
  Transition t{state_, next, at_ms, reason, std::vector<Datapoint>(window_.begin(), window_.end())};
  state_ = next;
  return t;
}

State Evaluator::decide(std::string& reason) const {
  const int n = spec_.evaluation_periods;
  const int m = spec_.datapoints_to_alarm;
  int breaching = 0, fine = 0;
  for (const Datapoint& d : window_) {
    if (d.missing) continue;
    (d.breaching ? breaching : fine) += 1;
  }
  int missing = n - breaching - fine;  // periods not seen yet count as missing
  if (spec_.missing == MissingData::Breaching) breaching += missing, missing = 0;
  if (spec_.missing == MissingData::NotBreaching) fine += missing, missing = 0;

  // The evaluated datapoints, newest last: "[3 (2026-11-28T11:00:00Z), missing (…)]".
  const Condition& c = spec_.conditions[0];
  std::string points;
  for (const Datapoint& d : window_) {
    points += (points.empty() ? "" : ", ") + number(d.values.empty() ? NAN : d.values[0]) + " (" +
              rfc3339_s(d.start_ms) + ")";
  }
  const std::string of = std::to_string(breaching) + " out of the last " + std::to_string(n) + " datapoint" +
                         (n == 1 ? "" : "s") + " [" + points + "]";
  const std::string test = std::string(comparison_text(c.comparison)) + " the threshold (" + number(c.threshold) + ")";
  const std::string more = spec_.conditions.size() > 1 ? " with every condition of spec.and" : "";
  if (breaching >= m) {
    reason = "Threshold Crossed: " + of + (breaching == 1 ? " was " : " were ") + test + more +
             " (minimum " + std::to_string(m) + " datapoint" + (m == 1 ? "" : "s") + " for ALARM).";
    return State::Alarm;
  }
  if (fine > n - m) {
    reason = "Threshold Crossed: no more than " + of + (breaching == 1 ? " was " : " were ") + test + more +
             " (minimum " + std::to_string(m) + " breaching for ALARM).";
    return State::Ok;
  }
  if (missing == n && spec_.missing == MissingData::Missing) {
    reason = "Insufficient Data: no datapoint in the last " + std::to_string(n) + " period" + (n == 1 ? "" : "s") +
             " of " + std::to_string(spec_.period_seconds) + " s (no series of " + c.metric +
             " matched; treatMissingData missing).";
    return State::InsufficientData;
  }
  return state_;
}

}  // namespace ebb::alarm

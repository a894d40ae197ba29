// Replays scripted queue counters through scale::evaluate the way autoscaling.md §8's
// harness convention says: on a fake clock, evaluating on every scripted change and every
// second (poll mode), or only on scripted changes and at the Decision's next_eval
// (event-driven mode, what the service controller does). Comparing the two proves that
// next_eval is exact: a late or missing timer changes the N timeline, an early one is a
// timer wake that changes nothing (checked by expect_equivalent).
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "scale/autoscaler.h"

namespace ebb::scale {
// gtest prints reasons by name.
inline void PrintTo(Reason r, std::ostream* os) { *os << to_string(r); }
}  // namespace ebb::scale

namespace ebb::scale::testing {

// Seconds (fractions allowed, e.g. 299.999) to the autoscaler's milliseconds.
inline Ms sec(double s) { return std::llround(s * 1000.0); }

inline QueueCounts q(int64_t visible, int64_t in_flight = 0, int64_t delayed = 0) {
  QueueCounts c;
  c.visible = visible;
  c.in_flight = in_flight;
  c.delayed = delayed;
  return c;
}
inline QueueCounts fifo(int64_t visible, int64_t groups, int64_t in_flight = 0) {
  QueueCounts c = q(visible, in_flight);
  c.fifo = true;
  c.active_groups = groups;
  return c;
}
inline Trigger trigger(std::string queue, double target) {
  Trigger t;
  t.queue = std::move(queue);
  t.target = target;
  return t;
}
// State{.desired = n} without GCC 12's -Wmissing-field-initializers noise.
inline State desired(int64_t n, std::deque<std::pair<Ms, int64_t>> history = {}) {
  State s;
  s.desired = n;
  s.history = std::move(history);
  return s;
}

// §7's configuration: T = 5, min 1, max 10, W = 300 s, tolerance 0.1, in-flight counted.
inline Config seed_config() {
  Config c;
  c.triggers = {trigger("image-processing-queue", 5)};
  return c;
}

enum class Call { Evaluate, ApplyBounds, Override };

struct Eval {
  Ms t = 0;
  Decision d;
  bool timer_only = false;  // nothing was scripted at t: the evaluation came from next_eval
  Call call = Call::Evaluate;
};

struct Run {
  std::vector<Eval> evals;
  std::vector<std::pair<Ms, int64_t>> timeline;  // (t, N) at start and whenever N changed
  State final_state;

  int64_t n_at(Ms t) const {
    int64_t n = timeline.front().second;
    for (const auto& [at, v] : timeline) {
      if (at > t) break;
      n = v;
    }
    return n;
  }
  // The (last) evaluate() made at exactly t.
  const Decision& at(Ms t) const {
    for (auto it = evals.rbegin(); it != evals.rend(); ++it) {
      if (it->t == t && it->call == Call::Evaluate) return it->d;
    }
    ADD_FAILURE() << "no evaluation at t=" << t << " ms";
    static const Decision kNone;
    return kNone;
  }
  std::string timeline_str() const {
    std::string s;
    for (const auto& [t, n] : timeline) s += "(" + std::to_string(t) + "ms:" + std::to_string(n) + ")";
    return s;
  }
};

class Trace {
 public:
  Trace(Config cfg, State initial) : cfg_(std::move(cfg)), initial_(std::move(initial)) {}

  // Counters of every trigger's queue from t on (one entry per trigger).
  Trace& set(Ms t, std::vector<QueueCounts> counts) {
    Event e;
    e.t = t;
    e.counts = std::move(counts);
    return add(std::move(e));
  }
  Trace& set(Ms t, QueueCounts c) { return set(t, std::vector<QueueCounts>{c}); }
  // A service edit: the config is replaced and apply_bounds runs before the evaluation.
  Trace& edit(Ms t, Config c) {
    Event e;
    e.t = t;
    e.config = std::move(c);
    return add(std::move(e));
  }
  Trace& override_to(Ms t, int64_t n) {
    Event e;
    e.t = t;
    e.override_to = n;
    return add(std::move(e));
  }

  // Evaluates at start, every `every` ms up to end, at every scripted instant and probe.
  Run poll(Ms start, Ms end, Ms every = 1000, const std::vector<Ms>& probes = {}) const {
    std::set<Ms> instants(probes.begin(), probes.end());
    for (Ms t = start; t <= end; t += every) instants.insert(t);
    for (const Event& e : events_) instants.insert(e.t);
    Sim sim(*this);
    for (Ms t : instants) {
      if (t < start || t > end) continue;
      sim.step(t, false);
    }
    return sim.finish();
  }

  // Evaluates at start, at every scripted instant, and at each Decision's next_eval only.
  Run event_driven(Ms start, Ms end) const {
    std::set<Ms> scripted;
    for (const Event& e : events_) scripted.insert(e.t);
    Sim sim(*this);
    std::optional<Ms> timer;
    Ms t = start;
    bool first = true;
    while (t <= end) {
      const bool timer_only = !first && !scripted.count(t);
      const Decision& d = sim.step(t, timer_only);
      first = false;
      if (d.next_eval) {
        EXPECT_GT(*d.next_eval, t) << "next_eval not in the future";
        timer = *d.next_eval;
      } else {
        timer.reset();
      }
      auto it = scripted.upper_bound(t);
      Ms next = it == scripted.end() ? end + 1 : *it;
      if (timer) next = std::min(next, *timer);
      t = next;
    }
    return sim.finish();
  }

  const Config& config() const { return cfg_; }

 private:
  struct Event {
    Ms t = 0;
    std::optional<std::vector<QueueCounts>> counts;
    std::optional<Config> config;
    std::optional<int64_t> override_to;
  };
  Trace& add(Event e) {
    events_.push_back(std::move(e));
    std::stable_sort(events_.begin(), events_.end(), [](const Event& a, const Event& b) { return a.t < b.t; });
    return *this;
  }

  class Sim {
   public:
    explicit Sim(const Trace& tr) : tr_(tr), cfg_(tr.cfg_), state_(tr.initial_) {
      run_.timeline.emplace_back(std::numeric_limits<Ms>::min(), state_.desired);
    }
    const Decision& step(Ms t, bool timer_only) {
      for (const Event& e : tr_.events_) {
        if (e.t != t) continue;
        if (e.counts) in_.counts = *e.counts;
        if (e.config) {
          cfg_ = *e.config;
          note(t, apply_bounds(cfg_, state_, t), Call::ApplyBounds, false);
        }
        if (e.override_to) note(t, override_desired(cfg_, state_, *e.override_to, t), Call::Override, false);
      }
      note(t, evaluate(cfg_, state_, in_, t), Call::Evaluate, timer_only);
      return run_.evals.back().d;
    }
    Run finish() {
      run_.final_state = state_;
      return std::move(run_);
    }

   private:
    void note(Ms t, Decision d, Call call, bool timer_only) {
      if (d.desired != run_.timeline.back().second) run_.timeline.emplace_back(t, d.desired);
      run_.evals.push_back(Eval{.t = t, .d = std::move(d), .timer_only = timer_only, .call = call});
    }
    const Trace& tr_;
    Config cfg_;
    State state_;
    Inputs in_;
    Run run_;
  };

  Config cfg_;
  State initial_;
  std::vector<Event> events_;
};

// Poll and event-driven runs give the same N timeline and identical decisions at the
// instants both evaluated; every wake the event-driven run took from a timer changed N.
inline void expect_equivalent(const Run& poll, const Run& ev) {
  EXPECT_EQ(poll.timeline, ev.timeline) << "poll:  " << poll.timeline_str() << "\nevent: " << ev.timeline_str();
  std::map<Ms, const Decision*> polled;
  for (const Eval& e : poll.evals) {
    if (e.call == Call::Evaluate) polled[e.t] = &e.d;
  }
  for (const Eval& e : ev.evals) {
    if (e.call != Call::Evaluate) continue;
    auto it = polled.find(e.t);
    if (it != polled.end()) {
      EXPECT_EQ(*it->second, e.d) << "decisions differ at t=" << e.t << " ms";
    }
    if (e.timer_only) {
      EXPECT_TRUE(e.d.changed()) << "wasted timer wake at t=" << e.t << " ms";
    }
  }
}

// Runs both modes, checks they agree, returns the poll run (the one with per-second
// decisions to assert on).
inline Run run_both(const Trace& tr, Ms start, Ms end, const std::vector<Ms>& probes = {}) {
  Run p = tr.poll(start, end, 1000, probes);
  Run e = tr.event_driven(start, end);
  expect_equivalent(p, e);
  return p;
}

}  // namespace ebb::scale::testing

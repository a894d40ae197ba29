#include "scale/autoscaler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ebb::scale {
namespace {

using i128 = __int128;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr Ms kNever = std::numeric_limits<Ms>::min();  // "already satisfied" for window instants
// Manifest validation caps T at 1e9 messages (1e12 milli-messages); 2^40 keeps every
// product of §4.2 inside 128 bits: 2e6 (tolerance band) × 2^40 × N (< 2^63) < 2^127.
constexpr int64_t kMaxTargetMilli = int64_t{1} << 40;
constexpr int64_t kPpm = 1'000'000;

int64_t target_milli(double target) {
  if (!(target > 0)) return 1;  // NaN or not positive: validation rejects these
  const double m = std::round(target * 1000.0);
  if (m < 1) return 1;
  if (m >= static_cast<double>(kMaxTargetMilli)) return kMaxTargetMilli;
  return static_cast<int64_t>(m);
}

int64_t tolerance_ppm(double tol) {
  if (!(tol > 0)) return 0;
  const double p = std::round(tol * kPpm);
  return p >= kPpm ? kPpm : static_cast<int64_t>(p);
}

int64_t sat_add(int64_t a, int64_t b) { return a > kInt64Max - b ? kInt64Max : a + b; }

int64_t ceil_div_milli(int64_t backlog, int64_t t_milli) {
  if (backlog <= 0) return 0;
  const i128 r = (static_cast<i128>(backlog) * 1000 + t_milli - 1) / t_milli;
  return r > kInt64Max ? kInt64Max : static_cast<int64_t>(r);
}

// [lo, hi] of N and raw. Validation guarantees 0 ≤ minTasks ≤ maxTasks, maxTasks ≥ 1;
// a broken config still yields a non-empty range.
struct Bounds {
  int64_t lo, hi;
  explicit Bounds(const Config& cfg)
      : lo(std::max<int64_t>(0, cfg.min_tasks)), hi(std::max({cfg.max_tasks, lo, int64_t{1}})) {}
  int64_t clamp(int64_t n) const { return std::clamp(n, lo, hi); }
};

int64_t backlog_of(const Trigger& tr, const QueueCounts& c) {
  if (!c.exists) return 0;  // a missing queue counts as B = 0
  int64_t b = std::max<int64_t>(0, c.visible);
  if (tr.include_in_flight) b = sat_add(b, std::max<int64_t>(0, c.in_flight));
  if (tr.include_delayed) b = sat_add(b, std::max<int64_t>(0, c.delayed));
  return b;
}

// §4.2 for one trigger at the current N.
TriggerEval recommend(const Config& cfg, const Trigger& tr, const QueueCounts& c, int64_t n, int64_t tol_ppm) {
  TriggerEval te;
  const int64_t b = backlog_of(tr, c);
  const int64_t t_milli = target_milli(tr.target);
  te.backlog = b;
  int64_t r;
  if (n == 0) {
    // A6: 0 → n in one step once B exceeds the activation threshold.
    r = b <= cfg.activation_backlog ? 0 : std::max<int64_t>(1, ceil_div_milli(b, t_milli));
  } else if (cfg.min_tasks <= 0 && b <= cfg.deactivation_backlog) {
    r = 0;  // service inactive
  } else {
    // (1 − tol) ≤ B / (T × N) ≤ (1 + tol), with T = T_m / 1000 and tol = ppm / 1e6,
    // multiplied out so that no division or rounding is involved.
    const i128 lhs = static_cast<i128>(b) * 1'000'000'000;
    const i128 base = static_cast<i128>(t_milli) * n;
    if ((kPpm - tol_ppm) * base <= lhs && lhs <= (kPpm + tol_ppm) * base) {
      r = n;
      te.within_tolerance = true;
    } else {
      r = ceil_div_milli(b, t_milli);
    }
  }
  te.uncapped = r;
  const bool fifo_cap = c.exists && c.fifo && cfg.fifo_cap_at_groups;
  if (fifo_cap) {
    // A9: one consumer per group at a time; but never below 1 while there is work.
    int64_t cap = std::max<int64_t>(0, c.active_groups);
    if (b > cfg.deactivation_backlog) cap = std::max<int64_t>(cap, 1);
    if (r > cap) {
      r = cap;
      te.capped_at_groups = true;
    }
  }
  te.recommendation = r;
  return te;
}

// §4.2 and §4.3 at a given N: per-trigger recommendations and raw.
struct Demand {
  std::vector<TriggerEval> triggers;
  int64_t demand = 0;           // max r_i (after FIFO caps)
  int64_t uncapped = 0;         // max r_i before FIFO caps
  bool tolerance_held = false;  // some r_i = N by the band while ceil(B / T) ≠ N
};

Demand demand_at(const Config& cfg, const Inputs& in, int64_t n) {
  static const QueueCounts kMissing = [] {
    QueueCounts c;
    c.exists = false;
    return c;
  }();
  const int64_t tol = tolerance_ppm(cfg.tolerance);
  Demand d;
  d.triggers.reserve(cfg.triggers.size());
  for (size_t i = 0; i < cfg.triggers.size(); ++i) {
    const QueueCounts& c = i < in.counts.size() ? in.counts[i] : kMissing;
    TriggerEval te = recommend(cfg, cfg.triggers[i], c, n, tol);
    d.demand = std::max(d.demand, te.recommendation);
    d.uncapped = std::max(d.uncapped, te.uncapped);
    if (te.within_tolerance && ceil_div_target(te.backlog, cfg.triggers[i].target) != n) d.tolerance_held = true;
    d.triggers.push_back(te);
  }
  return d;
}

void record(State& st, Ms now, int64_t value) {
  if (st.history.empty() || st.history.back().second != value) st.history.emplace_back(now, value);
}

Ms keep_span(const Config& cfg) { return std::max<Ms>({cfg.scale_in_window, cfg.scale_to_zero_delay, 0}); }

// Drops change points whose interval ended at or before now − max(W, Z): no window
// from now on can see them (§4.1).
void prune(const Config& cfg, State& st, Ms now) {
  const Ms horizon = now - keep_span(cfg);
  while (st.history.size() >= 2 && st.history[1].first <= horizon) st.history.pop_front();
}

// The interval of change point i is [t_i, t_{i+1}); the last one is still in force. It
// is inside the window (now − span, now] iff it ends after now − span: the value in
// force at now − span counts only if it stayed in force after that instant, and a value
// recommended at an instant and replaced at the same instant counts while that instant
// is inside the window.
bool in_window(const State& st, size_t i, Ms now, Ms span) {
  return i + 1 == st.history.size() || st.history[i + 1].first > now - span;
}

// S = max{raw(τ) : τ ∈ (now − W, now]}.
int64_t window_max(const State& st, Ms now, Ms w) {
  int64_t s = 0;
  for (size_t i = 0; i < st.history.size(); ++i) {
    if (in_window(st, i, now, w)) s = std::max(s, st.history[i].second);
  }
  return s;
}

bool zero_over(const State& st, Ms now, Ms span) {
  for (size_t i = 0; i < st.history.size(); ++i) {
    if (in_window(st, i, now, span) && st.history[i].second != 0) return false;
  }
  return true;
}

bool pacing_on(const Config& cfg) { return cfg.scale_in_max_per_step.has_value() && cfg.scale_in_step > 0; }

// The earliest instant after `now` at which, with unchanged inputs, the effective S
// falls below n (so a scale-in happens), combined with step pacing. nullopt when the
// interval holding a value ≥ n is still in force.
//   n ≥ 2: S < n once the last interval with a value ≥ n has been out of the window for
//          W, i.e. at its end + W.
//   n = 1: S = 0 is replaced by 1 unless raw was 0 over (t − Z, t]; with Z ≥ W the
//          condition is that the last non-zero interval ended Z ago.
std::optional<Ms> scale_in_instant(const Config& cfg, const State& st, int64_t n, Ms now) {
  const Ms w = std::max<Ms>(0, cfg.scale_in_window);
  const Ms span = n == 1 ? keep_span(cfg) : w;
  Ms at = kNever;
  for (size_t i = st.history.size(); i-- > 0;) {
    if (st.history[i].second >= n) {
      if (i + 1 == st.history.size()) return std::nullopt;
      at = st.history[i + 1].first + span;
      break;
    }
  }
  if (pacing_on(cfg) && st.last_scale_in) at = std::max(at, *st.last_scale_in + cfg.scale_in_step);
  // Cannot happen (N would have fallen in this evaluation); never ask for a busy loop.
  return std::max(at, now + 1);
}

}  // namespace

const char* to_string(Reason r) {
  switch (r) {
    case Reason::None: return "None";
    case Reason::ScaleOut: return "ScaleOut";
    case Reason::ScaleIn: return "ScaleIn";
    case Reason::Activated: return "Activated";
    case Reason::Deactivated: return "Deactivated";
    case Reason::WithinTolerance: return "WithinTolerance";
    case Reason::CooldownDeferred: return "CooldownDeferred";
    case Reason::HeldByWindow: return "HeldByWindow";
    case Reason::CappedAtMax: return "CappedAtMax";
    case Reason::CappedAtGroups: return "CappedAtGroups";
    case Reason::ScaleInDisabled: return "ScaleInDisabled";
    case Reason::Paused: return "Paused";
    case Reason::ManualOverride: return "ManualOverride";
    case Reason::BoundsChanged: return "BoundsChanged";
  }
  return "Unknown";
}

int64_t ceil_div_target(int64_t backlog, double target) { return ceil_div_milli(backlog, target_milli(target)); }

double backlog_per_task(int64_t backlog, int64_t running) {
  return static_cast<double>(backlog) / static_cast<double>(std::max<int64_t>(running, 1));
}

Decision evaluate(const Config& cfg, State& state, const Inputs& in, Ms now) {
  const Bounds bounds(cfg);
  Decision d;
  d.old_desired = state.desired;

  // §4.4 step 4: N outside the (possibly just edited) bounds is clamped at once.
  int64_t n = bounds.clamp(state.desired);
  const bool bounds_moved = n != state.desired;

  // §4.2 and §4.3.
  Demand dem = demand_at(cfg, in, n);
  // clamp(max r_i, min, max) is 0 only if minTasks = 0 and every trigger said 0.
  const int64_t raw = bounds.clamp(dem.demand);
  const bool capped_at_max = dem.demand > bounds.hi;
  const bool groups_lowered = bounds.clamp(dem.uncapped) > raw;
  d.raw = raw;
  d.demand = dem.demand;
  d.triggers = std::move(dem.triggers);

  // Step 1: the history, seeded with N on first use (see the header).
  if (state.history.empty()) record(state, now, n);
  record(state, now, raw);
  prune(cfg, state, now);

  Reason reason = Reason::None;
  bool scaled = false;
  std::optional<Ms> next;
  if (cfg.paused) {
    reason = Reason::Paused;  // step 4: paused freezes N (raw is still recorded)
  } else if (raw > n) {
    // Step 2: never blocked by the scale-in window; a cooldown defers, never drops.
    if (state.last_scale_out && now < *state.last_scale_out + cfg.scale_out_cooldown) {
      reason = Reason::CooldownDeferred;
      next = *state.last_scale_out + cfg.scale_out_cooldown;
    } else {
      reason = n == 0          ? Reason::Activated
               : capped_at_max ? Reason::CappedAtMax
               : groups_lowered ? Reason::CappedAtGroups
                                : Reason::ScaleOut;
      n = raw;
      state.last_scale_out = now;
      scaled = true;
    }
  } else if (raw < n) {
    int64_t settled = raw;
    if (!cfg.scale_in_enabled) {
      reason = Reason::ScaleInDisabled;
    } else {
      // Step 3.
      int64_t s = window_max(state, now, std::max<Ms>(0, cfg.scale_in_window));
      if (s == 0 && !zero_over(state, now, keep_span(cfg))) s = 1;
      d.window_max = s;
      const int64_t target = std::min(n, s);
      const bool paced =
          pacing_on(cfg) && state.last_scale_in && now < *state.last_scale_in + cfg.scale_in_step;
      if (target < n && !paced) {
        n = pacing_on(cfg) ? std::max(target, n - std::max<int64_t>(1, *cfg.scale_in_max_per_step)) : target;
        state.last_scale_in = now;
        reason = n == 0 ? Reason::Deactivated : Reason::ScaleIn;
        scaled = true;
      } else {
        reason = Reason::HeldByWindow;
      }
      if (scaled) {
        // raw depends on N through the band. A scale-in can land above raw (on S, or
        // on N − k when paced), and that N may itself be inside the band (B = 50,
        // T = 5: 12 → 11, 50/55 ≥ 0.9, so raw becomes 11). Record now what any later
        // evaluation with these counts would recommend, so the history and the timer
        // below need no extra evaluation. Landing on raw records nothing.
        settled = bounds.clamp(demand_at(cfg, in, n).demand);
        record(state, now, settled);
      }
      // Window expiry is a timer, never polled.
      if (settled < n) next = scale_in_instant(cfg, state, n, now);
    }
  } else {
    reason = capped_at_max        ? Reason::CappedAtMax
             : groups_lowered     ? Reason::CappedAtGroups
             : dem.tolerance_held ? Reason::WithinTolerance
                                  : Reason::None;
  }
  if (!scaled && bounds_moved) reason = Reason::BoundsChanged;

  state.desired = n;
  d.desired = n;
  d.reason = reason;
  d.next_eval = next;
  return d;
}

Decision apply_bounds(const Config& cfg, State& state, Ms now) {
  Decision d;
  d.old_desired = state.desired;
  state.desired = Bounds(cfg).clamp(state.desired);
  d.desired = state.desired;
  d.raw = state.history.empty() ? state.desired : state.history.back().second;
  d.demand = d.raw;
  d.reason = d.changed() ? Reason::BoundsChanged : Reason::None;
  prune(cfg, state, now);
  return d;
}

Decision override_desired(const Config& cfg, State& state, int64_t desired, Ms now) {
  Decision d;
  d.old_desired = state.desired;
  state.desired = Bounds(cfg).clamp(desired);
  // Held for W like a recommendation: a later, lower raw cannot undo it before then.
  record(state, now, state.desired);
  prune(cfg, state, now);
  d.desired = state.desired;
  d.raw = state.desired;
  d.demand = state.desired;
  d.reason = Reason::ManualOverride;
  return d;
}

}  // namespace ebb::scale

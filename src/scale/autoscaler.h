// The target-tracking autoscaler of autoscaling.md §4 as a pure function of
// (config, state, inputs, time): no clock, no I/O, no threads. The service controller
// feeds it exact queue counters and applies what it decides; tests replay the worked
// traces of §8 in milliseconds.
//
// Contract of the whole file: every function is deterministic (identical arguments give
// identical results and identical state), allocation is its only side effect, and none
// is thread-safe on a shared State (the controller owns one State per service).
// `now` must not decrease from one call to the next on the same State.
//
// Exactness: T is held in milli-messages (T_m = round(T × 1000), at least 1) and the
// tolerance in millionths, and every comparison of §4.2 is done in 128-bit integers, so
// ratios such as 11 / (5 × 2) = 1.1 land inside the band exactly, on every machine.
//
// How the main reason of a Decision is chosen (first match wins):
//   evaluate():
//     1. N moved by a scale-out: Activated if N was 0; else CappedAtMax if the demand
//        (max over triggers, before bounds) was above maxTasks; else CappedAtGroups if the
//        FIFO cap lowered the outcome; else ScaleOut.
//     2. N moved by a scale-in: Deactivated if N became 0, else ScaleIn.
//     3. N moved only because it was outside [minTasks, maxTasks]: BoundsChanged.
//     4. paused: Paused.
//     5. raw > N but the scale-out cooldown runs: CooldownDeferred.
//     6. raw < N but scale-in is disabled: ScaleInDisabled.
//     7. raw < N but the window (S ≥ N), the scale-to-zero delay (S = 0 replaced by 1)
//        or maxTasksPerStep pacing holds N: HeldByWindow.
//     8. raw = N: CappedAtMax if demand > maxTasks; else CappedAtGroups if the FIFO cap
//        lowered raw; else WithinTolerance if a trigger's ratio was inside the band while
//        ceil(B / T) differed from N; else None.
//   apply_bounds(): BoundsChanged when N moved, else None.
//   override_desired(): ManualOverride.
// Details (demand, S, per-trigger caps) stay in the Decision for the event record.
#pragma once
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace ebb::scale {

using Ms = int64_t;  // milliseconds on the controller's clock (any epoch; only differences matter)

struct Trigger {
  std::string queue;
  double target = 5;              // targetBacklogPerTask (finite, > 0)
  bool include_in_flight = true;
  bool include_delayed = false;
};

struct Config {
  std::vector<Trigger> triggers;  // at least one
  int64_t min_tasks = 1;
  int64_t max_tasks = 10;
  double tolerance = 0.1;
  Ms scale_out_cooldown = 0;
  Ms scale_in_window = 300'000;   // W (scaleInCooldownSeconds)
  Ms scale_to_zero_delay = 300'000;
  int64_t activation_backlog = 0;
  int64_t deactivation_backlog = 0;
  bool scale_in_enabled = true;
  std::optional<int64_t> scale_in_max_per_step;  // scaleIn.maxTasksPerStep
  Ms scale_in_step = 15'000;                     // scaleIn.stepSeconds
  bool fifo_cap_at_groups = true;
  bool paused = false;
};

struct QueueCounts {
  int64_t visible = 0, in_flight = 0, delayed = 0;
  bool fifo = false;
  int64_t active_groups = 0;      // FIFO: groups with a visible or in-flight message
  bool exists = true;             // false: the queue is missing (counts as B = 0)
};

struct Inputs {
  std::vector<QueueCounts> counts;  // one per Config::triggers entry, same order
};

enum class Reason {
  None,              // nothing changed and nothing noteworthy
  ScaleOut, ScaleIn, Activated, Deactivated, WithinTolerance, CooldownDeferred, HeldByWindow,
  CappedAtMax, CappedAtGroups, ScaleInDisabled, Paused, ManualOverride, BoundsChanged,
};
const char* to_string(Reason r);

// State carried between evaluations (§4.1). Start with State{.desired = initial}.
struct State {
  int64_t desired = 0;                          // N
  std::deque<std::pair<Ms, int64_t>> history;   // raw change points (t, value), oldest first
  std::optional<Ms> last_scale_out;             // instant of the last increase
  std::optional<Ms> last_scale_in;              // for scaleIn.maxTasksPerStep pacing
  friend bool operator==(const State&, const State&) = default;
};

struct TriggerEval {
  int64_t backlog = 0;     // B_i
  int64_t recommendation = 0;  // r_i (after the FIFO cap)
  bool capped_at_groups = false;
  // Added by scale:
  int64_t uncapped = 0;        // r_i before the FIFO cap
  bool within_tolerance = false;  // N > 0 and B / (T × N) inside [1 − tol, 1 + tol]: r_i = N
  friend bool operator==(const TriggerEval&, const TriggerEval&) = default;
};

struct Decision {
  int64_t old_desired = 0;
  int64_t raw = 0;                 // §4.3, after bounds
  int64_t window_max = 0;          // S (0 when no scale-in was considered)
  int64_t desired = 0;             // N after this evaluation
  Reason reason = Reason::None;    // the main reason (ScaleOut, HeldByWindow, …)
  std::vector<TriggerEval> triggers;
  std::optional<Ms> next_eval;     // earliest instant a re-evaluation can change N without
                                   // new inputs (window expiry, cooldown end, step pacing)
  bool changed() const { return desired != old_desired; }
  // Added by scale:
  int64_t demand = 0;              // max over triggers of r_i (after FIFO caps), before bounds
  friend bool operator==(const Decision&, const Decision&) = default;
};

// One evaluation at time `now` (§4.4 steps 1-3). Mutates `state`.
//
// - N outside [minTasks, maxTasks] (0 allowed when minTasks = 0) is clamped first, so a
//   config edit takes effect even if apply_bounds was not called; this happens even when
//   paused (the bounds are a hard limit).
// - raw is always recorded in the history (also when paused or scale-in is disabled),
//   so the window reflects the demand of those periods when they end.
// - A State whose history is empty (a new service, or one restored without history)
//   gets a change point (now, N) first: N counts as recommended at the first evaluation,
//   so a fresh or restarted controller never scales in before W has passed.
// - `in.counts` shorter than cfg.triggers: the missing entries count as missing queues.
// - next_eval is exact and tight: when set, re-evaluating at that instant with unchanged
//   inputs changes N (cooldown end, the instant the window/zero-delay stops holding N, or
//   the next maxTasksPerStep step), and no earlier instant does. nullopt: only new inputs
//   (counter changes, edits, override) can change N.
Decision evaluate(const Config& cfg, State& state, const Inputs& in, Ms now);

// §4.4 step 4: min/max edits clamp N at once (reason BoundsChanged when N moved). Runs
// even when paused. No recommendation is computed: Decision::raw and ::demand are the
// last recorded raw, triggers is empty, next_eval is nullopt; the controller evaluates
// next with fresh counts, as on every service edit.
Decision apply_bounds(const Config& cfg, State& state, Ms now);
// Manual desired count (CLI/API): sets N (clamped to the bounds, even when paused) and
// inserts a change point equal to it, so it is held for W unless demand is higher; a
// higher demand wins at the next evaluate() (subject to the scale-out cooldown, which an
// override neither starts nor resets). Reason ManualOverride; raw and demand are the
// new N, triggers is empty, next_eval is nullopt (evaluate next, as after apply_bounds).
Decision override_desired(const Config& cfg, State& state, int64_t desired, Ms now);

// Exact ceil(B / T) with T held in milli-messages (§4.2). B < 0 counts as 0; T is
// clamped to [0.001, ~1.1e9] (NaN → 0.001) so the result is always defined; saturates
// at INT64_MAX.
int64_t ceil_div_target(int64_t backlog, double target);

// §3: the reported (never decided on) metric backlogPerTask = B / max(running, 1).
double backlog_per_task(int64_t backlog, int64_t running);

}  // namespace ebb::scale

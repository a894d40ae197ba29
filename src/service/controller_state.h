// Internal state of the ServiceController (service_controller.h), shared by its .cc
// files: service_controller.cc (API, loading, restart), service_actuation.cc
// (evaluation, launching, draining, stopping, task events) and service_views.cc (JSON
// views, metrics). Not for other modules.
//
// Locking: everything below is guarded by Impl::mu except `counts_dirty` (atomic), the
// wake callback (wake_mu) and the durability gate (Gate::mu). Runtime calls and
// when_durable registrations are collected in an Effects value under mu and run after
// mu is released: the runtime's listener thread and the committer's writer thread call
// back into the controller, and must never wait for a lock held by a thread that is
// waiting for them. Engine calls are made under mu (mu → engine lock is the only
// order; the engine calls back only through notify_counts_changed, which takes no mu).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/task_record.h"
#include "runtime/task_template.h"
#include "scale/autoscaler.h"
#include "service/restart_backoff.h"
#include "service/service_controller.h"
#include "service/service_spec.h"

namespace ebb::service {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
inline constexpr size_t kDecisionsShown = 10;            // status.decisions
inline constexpr int64_t kRuntimeRetryMs = 5'000;         // reconnect after on_runtime_lost
inline constexpr int64_t kOrphanGraceMs = 10'000;         // stop grace for tasks nobody owns

// One task as the controller tracks it: the durable record plus what only lives in
// memory (monotonic instants, why it drains).
struct Task {
  runtime::TaskRecord rec;
  std::vector<std::string> argv;        // for the Task view
  int64_t created_mono = 0;
  std::optional<int64_t> started_mono;  // on_started (or reconstructed after a restart)
  std::optional<int64_t> timeout_ms;    // template.timeoutSeconds at creation
  int64_t grace_ms = 30'000;            // template.stopTimeoutSeconds at creation
  int64_t drain_since_mono = 0;
  std::string drain_reason;             // stop reason once drained: "ScaleIn" | "Replaced"
  bool outdated = false;                // launched from an older template (rolling update)
  bool detached = false;                // its service was removed: stop, then forget

  bool alive() const { return !runtime::finished(rec.state); }
  bool active() const {  // counts towards N (autoscaling.md §1)
    using S = runtime::TaskState;
    return rec.state == S::Pending || rec.state == S::Starting || rec.state == S::Running;
  }
};

struct Svc {
  ServiceSpec spec;
  std::optional<int64_t> min_override, max_override;  // `ebb scale --min/--max`
  bool paused = false;
  int64_t created_ms = 0;                             // wall
  scale::State state;                                 // state.desired is N
  // Last evaluation (status.triggers, events).
  scale::Inputs last_inputs;
  std::optional<scale::Decision> last_decision;
  scale::Reason last_reason = scale::Reason::None;
  int64_t last_scale_ms = 0;                          // wall instant of the last change of N
  // Evaluation timing (autoscaling.md §6), monotonic ms.
  bool dirty = true;
  bool edited = false;                                // an API change: evaluate without coalescing
  bool evaluated = false;
  int64_t last_eval = 0;
  std::optional<int64_t> timer;                       // Decision::next_eval
  std::optional<int64_t> counts_changed_mono;         // for the decision latency metric
  RestartBackoff backoff;
  std::vector<bool> queue_missing;                    // per trigger, for the Warning event
  // Events, oldest first, at most ControllerConfig::events_kept.
  std::deque<nlohmann::json> events;
  std::deque<std::string> event_keys;
  uint64_t next_seq = 1;
  // Metrics.
  std::map<std::string, uint64_t> scaling_events;
  uint64_t scaled_out = 0, scaled_in = 0;             // changes of N by direction
  std::map<std::string, uint64_t> suppressed;         // wanted change not made: cooldown|max_tasks|min_tasks|activation
  uint64_t task_starts = 0, task_exits = 0, task_failures = 0;

  const std::string& name() const { return spec.name; }
  std::string object() const { return "service/" + spec.name; }
};

// Work decided under the lock and done after it is released.
struct Effects {
  std::vector<std::pair<Token, std::string>> launch_when_durable;  // token, task id
  std::vector<runtime::LaunchSpec> launches;
  std::vector<std::pair<std::string, int64_t>> stops;              // task id, grace ms
  bool wake = false;
};

struct ServiceController::Impl {
  // Lets committer callbacks outlive the controller safely: they lock the gate and
  // find impl == nullptr once the controller is gone.
  struct Gate {
    std::recursive_mutex mu;
    Impl* impl = nullptr;
  };

  Impl(Clock& c, Engine& e, Committer& cm, runtime::Runtime& r, ControllerConfig cf);

  Clock& clock;
  Engine& engine;
  Committer& committer;
  runtime::Runtime& runtime;
  ControllerConfig cfg;
  std::shared_ptr<Gate> gate;

  mutable std::mutex mu;
  std::condition_variable exited_cv;                  // shutdown waits for exits
  std::map<std::string, Svc> services;                // guarded by mu
  std::map<std::string, Task> tasks;                  // guarded by mu; by task id
  std::unordered_map<std::string, std::string> by_key;  // access key id → task id (alive tasks)
  runtime::Capabilities caps;
  bool started = false;
  bool shutting_down = false;
  bool runtime_ok = false;
  int64_t reconnect_at = 0;
  Token last_token = 0;
  uint64_t task_starts = 0, task_exits = 0, task_failures = 0;
  double latency_last_s = 0, latency_max_s = 0;

  std::atomic<bool> counts_dirty{false};
  // Monotonic instant of the first counter change since the last tick (kNoChange: none).
  static constexpr int64_t kNoChange = std::numeric_limits<int64_t>::min();
  std::atomic<int64_t> first_change{kNoChange};
  std::mutex wake_mu;
  std::function<void()> wake_fn;  // guarded by wake_mu

  // ---- time ----
  int64_t mono_ms() const;
  int64_t wall_ms() const { return clock.now_ms(); }
  // A wall instant seen before a restart, as a monotonic instant (best effort).
  int64_t mono_from_wall(int64_t wall) const { return mono_ms() - (wall_ms() - wall); }

  // ---- records (append only; durable later) ----
  Token put_service(const Svc& s);
  Token put_task(const Task& t);
  void delete_task(const std::string& id);   // record, memory and directory
  void add_event(Svc& s, bool warning, const std::string& reason, const std::string& message,
                 std::optional<nlohmann::json> inputs = std::nullopt);
  void prune_finished(Svc& s);
  std::string task_dir(const std::string& id) const;
  Svc* owner(const Task& t);
  std::vector<Task*> tasks_of(const std::string& service);

  // ---- evaluation and actuation (service_actuation.cc) ----
  scale::Config effective_config(const Svc& s) const;
  bool rolling(const Svc& s) const;
  int64_t tick_locked(Effects& fx);
  void evaluate(Svc& s, int64_t now);
  void record_decision(Svc& s, const scale::Config& cfg, const scale::Decision& d, int64_t now);
  int64_t reconcile(Svc& s, int64_t now, Effects& fx);
  void create_task(Svc& s, int64_t now, Effects& fx);
  void launch_now(const std::string& id, Effects& fx);
  void retire(Svc& s, const std::string& id, const std::string& reason, int64_t now, Effects& fx);
  void stop_task(Task& t, Svc* s, const std::string& reason, Effects& fx);
  void return_to_service(Svc& s, Task& t);
  void cancel_pending(Task& t);
  void handle_started(const runtime::TaskStarted& st, Effects& fx);
  void handle_exit(const runtime::TaskExited& e, Effects& fx);
  void adopt(const runtime::Reconnected& rc, Effects& fx);
  void run(Effects& fx);
  void wake();

  // ---- views (service_views.cc) ----
  nlohmann::json service_json(const Svc& s) const;
  nlohmann::json task_json(const Task& t) const;
  int64_t count_state(const std::string& service, runtime::TaskState st) const;
};

}  // namespace ebb::service

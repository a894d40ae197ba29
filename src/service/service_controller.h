// ServiceController: `kind: Service` (autoscaling.md, ecosystem.md §3.6). Keeps each
// service's task count on the autoscaler's decision: observe exact queue counters →
// scale::evaluate (pure) → act (launch, drain, stop through the Runtime) → return the
// next instant it must run. Never reads the system clock and never sleeps; the daemon
// arms a timer for tick()'s answer and calls tick() again when on_wakeup fires.
//
// Durability: a task's record (state Pending) is committed before its launch is
// requested (reliability.md §2.7); every state change and every scaling decision is a
// store record, so a restarted ebbd re-adopts live tasks, marks the others Lost, and
// `describe` still shows the last decisions.
//
// Thread-safe: one mutex. Runtime callbacks arrive on the runtime's thread, API calls
// on I/O threads, tick() on the daemon's timer strand.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "clock/clock.h"
#include "queue/engine.h"
#include "runtime/runtime.h"
#include "runtime/task_template.h"
#include "store/committer.h"
#include "store/store.h"

namespace ebb::service {

// Counters and gauges for /metrics (autoscaling.md §9). A copy: cheap to take.
struct ServiceMetrics {
  std::string name;
  int64_t desired = 0, running = 0, starting = 0, draining = 0, stopping = 0;
  int64_t backlog = 0, visible = 0, in_flight = 0, delayed = 0;  // last evaluation, summed over triggers
  double backlog_per_task = 0;   // backlog / max(running, 1)
  double target = 0;             // targetBacklogPerTask of the first trigger
  std::map<std::string, uint64_t> scaling_events;  // by reason (ScaleOut, HeldByWindow, …)
  uint64_t scaled_out = 0, scaled_in = 0;          // changes of desired by direction
  std::map<std::string, uint64_t> suppressed;      // cooldown | max_tasks | min_tasks | activation
  int64_t last_scale_ms = 0;                       // wall instant of the last change (0 = never)
  uint64_t task_starts = 0, task_exits = 0, task_failures = 0;
};
struct MetricsSnapshot {
  std::vector<ServiceMetrics> services;   // sorted by name
  uint64_t task_starts = 0, task_exits = 0, task_failures = 0;  // every service, since start
  double decision_latency_last_seconds = 0;  // counter change → decision (§9)
  double decision_latency_max_seconds = 0;
};

struct ControllerConfig {
  std::string data_dir;        // task directories: <data_dir>/tasks/<task id>/{output.log,work/}
  std::string endpoint_url;    // e.g. http://127.0.0.1:9324 → AWS_ENDPOINT_URL(_SQS) of tasks
  std::string ca_bundle;       // AWS_CA_BUNDLE etc. of tasks ("" = plain HTTP)
  std::string region = "us-east-1";
  std::string account = "000000000000";
  std::string task_path = "/usr/local/bin:/usr/bin:/bin";  // PATH of tasks (--task-path)
  size_t finished_tasks_kept = 200;  // per service; older finished task records are deleted
  size_t events_kept = 200;          // per service
  int64_t task_uid = -1, task_gid = -1;  // task user (reliability.md §4.6); -1: the launcher's own
  bool allow_root_tasks = false;         // ebbd --allow-root-tasks
  runtime::SecretLookup secrets;     // secretKeyRef values at launch (null: none exist)
};

class ServiceController final : public runtime::Listener {
 public:
  ServiceController(Clock& clock, Engine& engine, Committer& committer, runtime::Runtime& runtime,
                    ControllerConfig cfg);
  ~ServiceController() override;

  // Restores services, tasks and events from the store (records of kinds "service",
  // "task" with owner_kind Service, "event"). Call once, before start().
  void load(const std::vector<RecordRow>& records);
  // Starts the runtime: tasks a previous ebbd left running are re-adopted, tasks that
  // were Starting/Running/Draining/Stopping but are gone become Lost (and are replaced
  // by policy); exits that happened while ebbd was down are recorded.
  Status start();
  // Graceful shutdown: stop_tasks=true stops every task (SIGTERM, stopTimeoutSeconds,
  // SIGKILL) and waits at most `wait` for them to exit; false leaves them to re-adopt.
  void shutdown(bool stop_tasks, Millis wait);

  // ---- manifests and commands (validated documents; see manifest::validate) ----
  // action: "created" | "configured" | "unchanged". Warnings (e.g. "queue x also feeds
  // service y") are appended to `warnings`.
  Result<std::pair<std::string, Token>> apply(const nlohmann::json& validated_doc, std::vector<std::string>& warnings);
  // Stops the service's tasks (SIGTERM → grace → SIGKILL) and deletes it.
  Result<Token> remove(const std::string& name);
  // `ebb scale service/NAME --min --max` (§4.4 step 4: clamps N at once).
  Result<Token> scale(const std::string& name, std::optional<int64_t> min, std::optional<int64_t> max);
  // suspend/resume: paused freezes N (§4.4 step 4).
  Result<Token> set_paused(const std::string& name, bool paused);

  // ---- views (JSON shapes: docs/api.md "Services" and "Tasks") ----
  nlohmann::json list() const;                                     // kind List of Service
  Result<nlohmann::json> get(const std::string& name) const;       // Service incl. status.decisions
  Result<nlohmann::json> events(const std::string& name) const;    // {"items":[event…]} oldest first
  // owner "" = every task; finished tasks included when `all`.
  nlohmann::json list_tasks(const std::string& owner, bool all) const;
  Result<nlohmann::json> get_task(const std::string& id) const;
  // Log files of a task (current then rotated), or of every task of a service
  // (oldest task first). NotFound when neither exists.
  Result<std::vector<std::string>> log_paths(const std::string& kind_slash_name) const;
  runtime::Capabilities capabilities() const;
  MetricsSnapshot metrics() const;
  // The secret of a live task's access key id (tasks sign SigV4 with ebb-issued
  // credentials, autoscaling.md §5.1); nullopt for unknown keys and finished tasks.
  std::optional<std::string> task_secret(const std::string& access_key_id) const;

  // ---- time ----
  // Evaluates every service whose inputs changed or whose timer is due, acts, and
  // returns the next instant (monotonic) it needs to run.
  MonoTime tick();
  // Called when tick() should run earlier than its last answer (counter change, task
  // event, API change). Cheap; may be called on any thread.
  void on_wakeup(std::function<void()> f);
  // The daemon wires Engine::on_counts_changed here.
  void notify_counts_changed();

  // ---- runtime::Listener ----
  void on_started(const runtime::TaskStarted& s) override;
  void on_exited(const runtime::TaskExited& e) override;
  void on_runtime_lost(const std::string& why) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ebb::service

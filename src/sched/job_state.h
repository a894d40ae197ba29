// Internal state of the JobController (job_controller.h), shared by its .cc files:
// job_controller.cc (API, records, restart, decisions, runtime events) and
// job_views.cc (JSON views). Not for other modules.
//
// Locking (the ServiceController's discipline): everything below is guarded by
// Impl::mu. Store appends made under mu are collected in `ops` (Job and attempt
// records as a set of changed keys, each written once) and appended as one group
// (Committer::append_all) when the locked section ends, so a Job's counters and the
// attempt record that changed them commit together. Runtime calls, directory work
// and when_durable registrations are collected in Effects and run after mu is
// released: the runtime's listener thread and the committer's writer thread call back
// into the controller and must never wait for a lock held by a thread waiting on them.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/task_record.h"
#include "sched/job_controller.h"
#include "sched/job_spec.h"

namespace ebb::sched {

inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kRuntimeRetryMs = 5'000;
inline constexpr int64_t kIdleTickMs = 3'600'000;  // tick() answer when nothing is due

// One attempt: the durable TaskRecord plus Job-only fields (stored in the same record
// as extra keys) and monotonic instants.
struct Attempt {
  runtime::TaskRecord rec;
  int64_t index = -1;                  // completion index (Indexed), else -1
  int64_t restarts = 0;                // restartPolicy OnFailure: restarts in place
  std::string outcome;                 // "" while alive; Succeeded | Failed | Ignored | Terminated
  std::vector<std::string> argv;       // as launched (for the Task view)
  std::optional<int64_t> started_mono;
  bool waiting_restart = false;        // OnFailure: Pending until restart_at
  int64_t restart_at = 0;              // monotonic
  bool detached = false;               // its Job was deleted: stop, then forget

  bool alive() const { return !runtime::finished(rec.state); }
  bool stopping() const { return rec.state == runtime::TaskState::Stopping; }
};

// Per-index failure bookkeeping (backoffLimitPerIndex), sparse.
struct IndexFailures {
  int64_t failures = 0;                // counted, cumulative
  int64_t consecutive = 0;             // since the index's last success (delay)
  int64_t until = 0;                   // monotonic: no new attempt before
};

struct Job {
  JobSpec spec;
  std::string owner;                   // "cronjob/NAME" … or ""
  int64_t created_ms = 0;              // wall
  bool suspended = false;
  std::optional<int64_t> start_ms;     // status.startTime (wall); reset on resume
  int64_t start_mono = 0;
  bool finished = false, complete = false;
  int64_t finish_ms = 0, finish_mono = 0;
  int64_t succeeded = 0, failed = 0;   // failed = counted failures
  bool any_success = false;
  int64_t consecutive = 0;             // counted failures since the last success (§6.4)
  int64_t backoff_until = 0;           // monotonic
  nlohmann::json conditions = nlohmann::json::array();
  // Indexed.
  IndexSet succeeded_idx, failed_idx;
  std::set<int64_t> retry;             // indexes below next_fresh needing an attempt
  int64_t next_fresh = 0;              // lowest index never started
  std::map<int64_t, std::string> active_idx;  // index → its live attempt
  std::map<int64_t, IndexFailures> idx_fail;
  // Attempts of this Job that are alive (incl. Stopping and waiting restarts).
  std::set<std::string> alive;
  // Events, oldest first.
  std::deque<nlohmann::json> events;
  std::deque<std::string> event_keys;
  uint64_t next_seq = 1;
  bool dirty = true;                   // reconcile at the next tick
  int64_t next_due = 0;                // monotonic: reconcile() asked to run again then

  const std::string& name() const { return spec.name; }
  std::string object() const { return "job/" + spec.name; }
  int64_t parallelism(int64_t cap) const { return std::min(spec.parallelism, cap); }
};

struct Effects {
  std::vector<std::string> launch_ids;                                   // after the next flush
  std::vector<std::pair<Token, std::vector<std::string>>> launch_when_durable;
  std::vector<runtime::LaunchSpec> launches;
  std::vector<std::pair<std::string, int64_t>> stops;                    // task id, grace ms
  std::vector<std::string> remove_dirs;
  bool wake = false;
};

struct JobController::Impl {
  struct Gate {
    std::recursive_mutex mu;
    Impl* impl = nullptr;
  };

  Impl(Clock& c, Committer& cm, runtime::Runtime& r, JobControllerConfig cf);

  Clock& clock;
  Committer& committer;
  runtime::Runtime& runtime;
  JobControllerConfig cfg;
  std::shared_ptr<Gate> gate;

  mutable std::mutex mu;
  std::condition_variable exited_cv;
  std::map<std::string, Job> jobs;
  std::map<std::string, Attempt> attempts;
  std::map<std::string, nlohmann::json> config_maps;  // name → data
  std::vector<StoreOp> ops;                            // appended at flush()
  std::set<std::string> dirty_jobs, dirty_attempts;    // written at flush() (put_job/put_attempt)
  bool started = false, shutting_down = false, runtime_ok = false;
  int64_t reconnect_at = 0;
  int64_t armed_next = -1;  // what the last tick() answered (monotonic ms); -1 = none yet
  std::mutex wake_mu;
  std::function<void()> wake_fn;

  // ---- time ----
  int64_t mono_ms() const;
  int64_t wall_ms() const { return clock.now_ms(); }
  int64_t mono_from_wall(int64_t wall) const { return mono_ms() - (wall_ms() - wall); }
  int64_t wall_from_mono(int64_t mono) const { return wall_ms() - (mono_ms() - mono); }

  // ---- records ----
  void put_job(const Job& j);          // marks the record for the next flush()
  void put_attempt(const Attempt& a);  // idem
  void write_job(const Job& j);        // appends its PutRecord to `ops`
  void write_attempt(const Attempt& a);
  void delete_attempt(const std::string& id, Effects& fx);
  void add_event(Job& j, bool warning, const std::string& reason, const std::string& message);
  Token flush(Effects& fx);  // appends `ops`, attaches pending launches to its token
  std::string task_dir(const std::string& id) const;
  Job* owner(const Attempt& a);

  // ---- decisions and actions ----
  void create_job(JobSpec spec, const std::string& owner);
  void set_suspend(Job& j, bool suspend, Effects& fx);
  int64_t reconcile(Job& j, int64_t now, Effects& fx, std::vector<std::string>& to_delete);
  void reconcile_now(Job& j, Effects& fx);  // reconcile outside a tick; asks for one if due sooner
  void create_attempt(Job& j, int64_t index, Effects& fx);
  void launch_now(const std::string& id, Effects& fx);
  void terminate(Job& j, Attempt& a, const std::string& reason, Effects& fx);
  void finish(Job& j, bool complete, const std::string& reason, const std::string& message, Effects& fx);
  void check_done(Job& j, Effects& fx);
  void release_index(Job& j, Attempt& a, bool retry);
  void index_failed(Job& j, int64_t index, Effects& fx);
  void handle_started(const runtime::TaskStarted& st, Effects& fx);
  void handle_exit(const runtime::TaskExited& e, Effects& fx);
  void adopt(const runtime::Reconnected& rc, Effects& fx);
  void delete_job(const std::string& name, Effects& fx);
  int64_t tick_locked(Effects& fx);
  void run(Effects& fx);
  void wake();

  // ---- views (job_views.cc) ----
  nlohmann::json job_json(const Job& j) const;
  nlohmann::json task_json(const Attempt& a) const;
  JobSummary summary_of(const Job& j) const;
};

// "2026-11-28T10:00:01.250Z" / "…:01Z" from Unix milliseconds (service_events' format).
std::string job_time_ms(int64_t wall_ms);
std::string job_time_s(int64_t wall_ms);

}  // namespace ebb::sched

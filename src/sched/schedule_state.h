// Internal state of the ScheduleController (schedule_controller.h), shared by
// schedule_controller.cc (records, API, slot decisions, launching) and
// schedule_views.cc (JSON views). Not for other modules.
//
// Locking: everything is guarded by Impl::mu. JobStarter and Engine calls are made
// under mu (mu → job controller / engine lock is the only order: neither calls back
// into this controller). Committer callbacks go through the Gate, as in the
// ServiceController, so they are harmless once the controller is gone. The wake
// callback is called without mu.
#pragma once
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sched/schedule_controller.h"
#include "sched/schedule_spec.h"
#include "sched/slot_plan.h"

namespace ebb::sched {

inline constexpr size_t kRunsKept = 50;          // per object: status.runs and "slot" records
inline constexpr size_t kEventsKept = 100;       // per object
// The JobController has no "Job finished" callback yet, so run ends are polled: every
// second while a decision waits on one (a Forbid deferral, a Replace), else every
// minute for bookkeeping (run outcomes, history limits, lastSuccessfulTime).
inline constexpr int64_t kWaitingPollMs = 1'000;
inline constexpr int64_t kActivePollMs = 60'000;
inline constexpr int64_t kClockJumpMs = 2'000;   // reliability.md §2.5
inline constexpr int64_t kIdleMs = 3'600'000;    // nothing scheduled at all: look again anyway

// One slot decision or manual run: the "slot" record (key "<kind>/<name>/<slot ms>",
// manual runs "<kind>/<name>/manual-<ms>"). Decided before anything is launched
// (P-S1): a Job/task target's run is written Started in the same commit as its Job and
// first attempts (launched once that commit is durable); a queue target's, or one whose
// Job could not be created at once, is written Claimed first and acted on once durable.
// Claimed and Deferred are the only non-final outcomes.
struct Run {
  std::string key;
  int64_t slot_ms = 0;
  bool manual = false;
  std::string outcome;     // Claimed Deferred Started Succeeded Failed Missed Skipped Sent DeadLettered
  std::string reason;      // Superseded DeadlineExceeded ConcurrencyForbid Suspended LaunchFailed Replaced
  int64_t start_ms = 0, lateness_ms = 0, end_ms = 0;
  std::string job, message_id, error, error_code;
  int64_t attempts = 0;    // failed launch attempts (§4.5)
  int64_t retry_at_ms = 0; // wall; next launch attempt
  bool durable = false;    // memory only: the claim is committed

  bool final() const { return outcome != "Claimed" && outcome != "Deferred"; }
  bool running() const { return outcome == "Started"; }
  nlohmann::json to_json() const;
  static std::optional<Run> from_json(const std::string& key, const nlohmann::json& j);
};

struct Obj {
  ScheduleSpec spec;
  std::shared_ptr<const SlotSeries> slots;  // null: inert (UnknownTimeZone etc.)
  std::string slots_error;
  int64_t created_ms = 0;
  int64_t anchor_ms = 0;        // anchor given to the SlotsFactory (creation or startDate)
  int64_t timing_ms = 0;        // E floor: creation or last edit of the timing fields
  int64_t last_schedule_ms = 0; // lastScheduleTime (0 = never)
  int64_t last_successful_ms = 0;
  int64_t decided_ms = std::numeric_limits<int64_t>::min();  // newest slot with a final outcome
  bool suspended = false;
  int64_t suspend_from_ms = 0, suspend_to_ms = 0;  // last suspension (Missed(Suspended))
  bool completed = false;
  std::vector<std::string> replacing;  // Jobs terminated by Replace, not gone yet
  std::map<std::string, Run> runs;     // by key
  std::deque<nlohmann::json> events;
  std::deque<std::string> event_keys;
  uint64_t next_seq = 1;

  const std::string& kind() const { return spec.kind; }
  const std::string& name() const { return spec.name; }
  std::string prefix() const { return (spec.kind == "CronJob" ? "cronjob/" : "schedule/") + spec.name; }
  int64_t after_ms() const { return std::max({timing_ms, last_schedule_ms, decided_ms}); }
};

struct Effects {
  std::vector<std::pair<Token, std::pair<std::string, std::string>>> act_when_durable;  // token, (obj id, run key)
  bool wake = false;
};

struct ScheduleController::Impl {
  struct Gate {
    std::recursive_mutex mu;
    Impl* impl = nullptr;
  };

  Impl(Clock& c, Committer& cm, Engine& e, std::unique_ptr<JobStarter> j, SlotsFactory f);

  Clock& clock;
  Committer& committer;
  Engine& engine;
  std::unique_ptr<JobStarter> jobs;
  SlotsFactory slots_factory;
  std::shared_ptr<Gate> gate;

  mutable std::mutex mu;
  std::map<std::string, Obj> objects;  // guarded by mu; by "<kind>/<name>" (lower-case kind)
  bool started = false;
  int64_t last_wall = 0, last_mono = 0;  // clock-jump detection
  std::mutex wake_mu;
  std::function<void()> wake_fn;  // guarded by wake_mu

  int64_t wall_ms() const { return clock.now_ms(); }
  int64_t mono_ms() const;
  static std::string id_of(const std::string& kind, const std::string& name);

  // records
  Token put_obj(const Obj& o);
  Token put_run(const Run& r);
  void add_event(Obj& o, bool warning, const std::string& reason, const std::string& message);
  void prune_runs(Obj& o);
  Result<std::shared_ptr<const SlotSeries>> make_slots(const ScheduleSpec& s, int64_t anchor, bool allow_past);
  static int64_t initial_timing(const ScheduleSpec& s, int64_t created_ms);

  // decisions and actions (schedule_controller.cc)
  int64_t tick_locked(Effects& fx);
  int64_t tick_object(Obj& o, int64_t now, Effects& fx);
  void reconcile_runs(Obj& o, int64_t now);
  void cleanup_history(Obj& o);
  void record_missed(Obj& o, int64_t slot, const std::string& reason, int64_t now);
  bool has_active(const Obj& o, const std::string& except_key) const;
  // Decides a slot (or manual run) for launch; returns the token of the commit that
  // records it.
  Token claim(Obj& o, Run r, Effects& fx);
  void act(Obj& o, int64_t now);
  void launch(Obj& o, Run& r, int64_t now);
  // What jobs->create needs for a run's Job; false (code, message, retryable set) when
  // the target cannot be resolved.
  struct JobRequest {
    nlohmann::json spec, labels, annotations;
  };
  struct LaunchError {
    std::string code, message;
    bool retryable = false;
  };
  bool job_request(const Obj& o, const Run& r, JobRequest& out, LaunchError& e) const;
  // jobs->create for a run with `with` committed alongside (Started record …). A
  // Conflict with a Job of the slot's name that this object owns is this run (a store
  // written before claim and Job committed together): adopted, `adopted` set.
  Result<Token> create_run_job(Obj& o, const Run& r, const JobRequest& req, std::vector<StoreOp> with,
                               bool& adopted, LaunchError& e);
  static void mark_started(Run& r, int64_t now);
  void launch_failed(Obj& o, Run& r, const std::string& code, const std::string& message, bool retryable,
                     int64_t now);
  void dead_letter(Obj& o, Run& r, const std::string& condition, int64_t now);
  // The Job spec of a run: `base` (a resolved task definition) or the spec's job_spec,
  // plus the §4.1 variables.
  nlohmann::json run_job_spec(const Obj& o, const Run& r, const nlohmann::json* base = nullptr) const;
  TaskDefinitionResolver resolve_task_definition;  // null: taskDefinition targets fail
  // Deletes the object, its run and event records; with `with_jobs` also the Jobs it
  // owns (API delete, §7.4), without for actionAfterCompletion: DELETE.
  Token delete_object(const std::string& id, bool with_jobs);
  void run(Effects& fx);
  void wake();

  // views (schedule_views.cc)
  nlohmann::json object_json(const Obj& o) const;
  std::optional<int64_t> next_schedule(const Obj& o) const;
};

}  // namespace ebb::sched

// ScheduleController: `kind: Schedule` (EventBridge Scheduler style, scheduling.md §8)
// and `batch/v1 CronJob` (scheduling.md §7). Plans slots with sched::Expression (pure),
// decides each slot once in the store before acting (record kind "slot", key
// "<kind>/<name>/<slot ms>": a slot is never run twice, even across crashes; for a
// Job/task target the record commits with the Job and its first attempt), and acts:
// a CronJob creates a Job through the JobController (concurrencyPolicy
// Allow/Forbid/Replace, startingDeadlineSeconds, history limits); a Schedule runs a
// task (a one-attempt Job), starts a Job, or sends a message to a queue, with the
// flexible window, retry policy and dead-letter queue of §4.4–4.5. Misfires after
// downtime per §4.3. Every run is recorded (slot, actual start, lateness, outcome).
// The clock is injected; tick() returns the next instant it must run.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "clock/clock.h"
#include "queue/engine.h"
#include "sched/job_controller.h"
#include "sched/schedule_seams.h"
#include "store/committer.h"
#include "store/store.h"

namespace ebb::sched {

class ScheduleController {
 public:
  ScheduleController(Clock& clock, Committer& committer, Engine& engine, JobController& jobs);
  // The same over explicit seams (schedule_seams.h): tests pass a fake JobStarter and
  // a table-driven SlotsFactory.
  ScheduleController(Clock& clock, Committer& committer, Engine& engine, std::unique_ptr<JobStarter> jobs,
                     SlotsFactory slots);
  ~ScheduleController();

  // Records "schedule", "cronjob", "slot", "schedevent".
  void load(const std::vector<RecordRow>& records);
  Status start();

  // Validated Schedule or CronJob document → created|configured|unchanged.
  Result<std::pair<std::string, Token>> apply(const nlohmann::json& validated_doc, std::vector<std::string>& warnings);
  // What apply() would refuse about the expression and zone (never fires, unknown
  // zone, at() in a gap or the past…), changing nothing: apply checks every document
  // before it changes any. Errors name the field (spec.schedule, spec.timeZone…).
  Status check(const nlohmann::json& validated_doc) const;
  Result<Token> remove(const std::string& kind, const std::string& name);        // kind "Schedule"|"CronJob"
  Result<Token> set_suspended(const std::string& kind, const std::string& name, bool suspend);
  // `ebb trigger schedule/NAME`: fire the target now (not a slot; recorded as manual).
  Result<Token> trigger(const std::string& name);
  // `ebb create job NAME --from=cronjob/X`: a Job from the CronJob's jobTemplate now.
  Result<Token> create_job_from(const std::string& cronjob, const std::string& job_name);

  // Views (docs/api.md "Schedules", "CronJobs"): status includes lastScheduleTime,
  // nextScheduleTime, active jobs, and the recent runs
  // [{slot, start, latenessMs, outcome, job?, messageId?, error?}].
  nlohmann::json list(const std::string& kind) const;
  Result<nlohmann::json> get(const std::string& kind, const std::string& name) const;
  Result<nlohmann::json> events(const std::string& kind, const std::string& name) const;

  // ebb_schedule_next_fire_timestamp_seconds (ecosystem.md §3.3): the next slot of
  // every Schedule and CronJob that has one (the nextScheduleTime of the views; a
  // suspended object keeps showing it, a completed or ended one has none).
  struct NextFire {
    std::string kind;  // Schedule | CronJob
    std::string name;
    int64_t slot_ms = 0;
  };
  std::vector<NextFire> next_fires() const;

  // Reconciles runs with their Jobs, applies history limits, decides due slots
  // (claiming each in the store before acting) and returns the next instant
  // (monotonic) it must run: the next slot (+ flexible offset) mapped from wall to
  // monotonic time with the clock's current offset, a launch retry, or a 1 s poll
  // while runs are active (the JobController has no finish callback yet).
  // Resolves Schedule `target.taskDefinition` references at launch (TaskDefinitions::resolve).
  void set_task_definitions(TaskDefinitionResolver resolve);

  MonoTime tick();
  void on_wakeup(std::function<void()> f);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ebb::sched

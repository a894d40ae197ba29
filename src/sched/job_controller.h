// JobController: Kubernetes `batch/v1` Job semantics on local processes
// (scheduling.md §6; ecosystem.md §3.6): completions, parallelism, NonIndexed and
// Indexed completion (JOB_COMPLETION_INDEX), backoffLimit with exponential retry
// delay, backoffLimitPerIndex, podFailurePolicy exit-code rules, activeDeadlineSeconds,
// ttlSecondsAfterFinished, suspend, restartPolicy, terminationGracePeriodSeconds,
// ConfigMap values. Tasks run through a runtime::Runtime (a RuntimeHub view shared with
// services). Observe → decide (pure) → act → return the next instant it must run; the
// clock is injected, nothing sleeps.
//
// Records (store.h op::PutRecord): "job" (key name; the doc + status), "task" (key
// task id, runtime::TaskRecord with owner_kind "Job"), "jobevent" (key
// "<job>/<12-digit seq>"), "configmap" (key name; the ConfigMap document). An attempt
// record is committed before its launch (reliability.md §2.7); after a restart live
// attempts are re-adopted, vanished ones become Lost (count as failures) and are
// retried by policy, never doubled for one completion index.
#pragma once
#include <functional>
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

namespace ebb::sched {

struct JobControllerConfig {
  std::string data_dir;        // attempt dirs: <data_dir>/tasks/<task id>/{output.log,work/}
  std::string endpoint_url;    // AWS_ENDPOINT_URL(_SQS) of tasks
  std::string ca_bundle;       // AWS_CA_BUNDLE etc. of tasks ("" = plain HTTP)
  std::string region = "us-east-1";
  std::string account = "000000000000";
  std::string task_path = "/usr/local/bin:/usr/bin:/bin";
  int64_t max_parallelism = 1000;  // server cap
  int64_t backoff_base_ms = 10'000;   // §6.4 --job-backoff-base
  int64_t backoff_cap_ms = 360'000;   // §6.4 --job-backoff-cap (Kubernetes code: 600 s)
  size_t events_kept = 200;           // per Job
  int64_t task_uid = -1, task_gid = -1;  // default task user (reliability.md §4.6); -1: the launcher's own
  bool allow_root_tasks = false;         // ebbd --allow-root-tasks (also needed for runAsUser 0)
  runtime::SecretLookup secrets;      // secretKeyRef values at launch (null: none exist)
};

// What CronJob/Schedule controllers need to know about a Job they created.
struct JobSummary {
  std::string name;
  int64_t active = 0, succeeded = 0, failed = 0;  // active: starting, running or terminating
  bool finished = false;            // Complete or Failed condition set
  bool complete = false;            // finished successfully
  int64_t start_ms = 0, completion_ms = 0;
  std::string owner;                // "cronjob/NAME", "schedule/NAME" or ""
};

class JobController final : public runtime::Listener {
 public:
  JobController(Clock& clock, Committer& committer, runtime::Runtime& runtime, JobControllerConfig cfg);
  ~JobController() override;

  void load(const std::vector<RecordRow>& records);
  Status start();                                  // runtime view start + re-adoption
  void shutdown(bool stop_tasks, Millis wait);

  // Validated batch/v1 Job document (manifest::validate) → created|configured|unchanged.
  // A running Job's spec is immutable except suspend/parallelism/activeDeadlineSeconds
  // (Kubernetes rules): other edits are a Conflict error.
  Result<std::pair<std::string, Token>> apply(const nlohmann::json& validated_doc, std::vector<std::string>& warnings);
  // Validated v1 ConfigMap document.
  Result<std::pair<std::string, Token>> apply_config_map(const nlohmann::json& validated_doc);
  Result<Token> remove(const std::string& name);   // stops its attempts, deletes it
  Result<Token> set_suspended(const std::string& name, bool suspend);
  // Used by CronJob/Schedule controllers: creates a Job from a template (a Job spec),
  // owned by `owner` ("cronjob/x", recorded as annotation "ebb/owner"); `name` must be
  // unique (else Conflict). The created Job is visible like any other. Annotations
  // "ebb/env.EBB_<X>" become the variable EBB_<X> of every attempt (the run context of
  // scheduling.md §4.1: EBB_SCHEDULED_TIME, EBB_NOMINAL_TIME, EBB_SCHEDULE_NAME,
  // EBB_SLOT_ID). `with`: the caller's records, committed in the same transaction as
  // the Job and its first attempts (all or none; a Schedule's slot record, so one
  // commit both decides the slot and makes the attempt durable before its launch).
  // Nothing of `with` is committed when create fails.
  Result<Token> create(const std::string& name, const nlohmann::json& job_spec, const std::string& owner,
                       const nlohmann::json& labels, const nlohmann::json& annotations,
                       std::vector<StoreOp> with = {});
  std::optional<JobSummary> summary(const std::string& name) const;
  std::vector<JobSummary> owned_by(const std::string& owner) const;  // oldest first

  // Views (docs/api.md "Jobs"): Kubernetes-shaped objects with status
  // {active, succeeded, failed, ready, startTime, completionTime, conditions[],
  //  completedIndexes, failedIndexes}.
  nlohmann::json list() const;
  Result<nlohmann::json> get(const std::string& name) const;
  Result<nlohmann::json> events(const std::string& name) const;      // {"items":[…]} oldest first
  nlohmann::json list_tasks(const std::string& owner, bool all) const;  // "job/NAME" or ""
  Result<std::vector<std::string>> log_paths(const std::string& kind_slash_name) const;  // "job/NAME", "task/ID"
  Result<nlohmann::json> get_task(const std::string& id) const;       // one attempt (Task JSON)
  // The secret of a live attempt's access key id (per-task SigV4 credentials,
  // reliability.md §4.2); nullopt for unknown keys and finished attempts.
  std::optional<std::string> task_secret(const std::string& access_key_id) const;

  MonoTime tick();
  void on_wakeup(std::function<void()> f);

  void on_started(const runtime::TaskStarted& s) override;
  void on_exited(const runtime::TaskExited& e) override;
  void on_runtime_lost(const std::string& why) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace ebb::sched

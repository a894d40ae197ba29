// JobSpec: a validated `batch/v1 Job` document as plain values with the Kubernetes
// defaults filled in (scheduling.md §6.1; ecosystem.md §3.6), plus the pure helpers
// the JobController decides with: the retry delay (§6.4), compressed index sets
// ("0-3,7", §6.9), podFailurePolicy matching (§6.6), success policies (§6.7),
// `$(VAR)` expansion (Kubernetes' rule for command/args/env values) and the apply
// warnings of §6.2. No clock, no store: tested by tables.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "runtime/task_template.h"

namespace ebb::sched {

// The downward-API key of §6.2 (annotation or label).
inline constexpr const char* kCompletionIndexKey = "batch.kubernetes.io/job-completion-index";
inline constexpr const char* kOwnerAnnotation = "ebb/owner";

// A set of completion indexes kept as disjoint closed intervals, so "0-99999" costs
// one entry and formatting is O(intervals).
class IndexSet {
 public:
  void add(int64_t i);
  bool contains(int64_t i) const;
  int64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::optional<int64_t> max() const;
  // How many of `other`'s indexes are in this set.
  int64_t intersection_size(const IndexSet& other) const;
  bool contains_all(const IndexSet& other) const { return intersection_size(other) == other.size(); }
  std::string to_string() const;  // "0-3,7"; "" when empty
  static Result<IndexSet> parse(const std::string& s);
  const std::map<int64_t, int64_t>& intervals() const { return iv_; }

 private:
  std::map<int64_t, int64_t> iv_;  // start → end (inclusive)
  int64_t size_ = 0;
};

struct PodFailureRule {
  std::string action;                  // FailJob | Ignore | Count | FailIndex
  bool on_exit_codes = false;
  bool op_in = true;                   // In | NotIn
  std::vector<int> values;
  std::vector<std::pair<std::string, std::string>> conditions;  // onPodConditions {type, status}
};

struct SuccessRule {
  std::optional<IndexSet> indexes;     // succeededIndexes
  std::optional<int64_t> count;        // succeededCount
};

// One container env entry, resolved per attempt (valueFrom refs need the ConfigMaps
// and the attempt's index).
struct EnvSource {
  enum class Kind { Value, Secret, ConfigMap, Field };
  std::string name;
  Kind kind = Kind::Value;
  std::string value;                   // Value
  std::string ref_name, key;           // Secret / ConfigMap
  std::string field_path;              // Field
  bool optional = false;
};

struct JobSpec {
  std::string name;
  nlohmann::json doc;                  // as applied, status stripped
  std::optional<int64_t> completions;  // unset = work queue (NonIndexed)
  int64_t parallelism = 1;
  bool indexed = false;
  int64_t backoff_limit = 6;
  std::optional<int64_t> backoff_limit_per_index, max_failed_indexes;
  std::optional<int64_t> active_deadline_s, ttl_s;
  bool suspend = false;
  bool on_failure = false;             // restartPolicy OnFailure (else Never)
  int64_t grace_s = 30;                // terminationGracePeriodSeconds
  std::vector<PodFailureRule> pod_failure_rules;
  std::vector<SuccessRule> success_rules;
  // The single container.
  std::string container_name;
  runtime::TaskTemplate task;          // command, args, workingDir, resources, image (env empty)
  std::vector<EnvSource> env;
  std::optional<int64_t> run_as_user, run_as_group;  // securityContext: the task's uid/gid (§4.6)

  bool work_queue() const { return !completions && !indexed; }
  // The spec as Kubernetes returns it: defaults written in.
  nlohmann::json spec_with_defaults() const;
  // spec without the fields a running Job may change (suspend, parallelism,
  // activeDeadlineSeconds, ttlSecondsAfterFinished): equal ⇔ the edit is allowed.
  nlohmann::json immutable_part() const;
};

// Validated Job document → JobSpec. Code::Invalid names the field; a container
// without `command` gets the process runtime's refusal (ecosystem.md §3.6).
Result<JobSpec> parse_job(const nlohmann::json& doc);

// §6.2 warnings: completion-index fieldRef in a NonIndexed job; `$(…)` where
// Kubernetes never expands variables.
std::vector<std::string> job_warnings(const JobSpec& s);

// §6.4: min(base × 2^(n−1), cap); 0 when n ≤ 0.
int64_t backoff_delay_ms(int64_t n, int64_t base_ms = 10'000, int64_t cap_ms = 360'000);

// §6.6: the first rule matching a Failed attempt, or action "Count" with rule -1.
// exit_code: the exit code, 128+signal for a signal, nullopt when there is none
// (Lost, launch failure).
struct PolicyMatch {
  std::string action = "Count";
  int rule = -1;
};
PolicyMatch match_pod_failure_policy(const std::vector<PodFailureRule>& rules, std::optional<int> exit_code,
                                     bool lost, bool config_issue);

// §6.7: true when a rule is satisfied by `succeeded`.
bool success_policy_met(const std::vector<SuccessRule>& rules, const IndexSet& succeeded);

// Kubernetes variable references: "$(NAME)" → lookup(NAME) when defined, else kept
// as written; "$$" → "$".
std::string expand_vars(const std::string& s, const std::function<const std::string*(const std::string&)>& lookup);

}  // namespace ebb::sched

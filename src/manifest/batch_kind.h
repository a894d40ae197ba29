// kind: Job and kind: CronJob (apiVersion batch/v1), accepted as Kubernetes writes
// them (ecosystem.md §3.6, scheduling.md §6.1 and §7.1, reliability.md §5.4), and the
// pod template both carry. Validation only: the job controller fills the defaults
// (completions, parallelism 1, backoffLimit 6, history limits 3/1, timeZone UTC…).
//
// Job spec: completions, parallelism (0..kMaxParallelism), completionMode
// (NonIndexed|Indexed), backoffLimit, backoffLimitPerIndex, maxFailedIndexes,
// activeDeadlineSeconds, ttlSecondsAfterFinished, suspend, podFailurePolicy (≤ 20
// exit-code/pod-condition rules), successPolicy (Indexed), template.
// `selector`/`manualSelector` are rejected: ebb selects a job's tasks itself.
//
// CronJob spec: schedule (shape only here; the server parses it, sched/expression.h),
// timeZone (shape, schedule_kind.h), concurrencyPolicy, startingDeadlineSeconds,
// successfulJobsHistoryLimit, failedJobsHistoryLimit, suspend, dstPolicy (ebb
// extension, scheduling.md §3.4), jobTemplate {metadata, spec: Job spec}. CronJob
// names are at most 52 characters (run names append "-<minute>").
//
// Pod template (template.metadata.labels/annotations, template.spec): containers with
// command, args, env (value; valueFrom secretKeyRef/configMapKeyRef/fieldRef for
// metadata.name, metadata.namespace and the job-completion-index annotation or
// label), workingDir, resources.requests/limits, securityContext, image; the pod's
// restartPolicy (Never|OnFailure), terminationGracePeriodSeconds, securityContext.
// Fields only some runtimes honour (image, volumes/volumeMounts, nodeSelector,
// tolerations, affinity, serviceAccountName, initContainers, more containers…) are
// checked for shape and stored; process_runtime_problems() says what the process
// runtime cannot run. Validation warns (does not fail) when a container has no
// `command`, because the seed article's documents rely on the image's entrypoint.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest/checker.h"

namespace ebb::manifest {

// Server cap on parallelism (Kubernetes' limit for Indexed jobs, applied to all).
inline constexpr int64_t kMaxParallelism = 100'000;
inline constexpr int64_t kMaxInt32 = 2'147'483'647;
inline constexpr std::size_t kMaxCronJobNameLength = 52;
inline constexpr std::size_t kMaxPodFailureRules = 20;

// The exact refusal of ecosystem.md §3.6.
inline constexpr std::string_view kProcessNeedsCommand =
    "the process runtime needs `command`; add it or use a container runtime";

void check_job_spec(const nlohmann::json& spec, const std::string& name, Checker& c);
void check_cron_job_spec(const nlohmann::json& spec, const std::string& name, Checker& c);

// Job spec found at `path` ("spec", "spec.jobTemplate.spec").
void check_job_spec_at(const nlohmann::json& spec, const std::string& path, Checker& c);

// DNS-1123 subdomain of at most 52 characters.
std::string check_cron_job_name(std::string_view name);

// What the process runtime cannot honour in a validated pod spec (template.spec) at
// `path`: each entry "PATH: reason" — a container without `command` gets
// kProcessNeedsCommand; more than one container, initContainers, volumes,
// volumeMounts, nodeSelector, tolerations, affinity name the runtime. Empty: runnable.
std::vector<std::string> process_runtime_problems(const nlohmann::json& pod_spec, std::string_view path);

}  // namespace ebb::manifest

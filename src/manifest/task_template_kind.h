// The task template: what one task of a Service runs (`spec.template`), shared later
// by Schedule and Job targets (ecosystem.md §3.6, reliability.md §5.4 and §4.7).
// Only validation lives here; the runtime turns a validated template into argv/env.
//
// Fields:
//   command             required, non-empty list of strings (argv[0] non-empty)
//   args                list of strings, appended to command
//   env                 list of {name, value} or {name, valueFrom: {secretKeyRef:
//                       {name, key, optional}}}; names [A-Za-z_][A-Za-z0-9_]*, unique
//   workingDir          absolute path without ".." components
//   resources           {cpu: quantity, memory: quantity} (base/quantity.h)
//   timeoutSeconds      1..604800 (none by default)
//   stopTimeoutSeconds  0..3600, default kDefaultStopTimeoutSeconds (SIGTERM → SIGKILL)
//   runtime             "process" only (default)
//   image               recorded; the process runtime still needs `command`
// No string may contain NUL; argv plus env together stay within kMaxArgvEnvBytes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "manifest/checker.h"

namespace ebb::manifest {

inline constexpr int64_t kDefaultStopTimeoutSeconds = 30;
// reliability.md §5.4: total argv+env bytes (each string plus its terminating NUL,
// env entries counted as "NAME=value").
inline constexpr std::size_t kMaxArgvEnvBytes = 128 * 1024;

// Validates the template `t` found at `path` (e.g. "spec.template"); every error is
// reported through `c` with its field path. A non-optional secretKeyRef is an error
// until ebb has a secret store (reliability.md §4.7); optional ones are accepted and
// their variables are left unset.
void check_task_template(const nlohmann::json& t, std::string_view path, Checker& c);

// Validates a task that ebb runs as a one-off Job (a Schedule's or an Alarm's task
// target, scheduling.md §8): a task template plus the Job fields
// activeDeadlineSeconds, backoffLimit and ttlSecondsAfterFinished.
void check_job_task(const nlohmann::json& task, const std::string& path, Checker& c);

// The reason `p` is not an absolute path without ".." components and NUL, or "".
// Shared with EventSource's `directory`.
std::string absolute_path_problem(std::string_view p);

}  // namespace ebb::manifest

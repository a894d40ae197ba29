// kind: Schedule (apiVersion ebb/v1): EventBridge Scheduler's model with ebb's field
// names (ecosystem.md §3.6, scheduling.md §8). Validation only; the server parses the
// expression fully at apply (sched/expression.h, which ebb_manifest may not link) and
// fills the defaults (timeZone UTC, retryPolicy 185 / 86400, catchUp Latest…).
//
// spec:
//   expression             required: cron(…), rate(…), at(…) or a bare standard cron
//                          expression/macro (scheduling.md §2.1); shape only here
//   timeZone               IANA name, shape checked (time_zone_problem)
//   startDate, endDate     RFC 3339 instants with Z or an offset; endDate > startDate
//   suspend                boolean
//   flexibleTimeWindow     {maximumWindowMinutes: 1..1440}; absent = Mode OFF
//   concurrencyPolicy      Allow | Forbid | Replace
//   startingDeadlineSeconds 0..2147483647
//   catchUp                Latest | All | None;  maxCatchUp 1..100 (only with All)
//   allowPast              boolean (at() in the past runs once)
//   dstPolicy              {gap: RunAtTransition|Skip, overlap: FirstOnly|Both}
//   actionAfterCompletion  NONE | DELETE
//   retryPolicy            {maximumRetryAttempts 0..185, maximumEventAgeSeconds 60..86400}
//   deadLetterQueue        a standard queue's name
//   target                 required; exactly one of
//                            task: a task template (task_template_kind.h) plus the Job
//                                  fields activeDeadlineSeconds, backoffLimit,
//                                  ttlSecondsAfterFinished
//                            taskDefinition: "family" or "family:REVISION"
//                            queue: + message: {body, attributes, groupId, deduplicationId}
//                          taskCount 1..10 with a task or taskDefinition target
#pragma once
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "manifest/checker.h"

namespace ebb::manifest {

void check_schedule_spec(const nlohmann::json& spec, const std::string& name, Checker& c);

// The reason `tz` is not a well-formed IANA zone name (scheduling.md §3.1,
// reliability.md §5.5), checked before any tz database is touched, or "". Each
// '/'-separated part 1-14 characters of [A-Za-z0-9._+-], not starting with '-', not
// "." or ".."; "Local" (any case), "" and NUL rejected; a '+' only in (Etc/)GMT+N,
// N 0..12, so "UTC+3" is rejected with a hint. Whether the zone exists is the
// server's check.
std::string time_zone_problem(std::string_view tz);

// The reason a cron expression string is unusable before parsing, or "": empty, NUL,
// longer than 1000 bytes, or starting with TZ=/CRON_TZ= (point to timeZone).
std::string expression_shape_problem(std::string_view expr);

}  // namespace ebb::manifest

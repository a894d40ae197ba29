// ScheduleSpec: a `batch/v1 CronJob` (scheduling.md §7.1) or an `ebb/v1 Schedule`
// (§8) document as plain values, plus the pure helpers the ScheduleController needs
// around it: the flexible-window offset (§4.4, FNV-1a-64), the launch-retry delay
// (§4.5), run naming (§4.1), the Job spec of a task target, the queue message of a
// queue target and the dead-letter body. No clock, no store: tested by tables.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "base/rfc3339.h"
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "model/message.h"
#include "sched/expression.h"

namespace ebb::sched {

enum class Concurrency { Allow, Forbid, Replace };
enum class CatchUp { Latest, All, None };

struct ScheduleSpec {
  std::string kind;                  // "CronJob" | "Schedule"
  std::string name;
  nlohmann::json doc;                // as applied (status stripped)
  std::string expression;            // CronJob spec.schedule / Schedule spec.expression
  Dialect dialect = Dialect::Kubernetes;
  std::string time_zone = "UTC";     // D3: never the server's zone
  Concurrency concurrency = Concurrency::Allow;
  std::optional<int64_t> starting_deadline_s;
  bool suspend = false;
  // CronJob
  int64_t successful_history = 3, failed_history = 1;
  nlohmann::json job_template;       // jobTemplate (metadata + spec)
  // Schedule
  std::optional<int64_t> start_ms, end_ms;
  int64_t window_minutes = 0;        // 0 = flexibleTimeWindow absent (Mode OFF)
  CatchUp catch_up = CatchUp::Latest;
  int64_t max_catch_up = 10;
  bool allow_past = false;
  bool delete_after_completion = false;
  int64_t max_retry_attempts = 185;  // §4.5 AWS defaults
  int64_t max_event_age_s = 86400;
  std::string dead_letter_queue;     // "" = none
  // Schedule target: exactly one of job_spec (task/job target) or queue.
  nlohmann::json job_spec;           // batch/v1 Job spec (null for a queue target)
  std::string task_definition;       // target.taskDefinition "family[:rev]", resolved per launch
  int64_t task_count = 1;            // target.taskCount
  std::string queue;
  std::string message_body;
  MsgAttrs message_attrs;
  nlohmann::json target;             // spec.target as written (dead-letter body)

  bool queue_target() const { return !queue.empty(); }
  // The fields whose change moves E (§4.3 step 1).
  std::string timing_key() const;
  std::string object() const;        // "cronjob/NAME" | "schedule/NAME"
};

// A validated CronJob or Schedule document → ScheduleSpec. Errors: Code::Invalid
// naming the field (the manifest validator normally caught them already).
Result<ScheduleSpec> parse_schedule_spec(const nlohmann::json& doc);

// ebb task template {command,args,env,workingDir,resources,timeoutSeconds,
// stopTimeoutSeconds,…} → batch/v1 Job spec with one container, restartPolicy Never,
// backoffLimit 0 unless given, completions = parallelism = task_count (§8).
nlohmann::json task_to_job_spec(const nlohmann::json& task, int64_t task_count);

// FNV-1a 64-bit over the bytes of `s` (§9.4 F0).
uint64_t fnv1a64(std::string_view s);
// §4.4: offset in seconds of slot `slot_ms` inside a window of `window_minutes`.
int64_t flexible_offset_s(const std::string& uid, int64_t slot_ms, int64_t window_minutes);
// §4.5: delay before launch retry n (n ≥ 1): min(2^(n−1) s, 300 s) ± 20 %, the jitter
// taken deterministically from FNV-1a("<uid>|<slot s>|<n>") so a restart retries at
// the same instant.
int64_t retry_delay_ms(const std::string& uid, int64_t slot_ms, int64_t n);

// §4.1: "<name>-<floor(slot s / 60)>".
std::string run_name(const std::string& name, int64_t slot_ms);

// "2025-06-05T02:00:00Z" / "2025-06-05T02:00:00.250Z"; parse accepts
// "YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)".
std::optional<int64_t> parse_rfc3339(std::string_view s);

}  // namespace ebb::sched

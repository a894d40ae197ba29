// Job, CronJob and Schedule objects (docs/api.md "Jobs, CronJobs and Schedules"):
// their `get` rows (ecosystem.md §3.2 columns, recent kubectl's for jobs and
// cronjobs) and `describe` pages, and the job conditions `wait` and `logs -f` read.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/queue_view.h"

namespace ebb::cli {

// NAME STATUS COMPLETIONS DURATION AGE. STATUS: Complete, Failed, Suspended,
// FailureTarget, SuccessCriteriaMet (a True condition, in that order) else Running.
// COMPLETIONS: "succeeded/completions", or "succeeded/1 of parallelism" for a work
// queue job (kubectl). DURATION: start to completion (or now).
std::vector<std::string> job_row(const nlohmann::json& j, bool wide, TimePoint now);
// NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE. TIMEZONE shows ebb's
// default UTC when unset (scheduling.md D3); SUSPEND True/False as kubectl.
std::vector<std::string> cronjob_row(const nlohmann::json& c, bool wide, TimePoint now);
// NAME EXPRESSION TIMEZONE SUSPEND NEXT LAST AGE / wide adds TARGET LATENESS.
// NEXT is "in 5h"; LAST an age; TARGET "task", "taskdefinition/F:3" or
// "queue/NAME"; LATENESS that of the latest run ("12ms", "1.5s").
std::vector<std::string> schedule_row(const nlohmann::json& s, bool wide, TimePoint now);

// NAME REVISION COMMAND CPU MEMORY AGE / wide adds IMAGE REVISIONS: the latest
// revision of each TaskDefinition family (`ebb get taskdefinitions`).
std::vector<std::string> taskdefinition_row(const nlohmann::json& t, bool wide, TimePoint now);

// The status of the job's True condition of `type` ("Complete", "Failed"…), with
// its reason; nullopt when the condition is absent or not True.
struct ConditionMet {
  std::string reason;
  std::string message;
};
std::optional<ConditionMet> job_condition(const nlohmann::json& j, const std::string& type);

// Pages for `describe`; each fetches the object's events (and a job's tasks) and
// returns an exit code (the page is printed even when those requests fail).
int describe_job(ApiClient& api, const nlohmann::json& j);
int describe_cronjob(ApiClient& api, const nlohmann::json& c);
int describe_schedule(ApiClient& api, const nlohmann::json& s);

}  // namespace ebb::cli

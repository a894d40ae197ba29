// The two seams of the ScheduleController: JobStarter (what it needs from the
// JobController: create, observe and delete the Jobs it owns) and SlotsFactory (turns
// an expression into a slot series; production uses sched::Expression). Tests supply
// fakes, so slot planning, claiming and launching are tested without a runtime.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "sched/expression.h"
#include "sched/job_controller.h"
#include "store/committer.h"

namespace ebb::sched {

class JobStarter {
 public:
  virtual ~JobStarter() = default;
  // As JobController::create: `name` unique; Conflict when it exists. `with` commits in
  // the same transaction as the Job and its first attempts, or not at all (P-S1: the
  // slot record is durable before the attempt launches, and never without its Job).
  virtual Result<Token> create(const std::string& name, const nlohmann::json& job_spec, const std::string& owner,
                               const nlohmann::json& labels, const nlohmann::json& annotations,
                               std::vector<StoreOp> with) = 0;
  virtual std::optional<JobSummary> summary(const std::string& name) const = 0;
  virtual std::vector<JobSummary> owned_by(const std::string& owner) const = 0;  // oldest first
  virtual Result<Token> remove(const std::string& name) = 0;
  // Terminates a Job's attempts without counting them (Replace, §5).
  virtual Result<Token> set_suspended(const std::string& name, bool suspend) = 0;
};

// A slot series: the first slot strictly after an instant (UTC epoch ms).
class SlotSeries {
 public:
  virtual ~SlotSeries() = default;
  virtual std::optional<int64_t> next_after(int64_t after_ms) const = 0;
};

// (expression, dialect, zone, anchor/creation instant ms, allow a past at()) → series.
// Errors are Code::Invalid naming the field.
using SlotsFactory = std::function<Result<std::shared_ptr<const SlotSeries>>(
    const std::string& text, Dialect dialect, const std::string& zone, int64_t anchor_ms, bool allow_past_at)>;

// "family[:rev]" → (task template, "family:N"); NotFound when there is none.
using TaskDefinitionResolver =
    std::function<Result<std::pair<nlohmann::json, std::string>>(const std::string& ref)>;

// Production seams (schedule_adapters.cc).
std::unique_ptr<JobStarter> job_starter_for(JobController& jobs);
SlotsFactory expression_slots();

}  // namespace ebb::sched

// Production seam: the JobController as a JobStarter, and the ScheduleController
// constructor that wires it with expression_slots() (schedule_expression.cc). Kept
// apart from schedule_controller.cc so the controller's tests link without them.
#include "sched/job_controller.h"
#include "sched/schedule_controller.h"
#include "sched/schedule_seams.h"

namespace ebb::sched {

namespace {

class JobControllerStarter final : public JobStarter {
 public:
  explicit JobControllerStarter(JobController& j) : jobs_(j) {}
  Result<Token> create(const std::string& name, const nlohmann::json& job_spec, const std::string& owner,
                       const nlohmann::json& labels, const nlohmann::json& annotations,
                       std::vector<StoreOp> with) override {
    return jobs_.create(name, job_spec, owner, labels, annotations, std::move(with));
  }
  std::optional<JobSummary> summary(const std::string& name) const override { return jobs_.summary(name); }
  std::vector<JobSummary> owned_by(const std::string& owner) const override { return jobs_.owned_by(owner); }
  Result<Token> remove(const std::string& name) override { return jobs_.remove(name); }
  Result<Token> set_suspended(const std::string& name, bool suspend) override {
    return jobs_.set_suspended(name, suspend);
  }

 private:
  JobController& jobs_;
};

}  // namespace

std::unique_ptr<JobStarter> job_starter_for(JobController& jobs) {
  return std::make_unique<JobControllerStarter>(jobs);
}

ScheduleController::ScheduleController(Clock& clock, Committer& committer, Engine& engine, JobController& jobs)
    : ScheduleController(clock, committer, engine, job_starter_for(jobs), expression_slots()) {}

}  // namespace ebb::sched

// JobController views (docs/api.md "Jobs, CronJobs and Schedules" and "Tasks"):
// Kubernetes-shaped Job objects, attempts as Task objects, events, log paths and the
// summaries the schedule controllers read. Read-only; every entry point takes mu.
#include <algorithm>
#include <filesystem>

#include "base/quantity.h"
#include "sched/job_state.h"

namespace ebb::sched {

using nlohmann::json;
using runtime::TaskState;
using Impl = JobController::Impl;

namespace {

json nullable_time(int64_t wall_ms) { return wall_ms ? json(job_time_s(wall_ms)) : json(nullptr); }
json nullable_time_ms(int64_t wall_ms) { return wall_ms ? json(job_time_ms(wall_ms)) : json(nullptr); }
json nullable_text(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

// [output.log.1 if it exists, output.log].
std::vector<std::string> task_logs(const std::string& log_path) {
  std::vector<std::string> out;
  if (log_path.empty()) return out;
  if (exists(log_path + ".1")) out.push_back(log_path + ".1");
  out.push_back(log_path);
  return out;
}

}  // namespace

JobSummary Impl::summary_of(const Job& j) const {
  JobSummary s;
  s.name = j.name();
  // scheduling.md §5: "active" includes attempts still terminating, so Replace starts
  // the new run only once the old processes are gone and Forbid never overlaps.
  s.active = static_cast<int64_t>(j.alive.size());
  s.succeeded = j.succeeded;
  s.failed = j.failed;
  s.finished = j.finished;
  s.complete = j.complete;
  s.start_ms = j.start_ms.value_or(0);
  s.completion_ms = j.complete ? j.finish_ms : 0;
  s.owner = j.owner;
  return s;
}

json Impl::job_json(const Job& j) const {
  json meta = j.spec.doc.value("metadata", json::object());
  meta.erase("namespace");
  meta["creationTimestamp"] = job_time_s(j.created_ms);
  int64_t active = 0, ready = 0, terminating = 0;
  for (const std::string& id : j.alive) {
    const Attempt& a = attempts.at(id);
    if (a.stopping()) ++terminating;
    else ++active;
    if (a.rec.state == TaskState::Running) ++ready;
  }
  json status = {{"active", active},
                 {"ready", ready},
                 {"terminating", terminating},
                 {"succeeded", j.succeeded},
                 {"failed", j.failed},
                 {"startTime", j.start_ms ? json(job_time_s(*j.start_ms)) : json(nullptr)},
                 {"completionTime", j.complete ? json(job_time_s(j.finish_ms)) : json(nullptr)},
                 {"conditions", j.conditions}};
  if (j.spec.indexed) {
    status["completedIndexes"] = j.succeeded_idx.to_string();
    status["failedIndexes"] = j.failed_idx.to_string();
  }
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata", std::move(meta)},
          {"spec", j.spec.spec_with_defaults()},
          {"status", std::move(status)}};
}

json Impl::task_json(const Attempt& a) const {
  const runtime::TaskRecord& r = a.rec;
  const bool done = runtime::finished(r.state);
  json spec = {{"owner", "job/" + r.owner_name},
               {"command", a.argv},
               {"cpu", r.cpu_millis ? json(format_cpu_millis(r.cpu_millis)) : json(nullptr)},
               {"memory", r.memory_bytes ? json(format_memory_bytes(r.memory_bytes)) : json(nullptr)}};
  json status = {{"state", runtime::to_string(r.state)},
                 {"pid", r.pid ? json(r.pid) : json(nullptr)},
                 {"startedAt", nullable_time_ms(r.started_ms)},
                 {"endedAt", done ? nullable_time_ms(r.ended_ms) : json(nullptr)},
                 {"exitCode", done && r.exit_code >= 0 ? json(r.exit_code) : json(nullptr)},
                 {"signal", done && r.signal ? json(r.signal) : json(nullptr)},
                 {"reason", nullable_text(r.reason)},
                 {"message", nullable_text(r.message)},
                 {"cpuSeconds", done ? json(r.cpu_seconds) : json(nullptr)},
                 {"peakRssBytes", done ? json(r.peak_rss_bytes) : json(nullptr)},
                 {"leases", nullptr},
                 {"draining", false},
                 {"logPath", nullable_text(r.log_path)},
                 {"stopReason", nullable_text(r.stop_reason)},
                 {"restartCount", a.restarts},
                 {"outcome", nullable_text(a.outcome)}};
  if (a.index >= 0) status["index"] = a.index;
  return {{"apiVersion", "ebb/v1"},
          {"kind", "Task"},
          {"metadata", {{"name", r.id}, {"creationTimestamp", nullable_time(r.created_ms)}}},
          {"spec", std::move(spec)},
          {"status", std::move(status)}};
}

json JobController::list() const {
  std::lock_guard lk(impl_->mu);
  json items = json::array();
  for (auto& [_, j] : impl_->jobs) items.push_back(impl_->job_json(j));
  return {{"apiVersion", "batch/v1"}, {"kind", "List"}, {"items", std::move(items)}};
}

Result<json> JobController::get(const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->jobs.find(name);
  if (it == impl_->jobs.end()) return err(Code::NotFound, "job/" + name + " not found");
  return impl_->job_json(it->second);
}

Result<json> JobController::events(const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->jobs.find(name);
  if (it == impl_->jobs.end()) return err(Code::NotFound, "job/" + name + " not found");
  json items = json::array();
  for (const json& e : it->second.events) items.push_back(e);
  return json{{"items", std::move(items)}};
}

json JobController::list_tasks(const std::string& own, bool all) const {
  std::lock_guard lk(impl_->mu);
  std::vector<const Attempt*> chosen;
  for (auto& [_, a] : impl_->attempts) {
    if (a.detached || (!all && !a.alive())) continue;
    if (!own.empty() && own != "job/" + a.rec.owner_name) continue;
    chosen.push_back(&a);
  }
  std::sort(chosen.begin(), chosen.end(), [](const Attempt* a, const Attempt* b) {
    return std::tie(a->rec.created_ms, a->index, a->rec.id) < std::tie(b->rec.created_ms, b->index, b->rec.id);
  });
  json items = json::array();
  for (const Attempt* a : chosen) items.push_back(impl_->task_json(*a));
  return {{"apiVersion", "ebb/v1"}, {"kind", "List"}, {"items", std::move(items)}};
}

Result<json> JobController::get_task(const std::string& id) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->attempts.find(id);
  if (it == impl_->attempts.end()) return err(Code::NotFound, "task/" + id + " not found");
  return impl_->task_json(it->second);
}

Result<std::vector<std::string>> JobController::log_paths(const std::string& kind_slash_name) const {
  std::lock_guard lk(impl_->mu);
  const size_t slash = kind_slash_name.find('/');
  const std::string kind = slash == std::string::npos ? "" : kind_slash_name.substr(0, slash);
  const std::string name = slash == std::string::npos ? kind_slash_name : kind_slash_name.substr(slash + 1);
  if (kind == "task") {
    auto it = impl_->attempts.find(name);
    if (it == impl_->attempts.end()) return err(Code::NotFound, "task/" + name + " not found");
    return task_logs(it->second.rec.log_path);
  }
  if (kind == "job") {
    if (!impl_->jobs.count(name)) return err(Code::NotFound, "job/" + name + " not found");
    std::vector<const Attempt*> mine;
    for (auto& [_, a] : impl_->attempts)
      if (!a.detached && a.rec.owner_name == name) mine.push_back(&a);
    std::sort(mine.begin(), mine.end(), [](const Attempt* a, const Attempt* b) {
      return std::tie(a->rec.created_ms, a->index, a->rec.id) < std::tie(b->rec.created_ms, b->index, b->rec.id);
    });
    std::vector<std::string> out;
    for (const Attempt* a : mine)
      for (std::string& p : task_logs(a->rec.log_path))
        if (exists(p)) out.push_back(std::move(p));
    return out;
  }
  return err(Code::NotFound, kind_slash_name + " not found (expected task/ID or job/NAME)");
}

}  // namespace ebb::sched

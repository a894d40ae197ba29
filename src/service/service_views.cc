// ServiceController views (docs/api.md "Services" and "Tasks"): Service, Task, events,
// log paths and the metrics snapshot. Read-only; every function takes Impl::mu.
#include <cmath>
#include <filesystem>

#include "base/quantity.h"
#include "service/controller_state.h"
#include "service/service_events.h"

namespace ebb::service {

using nlohmann::json;
using runtime::TaskState;
using Impl = ServiceController::Impl;

namespace {

// Task start and end carry milliseconds (start latency is measured from them).
json nullable_time(int64_t wall_ms) { return wall_ms ? json(rfc3339_s(wall_ms)) : json(nullptr); }
json nullable_time_ms(int64_t wall_ms) { return wall_ms ? json(rfc3339_ms(wall_ms)) : json(nullptr); }
json nullable_text(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
// 5 → 5 (not 5.0), 2.5 → 2.5: targets are shown as written.
json number_json(double v) {
  return v == std::floor(v) && std::abs(v) < 9e15 ? json(static_cast<int64_t>(v)) : json(v);
}

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

struct Backlog {
  int64_t backlog = 0, visible = 0, in_flight = 0, delayed = 0;
};

Backlog backlog_of(const Svc& s) {
  Backlog b;
  const auto& triggers = s.spec.scaling.triggers;
  for (size_t i = 0; i < triggers.size() && i < s.last_inputs.counts.size(); ++i) {
    const scale::QueueCounts& c = s.last_inputs.counts[i];
    b.visible += c.visible;
    b.in_flight += c.in_flight;
    b.delayed += c.delayed;
    if (s.last_decision && i < s.last_decision->triggers.size()) {
      b.backlog += s.last_decision->triggers[i].backlog;
    } else if (c.exists) {
      b.backlog += c.visible + (triggers[i].include_in_flight ? c.in_flight : 0) +
                   (triggers[i].include_delayed ? c.delayed : 0);
    }
  }
  return b;
}

}  // namespace

json Impl::service_json(const Svc& s) const {
  const scale::Config cfg = effective_config(s);
  json meta = s.spec.doc.value("metadata", json::object());
  meta["creationTimestamp"] = rfc3339_s(s.created_ms);
  const int64_t running = count_state(s.name(), TaskState::Running);
  const Backlog b = backlog_of(s);
  json triggers = json::array();
  for (size_t i = 0; i < cfg.triggers.size(); ++i) {
    const scale::QueueCounts c = i < s.last_inputs.counts.size() ? s.last_inputs.counts[i] : scale::QueueCounts{};
    const scale::TriggerEval* e =
        s.last_decision && i < s.last_decision->triggers.size() ? &s.last_decision->triggers[i] : nullptr;
    triggers.push_back(trigger_json(cfg.triggers[i], c, e));
  }
  json decisions = json::array();
  for (auto it = s.events.rbegin(); it != s.events.rend() && decisions.size() < kDecisionsShown; ++it)
    if (it->contains("inputs")) decisions.insert(decisions.begin(), *it);
  json notes = json::array();
  for (const std::string& n : caps.notes) notes.push_back(n);
  json status = {
      {"desired", s.state.desired},
      {"running", running},
      {"starting", count_state(s.name(), TaskState::Pending) + count_state(s.name(), TaskState::Starting)},
      {"draining", count_state(s.name(), TaskState::Draining)},
      {"stopping", count_state(s.name(), TaskState::Stopping)},
      {"paused", s.paused},
      {"backlog", b.backlog},
      {"backlogPerTask", static_cast<double>(b.backlog) / static_cast<double>(std::max<int64_t>(running, 1))},
      {"target", number_json(cfg.triggers.empty() ? 0.0 : cfg.triggers.front().target)},
      {"minTasks", cfg.min_tasks},
      {"maxTasks", cfg.max_tasks},
      {"triggers", std::move(triggers)},
      {"lastScaleTime", nullable_time(s.last_scale_ms)},
      {"lastReason", s.last_reason == scale::Reason::None ? json(nullptr) : json(scale::to_string(s.last_reason))},
      {"restartBackoffSeconds", s.backoff.delay_ms / 1000},
      {"limits",
       {{"runtime", caps.runtime},
        {"cgroup", caps.cgroup},
        {"memory", caps.memory_limit},
        {"pids", caps.pids_limit},
        {"cpu", caps.cpu_limit},
        {"notes", std::move(notes)}}},
      {"decisions", std::move(decisions)}};
  return {{"apiVersion", "ebb/v1"},
          {"kind", "Service"},
          {"metadata", std::move(meta)},
          {"spec", s.spec.spec()},
          {"status", std::move(status)}};
}

json Impl::task_json(const Task& t) const {
  const runtime::TaskRecord& r = t.rec;
  const bool done = runtime::finished(r.state);
  json leases = nullptr;
  if (!done)
    if (std::optional<ConsumerLeases> cl = engine.consumer_leases(r.access_key_id)) leases = cl->leases;
  json spec = {{"owner", (r.owner_kind == "Service" ? "service/" : r.owner_kind + "/") + r.owner_name},
               {"command", t.argv},
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
                 {"leases", leases},
                 {"draining", r.state == TaskState::Draining},
                 {"logPath", nullable_text(r.log_path)},
                 {"stopReason", nullable_text(r.stop_reason)}};
  return {{"apiVersion", "ebb/v1"},
          {"kind", "Task"},
          {"metadata", {{"name", r.id}, {"creationTimestamp", nullable_time(r.created_ms)}}},
          {"spec", std::move(spec)},
          {"status", std::move(status)}};
}

json ServiceController::list() const {
  std::lock_guard lk(impl_->mu);
  json items = json::array();
  for (auto& [_, s] : impl_->services) items.push_back(impl_->service_json(s));
  return {{"apiVersion", "ebb/v1"}, {"kind", "List"}, {"items", std::move(items)}};
}

Result<json> ServiceController::get(const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->services.find(name);
  if (it == impl_->services.end()) return err(Code::NotFound, "service/" + name + " not found");
  return impl_->service_json(it->second);
}

Result<json> ServiceController::events(const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->services.find(name);
  if (it == impl_->services.end()) return err(Code::NotFound, "service/" + name + " not found");
  json items = json::array();
  for (const json& e : it->second.events) items.push_back(e);
  return json{{"items", std::move(items)}};
}

json ServiceController::list_tasks(const std::string& owner, bool all) const {
  std::lock_guard lk(impl_->mu);
  std::vector<const Task*> chosen;
  for (auto& [_, t] : impl_->tasks) {
    if (!all && !t.alive()) continue;
    if (!owner.empty() && owner != "service/" + t.rec.owner_name) continue;
    chosen.push_back(&t);
  }
  std::sort(chosen.begin(), chosen.end(), [](const Task* a, const Task* b) {
    return std::tie(a->rec.created_ms, a->rec.id) < std::tie(b->rec.created_ms, b->rec.id);
  });
  json items = json::array();
  for (const Task* t : chosen) items.push_back(impl_->task_json(*t));
  return {{"apiVersion", "ebb/v1"}, {"kind", "List"}, {"items", std::move(items)}};
}

Result<json> ServiceController::get_task(const std::string& id) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->tasks.find(id);
  if (it == impl_->tasks.end()) return err(Code::NotFound, "task/" + id + " not found");
  return impl_->task_json(it->second);
}

Result<std::vector<std::string>> ServiceController::log_paths(const std::string& kind_slash_name) const {
  std::lock_guard lk(impl_->mu);
  const size_t slash = kind_slash_name.find('/');
  const std::string kind = slash == std::string::npos ? "" : kind_slash_name.substr(0, slash);
  const std::string name = slash == std::string::npos ? kind_slash_name : kind_slash_name.substr(slash + 1);
  if (kind == "task") {
    auto it = impl_->tasks.find(name);
    if (it == impl_->tasks.end()) return err(Code::NotFound, "task/" + name + " not found");
    return task_logs(it->second.rec.log_path);
  }
  if (kind == "service") {
    if (!impl_->services.count(name)) return err(Code::NotFound, "service/" + name + " not found");
    std::vector<const Task*> mine;
    for (auto& [_, t] : impl_->tasks)
      if (!t.detached && t.rec.owner_name == name) mine.push_back(&t);
    std::sort(mine.begin(), mine.end(), [](const Task* a, const Task* b) {
      return std::tie(a->rec.created_ms, a->rec.id) < std::tie(b->rec.created_ms, b->rec.id);
    });
    std::vector<std::string> out;
    for (const Task* t : mine) {
      if (t->rec.log_path.empty() || !(exists(t->rec.log_path) || exists(t->rec.log_path + ".1"))) continue;
      for (std::string& p : task_logs(t->rec.log_path))
        if (exists(p)) out.push_back(std::move(p));
    }
    return out;
  }
  return err(Code::NotFound, kind_slash_name + " not found (expected task/ID or service/NAME)");
}

MetricsSnapshot ServiceController::metrics() const {
  std::lock_guard lk(impl_->mu);
  const Impl& im = *impl_;
  MetricsSnapshot m;
  for (auto& [name, s] : im.services) {
    ServiceMetrics sm;
    sm.name = name;
    sm.desired = s.state.desired;
    sm.running = im.count_state(name, TaskState::Running);
    sm.starting = im.count_state(name, TaskState::Pending) + im.count_state(name, TaskState::Starting);
    sm.draining = im.count_state(name, TaskState::Draining);
    sm.stopping = im.count_state(name, TaskState::Stopping);
    const Backlog b = backlog_of(s);
    sm.backlog = b.backlog;
    sm.visible = b.visible;
    sm.in_flight = b.in_flight;
    sm.delayed = b.delayed;
    sm.backlog_per_task = static_cast<double>(b.backlog) / static_cast<double>(std::max<int64_t>(sm.running, 1));
    sm.target = s.spec.scaling.triggers.empty() ? 0.0 : s.spec.scaling.triggers.front().target;
    sm.scaling_events = s.scaling_events;
    sm.scaled_out = s.scaled_out;
    sm.scaled_in = s.scaled_in;
    sm.suppressed = s.suppressed;
    sm.last_scale_ms = s.last_scale_ms;
    sm.task_starts = s.task_starts;
    sm.task_exits = s.task_exits;
    sm.task_failures = s.task_failures;
    m.services.push_back(std::move(sm));
  }
  m.task_starts = im.task_starts;
  m.task_exits = im.task_exits;
  m.task_failures = im.task_failures;
  m.decision_latency_last_seconds = im.latency_last_s;
  m.decision_latency_max_seconds = im.latency_max_s;
  return m;
}

}  // namespace ebb::service

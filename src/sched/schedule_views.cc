// ScheduleController views (docs/api.md "Jobs, CronJobs and Schedules"): CronJob and
// Schedule objects with status {active, lastScheduleTime, lastSuccessfulTime,
// nextScheduleTime, runs[]}, and events. Read-only; every function takes Impl::mu.
#include "sched/schedule_state.h"

namespace ebb::sched {

using nlohmann::json;
using Impl = ScheduleController::Impl;

namespace {

json time_or_null(int64_t ms) { return ms ? json(rfc3339_s(ms)) : json(nullptr); }

// Run as the API shows it; "Claimed" is shown as "Pending".
json run_view(const Run& r) {
  json j = {{"slot", rfc3339_s(r.slot_ms)},
            {"start", r.start_ms ? json(rfc3339_ms(r.start_ms)) : json(nullptr)},
            {"latenessMs", r.start_ms ? json(r.lateness_ms) : json(nullptr)},
            {"outcome", r.outcome == "Claimed" ? std::string("Pending") : r.outcome}};
  if (r.manual) j["manual"] = true;
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (!r.job.empty()) j["job"] = r.job;
  if (!r.message_id.empty()) j["messageId"] = r.message_id;
  if (!r.error.empty()) j["error"] = (r.error_code.empty() ? "" : r.error_code + ": ") + r.error;
  if (r.attempts) j["launchAttempts"] = r.attempts;
  if (r.retry_at_ms) j["nextAttempt"] = rfc3339_ms(r.retry_at_ms);
  return j;
}

}  // namespace

std::optional<int64_t> Impl::next_schedule(const Obj& o) const {
  if (!o.slots || o.completed) return std::nullopt;
  // The first slot not yet decided, even while suspended (so the user sees it).
  std::optional<int64_t> s = o.slots->next_after(std::max(o.after_ms(), wall_ms() - 1));
  if (s && o.spec.end_ms && *s > *o.spec.end_ms) return std::nullopt;
  return s;
}

json Impl::object_json(const Obj& o) const {
  json doc = o.spec.doc;
  json& meta = doc["metadata"];
  if (!meta.is_object()) meta = json::object();
  meta["creationTimestamp"] = rfc3339_s(o.created_ms);
  std::vector<const Run*> runs;
  json active = json::array();
  for (auto& [_, r] : o.runs) {
    runs.push_back(&r);
    if (r.running() && !r.job.empty()) active.push_back({{"name", r.job}});
  }
  std::sort(runs.begin(), runs.end(), [](const Run* a, const Run* b) {
    return std::tie(a->slot_ms, a->key) < std::tie(b->slot_ms, b->key);
  });
  json items = json::array();
  for (const Run* r : runs) items.push_back(run_view(*r));
  const std::optional<int64_t> next = next_schedule(o);
  json status = {{"lastScheduleTime", time_or_null(o.last_schedule_ms)},
                 {"nextScheduleTime", next ? json(rfc3339_s(*next)) : json(nullptr)},
                 {"suspended", o.suspended},
                 {"runs", std::move(items)}};
  if (o.kind() == "CronJob") {
    status["active"] = std::move(active);
    status["lastSuccessfulTime"] = time_or_null(o.last_successful_ms);
  } else {
    if (!active.empty()) status["active"] = std::move(active);
    status["state"] = o.completed ? "Completed" : o.suspended ? "Suspended" : "Enabled";
    if (next && o.spec.window_minutes > 0)
      status["nextLaunchTime"] = rfc3339_s(*next + flexible_offset_s(o.name(), *next, o.spec.window_minutes) * 1000);
  }
  if (!o.slots) status["error"] = o.slots_error;
  doc["status"] = std::move(status);
  return doc;
}

json ScheduleController::list(const std::string& kind) const {
  std::lock_guard lk(impl_->mu);
  json items = json::array();
  for (auto& [_, o] : impl_->objects)
    if (o.kind() == kind) items.push_back(impl_->object_json(o));
  return {{"apiVersion", kind == "CronJob" ? "batch/v1" : "ebb/v1"}, {"kind", "List"}, {"items", std::move(items)}};
}

std::vector<ScheduleController::NextFire> ScheduleController::next_fires() const {
  std::lock_guard lk(impl_->mu);
  std::vector<NextFire> out;
  for (auto& [_, o] : impl_->objects)
    if (auto next = impl_->next_schedule(o)) out.push_back({o.kind(), o.name(), *next});
  return out;
}

Result<json> ScheduleController::get(const std::string& kind, const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->objects.find(Impl::id_of(kind, name));
  if (it == impl_->objects.end()) return err(Code::NotFound, Impl::id_of(kind, name) + " not found");
  return impl_->object_json(it->second);
}

Result<json> ScheduleController::events(const std::string& kind, const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->objects.find(Impl::id_of(kind, name));
  if (it == impl_->objects.end()) return err(Code::NotFound, Impl::id_of(kind, name) + " not found");
  json items = json::array();
  for (const json& e : it->second.events) items.push_back(e);
  return json{{"items", std::move(items)}};
}

}  // namespace ebb::sched

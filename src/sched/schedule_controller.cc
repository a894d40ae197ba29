// ScheduleController: records, loading, the API commands, slot decisions (§4.3,
// §5, §7.2) and launching (§4.1, §4.5). Views are in schedule_views.cc; the
// production seams and the JobController constructor in schedule_adapters.cc.
#include "sched/schedule_controller.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "sched/schedule_state.h"

namespace ebb::sched {

using nlohmann::json;

// ---------------------------------------------------------------------------------
// Run records

json Run::to_json() const {
  json j = {{"slotMs", slot_ms}, {"outcome", outcome}};
  if (manual) j["manual"] = true;
  if (!reason.empty()) j["reason"] = reason;
  if (start_ms) j["startMs"] = start_ms, j["latenessMs"] = lateness_ms;
  if (end_ms) j["endMs"] = end_ms;
  if (!job.empty()) j["job"] = job;
  if (!message_id.empty()) j["messageId"] = message_id;
  if (!error.empty()) j["error"] = error;
  if (!error_code.empty()) j["errorCode"] = error_code;
  if (attempts) j["attempts"] = attempts;
  if (retry_at_ms) j["retryAtMs"] = retry_at_ms;
  return j;
}

std::optional<Run> Run::from_json(const std::string& key, const json& j) {
  if (!j.is_object() || !j.contains("slotMs") || !j.contains("outcome")) return std::nullopt;
  Run r;
  r.key = key;
  r.slot_ms = j.value("slotMs", int64_t{0});
  r.manual = j.value("manual", false);
  r.outcome = j.value("outcome", std::string());
  r.reason = j.value("reason", std::string());
  r.start_ms = j.value("startMs", int64_t{0});
  r.lateness_ms = j.value("latenessMs", int64_t{0});
  r.end_ms = j.value("endMs", int64_t{0});
  r.job = j.value("job", std::string());
  r.message_id = j.value("messageId", std::string());
  r.error = j.value("error", std::string());
  r.error_code = j.value("errorCode", std::string());
  r.attempts = j.value("attempts", int64_t{0});
  r.retry_at_ms = j.value("retryAtMs", int64_t{0});
  r.durable = true;  // it was loaded from the store
  return r;
}

// ---------------------------------------------------------------------------------
// Impl basics

ScheduleController::Impl::Impl(Clock& c, Committer& cm, Engine& e, std::unique_ptr<JobStarter> j, SlotsFactory f)
    : clock(c), committer(cm), engine(e), jobs(std::move(j)), slots_factory(std::move(f)),
      gate(std::make_shared<Gate>()) {
  gate->impl = this;
}

int64_t ScheduleController::Impl::mono_ms() const {
  return std::chrono::duration_cast<Millis>(clock.mono_now() - MonoTime{}).count();
}

std::string ScheduleController::Impl::id_of(const std::string& kind, const std::string& name) {
  return (kind == "CronJob" ? "cronjob/" : "schedule/") + name;
}

namespace {
StoreOp obj_op(const Obj& o) {
  json state = {{"createdMs", o.created_ms},         {"anchorMs", o.anchor_ms},
                {"timingMs", o.timing_ms},           {"lastScheduleMs", o.last_schedule_ms},
                {"lastSuccessfulMs", o.last_successful_ms}, {"decidedMs", o.decided_ms},
                {"suspended", o.suspended},          {"suspendFromMs", o.suspend_from_ms},
                {"suspendToMs", o.suspend_to_ms},    {"completed", o.completed},
                {"replacing", o.replacing}};
  json v = {{"doc", o.spec.doc}, {"state", std::move(state)}};
  return op::PutRecord{o.kind() == "CronJob" ? "cronjob" : "schedule", o.name(), v.dump()};
}
}  // namespace

Token ScheduleController::Impl::put_obj(const Obj& o) { return committer.append(obj_op(o)); }

Token ScheduleController::Impl::put_run(const Run& r) {
  return committer.append(op::PutRecord{"slot", r.key, r.to_json().dump()});
}

void ScheduleController::Impl::add_event(Obj& o, bool warning, const std::string& reason, const std::string& message) {
  const int64_t now = wall_ms();
  json e = {{"time", rfc3339_ms(now)}, {"timeMs", now},     {"type", warning ? "Warning" : "Normal"},
            {"reason", reason},        {"object", o.prefix()}, {"message", message}};
  char seq[16];
  std::snprintf(seq, sizeof seq, "%012llu", static_cast<unsigned long long>(o.next_seq++));
  std::string key = o.prefix() + "/" + seq;
  committer.append(op::PutRecord{"schedevent", key, e.dump()});
  o.events.push_back(std::move(e));
  o.event_keys.push_back(std::move(key));
  while (o.events.size() > kEventsKept) {
    committer.append(op::DeleteRecord{"schedevent", o.event_keys.front()});
    o.events.pop_front();
    o.event_keys.pop_front();
  }
}

void ScheduleController::Impl::prune_runs(Obj& o) {
  std::vector<const Run*> done;
  for (auto& [_, r] : o.runs)
    if (r.final() && !r.running()) done.push_back(&r);
  if (done.size() <= kRunsKept) return;
  std::sort(done.begin(), done.end(), [](const Run* a, const Run* b) {
    return std::tie(a->slot_ms, a->key) < std::tie(b->slot_ms, b->key);
  });
  std::vector<std::string> victims;
  for (size_t i = 0; i + kRunsKept < done.size(); ++i) victims.push_back(done[i]->key);
  for (const std::string& k : victims) {
    committer.append(op::DeleteRecord{"slot", k});
    o.runs.erase(k);
  }
}

int64_t ScheduleController::Impl::initial_timing(const ScheduleSpec& s, int64_t created_ms) {
  if (s.kind == "Schedule" && s.expression.rfind("at(", 0) == 0) {
    // at() fires once at its instant; with allowPast a past instant fires at creation.
    return std::numeric_limits<int64_t>::min() / 4;
  }
  if (s.kind == "Schedule" && s.expression.rfind("rate(", 0) == 0 && !s.start_ms) {
    // §2.4: the anchor (creation truncated to the minute) is the first slot and runs
    // at creation although it lies before the creation instant.
    return created_ms - ((created_ms % 60'000) + 60'000) % 60'000 - 1;
  }
  return created_ms;
}

Result<std::shared_ptr<const SlotSeries>> ScheduleController::Impl::make_slots(const ScheduleSpec& s, int64_t anchor,
                                                                               bool allow_past) {
  if (!slots_factory) return err(Code::Invalid, "no expression parser");
  auto r = slots_factory(s.expression, s.dialect, s.time_zone, anchor, allow_past);
  if (r.ok()) return r;
  // Name the field (reliability.md §5.5): the zone or the expression.
  const std::string& m = r.error().message;
  if (m.rfind("timeZone:", 0) == 0) return err(r.error().code, "spec." + m);
  return err(r.error().code, std::string(s.kind == "CronJob" ? "spec.schedule: " : "spec.expression: ") + m);
}

void ScheduleController::Impl::wake() {
  std::function<void()> f;
  {
    std::lock_guard lk(wake_mu);
    f = wake_fn;
  }
  if (f) f();
}

void ScheduleController::Impl::run(Effects& fx) {
  for (auto& [token, ids] : fx.act_when_durable) {
    // P-S1: the claim is durable before anything is launched for the slot.
    committer.when_durable(token, [g = gate, ids = ids](bool ok) {
      std::lock_guard glk(g->mu);
      if (!ok || !g->impl) return;
      Impl& im = *g->impl;
      {
        std::lock_guard lk(im.mu);
        auto o = im.objects.find(ids.first);
        if (o == im.objects.end()) return;
        auto r = o->second.runs.find(ids.second);
        if (r == o->second.runs.end()) return;
        r->second.durable = true;
        im.act(o->second, im.wall_ms());
      }
      im.wake();
    });
  }
  if (fx.wake) wake();
  fx = Effects{};
}

Token ScheduleController::Impl::delete_object(const std::string& id, bool with_jobs) {
  auto it = objects.find(id);
  if (it == objects.end()) return 0;
  Obj& o = it->second;
  // §7.4: deleting a CronJob deletes its runs (the JobController stops active ones).
  if (with_jobs)
    for (const JobSummary& j : jobs->owned_by(o.prefix())) (void)jobs->remove(j.name);
  for (auto& [k, _] : o.runs) committer.append(op::DeleteRecord{"slot", k});
  for (const std::string& k : o.event_keys) committer.append(op::DeleteRecord{"schedevent", k});
  const Token t = committer.append(op::DeleteRecord{o.kind() == "CronJob" ? "cronjob" : "schedule", o.name()});
  objects.erase(it);
  return t;
}

// ---------------------------------------------------------------------------------
// Decisions

bool ScheduleController::Impl::has_active(const Obj& o, const std::string& except_key) const {
  if (!o.replacing.empty()) return true;
  for (auto& [k, r] : o.runs) {
    if (k == except_key) continue;
    // "Active" (§5): a run not finished. A claimed queue send is never active.
    if (r.running() && !r.job.empty()) return true;
    if (r.outcome == "Claimed" && !o.spec.queue_target()) return true;
  }
  return false;
}

void ScheduleController::Impl::reconcile_runs(Obj& o, int64_t now) {
  for (auto& [_, r] : o.runs) {
    if (!r.running() || r.job.empty()) continue;
    std::optional<JobSummary> s = jobs->summary(r.job);
    if (!s) {
      r.outcome = "Failed";
      r.error = "job " + r.job + " was deleted";
      r.end_ms = now;
      put_run(r);
      continue;
    }
    if (!s->finished) continue;
    r.outcome = s->complete ? "Succeeded" : "Failed";
    r.end_ms = s->completion_ms ? s->completion_ms : now;
    if (s->complete) o.last_successful_ms = std::max(o.last_successful_ms, r.end_ms);
    put_run(r);
    put_obj(o);
    add_event(o, !s->complete, s->complete ? "SawCompletedJob" : "SawFailedJob",
              "job " + r.job + (s->complete ? " completed" : " failed"));
  }
  // Replace (§5): the new run starts once the old runs' processes are gone.
  std::erase_if(o.replacing, [&](const std::string& job) {
    std::optional<JobSummary> s = jobs->summary(job);
    return !s || s->active == 0;
  });
}

void ScheduleController::Impl::cleanup_history(Obj& o) {
  if (o.kind() != "CronJob") return;
  // §7.3: finished runs split into succeeded and failed (Replaced counts as failed),
  // each by start time; the oldest beyond the limits are deleted. Active runs never count.
  std::map<std::string, const Run*> by_job;
  for (auto& [_, r] : o.runs)
    if (!r.job.empty()) by_job[r.job] = &r;
  std::vector<JobSummary> ok, failed;
  for (const JobSummary& j : jobs->owned_by(o.prefix())) {
    auto r = by_job.find(j.name);
    const bool replaced = r != by_job.end() && r->second->reason == "Replaced";
    if (replaced && j.active == 0 && std::find(o.replacing.begin(), o.replacing.end(), j.name) == o.replacing.end()) {
      failed.push_back(j);
    } else if (j.finished) {
      (j.complete ? ok : failed).push_back(j);
    }
  }
  auto trim = [&](std::vector<JobSummary>& v, int64_t limit) {
    std::stable_sort(v.begin(), v.end(), [](const JobSummary& a, const JobSummary& b) { return a.start_ms < b.start_ms; });
    for (size_t i = 0; i + static_cast<size_t>(limit) < v.size(); ++i) {
      if (jobs->remove(v[i].name)) add_event(o, false, "SuccessfulDelete", "deleted job " + v[i].name);
    }
  };
  trim(ok, o.spec.successful_history);
  trim(failed, o.spec.failed_history);
}

void ScheduleController::Impl::record_missed(Obj& o, int64_t slot, const std::string& reason, int64_t now) {
  const std::string key = o.prefix() + "/" + std::to_string(slot);
  auto it = o.runs.find(key);
  if (it != o.runs.end() && it->second.final()) return;
  Run r;
  r.key = key;
  r.slot_ms = slot;
  r.outcome = "Missed";
  r.reason = reason;
  if (it != o.runs.end() && it->second.outcome == "Deferred" && reason == "Superseded") r.reason = "ConcurrencyForbid";
  o.runs[key] = r;
  o.decided_ms = std::max(o.decided_ms, slot);
  put_run(r);
  add_event(o, true, "Missed", "slot " + rfc3339_s(slot) + " missed (" + r.reason + "), decided " +
                                   std::to_string(lateness_s(slot, now)) + " s after it");
}

Token ScheduleController::Impl::claim(Obj& o, Run r, Effects& fx) {
  r.outcome = "Claimed";
  r.durable = false;
  if (!o.spec.queue_target() && r.job.empty()) r.job = run_name(o.name(), r.slot_ms);
  if (!r.manual) {
    o.last_schedule_ms = std::max(o.last_schedule_ms, r.slot_ms);
    o.decided_ms = std::max(o.decided_ms, r.slot_ms);
  }
  const std::string key = r.key;
  Run& run = o.runs[key] = std::move(r);
  const int64_t now = wall_ms();
  LaunchError e;
  if (!o.spec.queue_target() && o.replacing.empty()) {
    // P-S1 in one commit: the slot record (Started), lastScheduleTime, the Job and its
    // first attempts, which launch once that commit is durable. A crash before it
    // leaves the slot undecided (the restart applies §4.3 to it); after it, the slot
    // has its Job and is never run again. One fsync between the slot and the launch.
    JobRequest req;
    if (job_request(o, run, req, e)) {
      Run started = run;
      mark_started(started, now);
      bool adopted = false;
      Result<Token> created = create_run_job(
          o, run, req, {op::PutRecord{"slot", key, started.to_json().dump()}, obj_op(o)}, adopted, e);
      if (created) {
        fx.wake = true;  // tick again: an active run is polled until its Job finishes
        run = std::move(started);
        Token t = *created;
        if (adopted) t = committer.append_all({op::PutRecord{"slot", key, run.to_json().dump()}, obj_op(o)});
        add_event(o, false, "SuccessfulCreate",
                  "created job " + run.job + (run.manual ? " (manual)" : " for slot " + rfc3339_s(run.slot_ms)) +
                      ", lateness " + std::to_string(run.lateness_ms) + " ms");
        return t;
      }
    }
  }
  // A queue target (the message commits with its Sent record once the claim is
  // durable, launch()), a Replace still waiting for the old run to end, or a Job that
  // could not be created (nothing of the slot was committed with it): the claim and
  // lastScheduleTime commit together first.
  const Token t = committer.append_all({op::PutRecord{"slot", key, run.to_json().dump()}, obj_op(o)});
  fx.act_when_durable.push_back({t, {o.prefix(), key}});
  // The failed creation counts as the first launch attempt (§4.5 retries, CronJob
  // FailedCreate); a retry waits for the claim to be durable (act()).
  if (!e.code.empty()) launch_failed(o, run, e.code, e.message, e.retryable, now);
  return t;
}

int64_t ScheduleController::Impl::tick_object(Obj& o, int64_t now, Effects& fx) {
  reconcile_runs(o, now);
  cleanup_history(o);
  act(o, now);  // claimed runs waiting for a retry instant or for a Replace to finish
  int64_t wake_at = std::numeric_limits<int64_t>::max();
  for (auto& [_, r] : o.runs) {
    if (r.outcome == "Claimed" && r.durable && r.retry_at_ms > now) wake_at = std::min(wake_at, r.retry_at_ms);
  }
  if (has_active(o, "")) {
    bool waiting = !o.replacing.empty();
    for (auto& [_, r] : o.runs) waiting = waiting || r.outcome == "Deferred";
    wake_at = std::min(wake_at, now + (waiting ? kWaitingPollMs : kActivePollMs));
  }
  // §7.2 (3): suspended or inert schedules create nothing.
  if (o.suspended || o.completed || !o.slots) return wake_at;

  PlanInput in;
  in.after_ms = o.after_ms();
  in.now_ms = now;
  in.deadline_s = o.spec.starting_deadline_s;
  in.end_ms = o.spec.end_ms;
  if (o.spec.window_minutes > 0) {
    in.offset_ms = [&o](int64_t s) { return flexible_offset_s(o.name(), s, o.spec.window_minutes) * 1000; };
  }
  in.catch_up = o.kind() == "CronJob" ? CatchUp::Latest : o.spec.catch_up;
  in.max_catch_up = o.spec.max_catch_up;
  const SlotSeries& series = *o.slots;
  const SlotPlan p = plan_slots([&series](int64_t t) { return series.next_after(t); }, in);

  auto suspended_reason = [&](int64_t slot) {
    return o.suspend_to_ms && slot >= o.suspend_from_ms && slot <= o.suspend_to_ms ? "Suspended" : "Superseded";
  };
  for (int64_t s : p.superseded) record_missed(o, s, suspended_reason(s), now);
  if (p.superseded_count > kMissedListed || p.count_capped) {
    // §4.3 step 3: one event with the count, never an error, never a stop.
    const std::string n = p.count_capped ? "≥ 1,000,000" : std::to_string(p.superseded_count);
    add_event(o, true, "MissedSchedules", n + " slots missed (Superseded) up to " + rfc3339_s(now));
  }
  // Superseded slots are decided even when only counted, so the count is reported once.
  if (p.last_superseded) o.decided_ms = std::max(o.decided_ms, *p.last_superseded);
  for (int64_t s : p.too_late) record_missed(o, s, "DeadlineExceeded", now);
  if (!p.too_late.empty()) o.decided_ms = std::max(o.decided_ms, p.too_late.back());
  if (!p.superseded.empty() || !p.too_late.empty() || p.superseded_count) put_obj(o);

  for (int64_t s : p.run) {
    const std::string key = o.prefix() + "/" + std::to_string(s);
    auto existing = o.runs.find(key);
    if (existing != o.runs.end() && existing->second.final()) continue;
    if (existing != o.runs.end() && existing->second.outcome == "Claimed") continue;
    Run r;
    r.key = key;
    r.slot_ms = s;
    if (has_active(o, key)) {
      if (o.spec.concurrency == Concurrency::Forbid) {
        if (existing == o.runs.end()) {
          // §5 Forbid: deferred while a run is active; re-evaluated when it ends.
          r.outcome = "Deferred";
          o.runs[key] = r;
          put_run(r);
          add_event(o, false, "Deferred", "slot " + rfc3339_s(s) + " deferred: a run is still active (Forbid)");
        }
        continue;
      }
      if (o.spec.concurrency == Concurrency::Replace) {
        for (auto& [_, a] : o.runs) {
          if (!a.running() || a.job.empty()) continue;
          (void)jobs->set_suspended(a.job, true);
          a.outcome = "Failed";
          a.reason = "Replaced";
          a.end_ms = now;
          put_run(a);
          o.replacing.push_back(a.job);
          add_event(o, false, "Replaced", "job " + a.job + " terminated for slot " + rfc3339_s(s) + " (Replace)");
        }
      }
    }
    claim(o, std::move(r), fx);
  }
  if (p.exhausted && o.kind() == "Schedule" && !p.next_due) {
    bool pending = false;
    for (auto& [_, r] : o.runs) pending = pending || !r.final();
    if (!pending) {
      o.completed = true;
      put_obj(o);
      add_event(o, false, "Completed", "no slot left: the schedule is complete");
    }
  }
  prune_runs(o);
  if (p.next_due) wake_at = std::min(wake_at, std::max(*p.next_due, now));
  for (auto& [_, r] : o.runs) {  // claims made above, retried after a failed launch; deferrals
    if (r.outcome == "Claimed" && r.durable && r.retry_at_ms > now) wake_at = std::min(wake_at, r.retry_at_ms);
    if (r.outcome == "Deferred") wake_at = std::min(wake_at, now + kWaitingPollMs);
  }
  if (!o.replacing.empty()) wake_at = std::min(wake_at, now + kWaitingPollMs);
  return wake_at;
}

int64_t ScheduleController::Impl::tick_locked(Effects& fx) {
  const int64_t now = wall_ms(), mono = mono_ms();
  if (last_mono && std::abs((now - last_wall) - (mono - last_mono)) > kClockJumpMs) {
    // reliability.md §2.5/§2.6: a forward step is downtime (the plan below catches up);
    // a backward step reruns nothing (P-S1: decided slots are recorded).
    const int64_t jump = (now - last_wall) - (mono - last_mono);
    for (auto& [_, o] : objects)
      add_event(o, true, "ClockJump", "wall clock stepped " + std::to_string(jump / 1000) + " s");
  }
  last_wall = now;
  last_mono = mono;
  // One timer at the earliest next slot of any object (§4.2: no polling loop).
  int64_t wake_at = now + kIdleMs;
  if (!objects.empty()) wake_at = std::numeric_limits<int64_t>::max() / 2;
  std::vector<std::string> done;
  for (auto& [id, o] : objects) {
    wake_at = std::min(wake_at, tick_object(o, now, fx));
    if (o.completed && o.spec.delete_after_completion && !has_active(o, "")) done.push_back(id);
  }
  for (const std::string& id : done) delete_object(id, false);
  if (wake_at >= std::numeric_limits<int64_t>::max() / 2) wake_at = now + kIdleMs;
  return wake_at;
}

// ---------------------------------------------------------------------------------
// Launching

json ScheduleController::Impl::run_job_spec(const Obj& o, const Run& r, const json* base) const {
  json spec = base ? *base : o.spec.job_spec;
  // §4.1: what a run sees.
  const std::string slot = rfc3339_s(r.slot_ms);
  json extra = json::array({{{"name", "EBB_SCHEDULED_TIME"}, {"value", slot}},
                            {{"name", "EBB_SCHEDULE_NAME"}, {"value", o.name()}},
                            {{"name", "EBB_SLOT_ID"}, {"value", o.name() + "/" + std::to_string(r.slot_ms / 1000)}}});
  if (spec.contains("template") && spec["template"].contains("spec") &&
      spec["template"]["spec"].contains("containers") && spec["template"]["spec"]["containers"].is_array()) {
    for (json& c : spec["template"]["spec"]["containers"]) {
      json env = c.value("env", json::array());
      for (const json& e : extra) {
        const bool present = std::any_of(env.begin(), env.end(), [&](const json& x) { return x.value("name", "") == e["name"]; });
        if (!present) env.push_back(e);
      }
      c["env"] = std::move(env);
    }
  }
  return spec;
}

void ScheduleController::Impl::act(Obj& o, int64_t now) {
  if (!o.replacing.empty()) return;
  std::vector<std::string> keys;
  for (auto& [k, r] : o.runs)
    if (r.outcome == "Claimed" && r.durable && r.retry_at_ms <= now) keys.push_back(k);
  for (const std::string& k : keys) launch(o, o.runs.at(k), now);
  if (!keys.empty()) prune_runs(o);
}

void ScheduleController::Impl::launch(Obj& o, Run& r, int64_t now) {
  if (o.spec.queue_target()) {
    SendEntry e;
    e.body = o.spec.message_body;
    e.attrs = o.spec.message_attrs;
    e.attrs.push_back({"ebb.schedule", "String", o.name(), false});
    e.attrs.push_back({"ebb.scheduledTime", "String", rfc3339_s(r.slot_ms), false});
    std::sort(e.attrs.begin(), e.attrs.end(), [](const MsgAttr& a, const MsgAttr& b) { return a.name < b.name; });
    Run sent = r;
    sent.outcome = "Sent";
    sent.start_ms = now;
    sent.lateness_ms = now - r.slot_ms;
    sent.retry_at_ms = 0;
    Token t = 0;
    // The message and the Sent record commit in one transaction: after a crash the
    // slot is either Claimed with no message (send again) or Sent.
    auto res = engine.send(o.spec.queue, {std::move(e)}, t, {op::PutRecord{"slot", r.key, sent.to_json().dump()}});
    if (!res) {
      const bool missing = res.error().code == Code::NonExistentQueue;
      launch_failed(o, r, missing ? "TARGET_MISSING" : "INVALID_SPEC", res.error().message, missing, now);
      return;
    }
    if (!(*res)[0]) {
      launch_failed(o, r, "INVALID_SPEC", (*res)[0].error().message, false, now);
      return;
    }
    sent.message_id = (*res)[0]->message_id;
    r = sent;
    put_run(r);
    return;
  }
  JobRequest req;
  LaunchError e;
  if (!job_request(o, r, req, e)) {
    launch_failed(o, r, e.code, e.message, e.retryable, now);
    return;
  }
  // A claimed run (queue targets aside: a retry after a failed creation, a Replace that
  // waited, a claim recorded by an earlier version): the Started record commits with
  // the Job, so a crash never leaves the Job without its run recorded.
  Run started = r;
  mark_started(started, now);
  bool adopted = false;
  Result<Token> created =
      create_run_job(o, r, req, {op::PutRecord{"slot", r.key, started.to_json().dump()}}, adopted, e);
  if (!created) {
    launch_failed(o, r, e.code, e.message, e.retryable, now);
    return;
  }
  r = std::move(started);
  if (adopted) put_run(r);
  add_event(o, false, "SuccessfulCreate",
            "created job " + r.job + (r.manual ? " (manual)" : " for slot " + rfc3339_s(r.slot_ms)) + ", lateness " +
                std::to_string(r.lateness_ms) + " ms");
}

void ScheduleController::Impl::mark_started(Run& r, int64_t now) {
  r.outcome = "Started";
  r.start_ms = now;
  r.lateness_ms = now - r.slot_ms;
  r.retry_at_ms = 0;
}

bool ScheduleController::Impl::job_request(const Obj& o, const Run& r, JobRequest& out, LaunchError& e) const {
  out.labels = json::object();
  out.annotations = {{"batch.kubernetes.io/cronjob-scheduled-timestamp", rfc3339_s(r.slot_ms)}};
  if (o.kind() == "CronJob" && o.spec.job_template.contains("metadata")) {
    const json& md = o.spec.job_template["metadata"];
    if (md.contains("labels") && md["labels"].is_object()) out.labels = md["labels"];
    if (md.contains("annotations") && md["annotations"].is_object())
      for (auto& [k, v] : md["annotations"].items()) out.annotations[k] = v;
  }
  if (r.manual) out.annotations["cronjob.kubernetes.io/instantiate"] = "manual";
  json td_spec;
  if (!o.spec.task_definition.empty()) {
    // Resolved at each launch, as EventBridge resolves a family ARN without revision:
    // a definition that does not exist (any more) is a launch failure that no retry fixes.
    auto td = resolve_task_definition
                  ? resolve_task_definition(o.spec.task_definition)
                  : Result<std::pair<json, std::string>>(err(Code::NotFound, "task definitions are not available"));
    if (!td) {
      e = {"TARGET_MISSING", td.error().message, false};
      return false;
    }
    td_spec = task_to_job_spec(td->first, o.spec.task_count);
    out.annotations["ebb/taskDefinition"] = td->second;
  }
  out.spec = run_job_spec(o, r, td_spec.is_null() ? nullptr : &td_spec);
  return true;
}

Result<Token> ScheduleController::Impl::create_run_job(Obj& o, const Run& r, const JobRequest& req,
                                                       std::vector<StoreOp> with, bool& adopted, LaunchError& e) {
  Result<Token> created = jobs->create(r.job, req.spec, o.prefix(), req.labels, req.annotations, std::move(with));
  if (created) return created;
  // A Job with the slot's deterministic name that this object owns is this run (P-S1),
  // never a second one: a store from before the claim and the Job committed together
  // (claim committed, Job created, run not yet recorded), or a second manual run in
  // the same second.
  std::optional<JobSummary> s = created.error().code == Code::Conflict ? jobs->summary(r.job) : std::nullopt;
  if (s && s->owner == o.prefix()) {
    adopted = true;
    return Token{0};
  }
  const Code c = created.error().code;
  e = {c == Code::Invalid ? "INVALID_SPEC" : "CAPACITY", created.error().message,
       c != Code::Invalid && c != Code::Conflict};
  return created;
}

void ScheduleController::Impl::launch_failed(Obj& o, Run& r, const std::string& code, const std::string& message,
                                             bool retryable, int64_t now) {
  r.attempts++;
  r.error_code = code;
  r.error = message;
  if (o.kind() == "CronJob") {
    // CronJobs have no launch retry policy (§4.5 is Schedule only).
    r.outcome = "Failed";
    r.reason = "LaunchFailed";
    r.retry_at_ms = 0;
    put_run(r);
    add_event(o, true, "FailedCreate", "job " + r.job + ": " + message);
    return;
  }
  std::string condition;
  if (!retryable) {
    condition = "NonRetryable";
  } else if (r.attempts > o.spec.max_retry_attempts) {
    condition = "MaximumRetryAttempts";
  } else {
    const int64_t at = now + retry_delay_ms(o.name(), r.slot_ms, r.attempts);
    if (at - r.slot_ms > o.spec.max_event_age_s * 1000) {
      condition = "MaximumEventAgeInSeconds";
    } else {
      r.retry_at_ms = at;
      put_run(r);
      add_event(o, true, "LaunchFailed",
                "launch attempt " + std::to_string(r.attempts) + " failed (" + code + ": " + message + "); retry at " +
                    rfc3339_ms(at));
      return;
    }
  }
  dead_letter(o, r, condition, now);
}

void ScheduleController::Impl::dead_letter(Obj& o, Run& r, const std::string& condition, int64_t now) {
  r.retry_at_ms = 0;
  r.end_ms = now;
  if (o.spec.dead_letter_queue.empty()) {
    r.outcome = "Missed";
    r.reason = "LaunchFailed";
    put_run(r);
    add_event(o, true, "LaunchFailed", "gave up after " + std::to_string(r.attempts) + " attempt(s) (" + condition +
                                           "): " + r.error_code + ": " + r.error);
    return;
  }
  // §4.5: one message describing the failed launch.
  json body = {{"version", "1"},
               {"schedule", o.name()},
               {"slot", rfc3339_s(r.slot_ms)},
               {"attempts", r.attempts},
               {"errorCode", r.error_code},
               {"errorMessage", r.error},
               {"exhaustedRetryCondition", condition},
               {"target", o.spec.target}};
  SendEntry e;
  e.body = body.dump();
  const std::string arn = "arn:aws:scheduler:" + engine.config().region + ":" + engine.config().account +
                          ":schedule/default/" + o.name();
  const std::string target_arn = o.spec.queue_target() ? engine.queue_arn(o.spec.queue) : "ebb:job";
  e.attrs = {{"ERROR_CODE", "String", r.error_code, false},
             {"ERROR_MESSAGE", "String", r.error.empty() ? "-" : r.error, false},
             {"EXHAUSTED_RETRY_CONDITION", "String", condition, false},
             {"RETRY_ATTEMPTS", "String", std::to_string(r.attempts), false},
             {"SCHEDULE_ARN", "String", arn, false},
             {"TARGET_ARN", "String", target_arn.empty() ? "-" : target_arn, false}};
  Token t = 0;
  Run dl = r;
  dl.outcome = "DeadLettered";
  dl.reason = condition;
  auto res = engine.send(o.spec.dead_letter_queue, {std::move(e)}, t, {op::PutRecord{"slot", r.key, dl.to_json().dump()}});
  if (!res || !(*res)[0]) {
    const std::string why = !res ? res.error().message : (*res)[0].error().message;
    r.outcome = "Missed";
    r.reason = "LaunchFailed";
    r.error += "; dead-letter queue " + o.spec.dead_letter_queue + ": " + why;
    put_run(r);
    add_event(o, true, "DeadLetterFailed", "could not dead-letter slot " + rfc3339_s(r.slot_ms) + ": " + why);
    return;
  }
  dl.message_id = (*res)[0]->message_id;
  r = dl;
  put_run(r);
  add_event(o, true, "DeadLettered", "slot " + rfc3339_s(r.slot_ms) + " sent to dead-letter queue " +
                                         o.spec.dead_letter_queue + " (" + condition + ")");
}

// ---------------------------------------------------------------------------------
// ScheduleController

ScheduleController::ScheduleController(Clock& clock, Committer& committer, Engine& engine,
                                       std::unique_ptr<JobStarter> jobs, SlotsFactory slots)
    : impl_(std::make_unique<Impl>(clock, committer, engine, std::move(jobs), std::move(slots))) {}

void ScheduleController::set_task_definitions(TaskDefinitionResolver resolve) {
  std::lock_guard lk(impl_->mu);
  impl_->resolve_task_definition = std::move(resolve);
}

ScheduleController::~ScheduleController() {
  std::lock_guard glk(impl_->gate->mu);
  impl_->gate->impl = nullptr;
}

void ScheduleController::load(const std::vector<RecordRow>& records) {
  Impl& im = *impl_;
  std::lock_guard lk(im.mu);
  for (const RecordRow& r : records) {
    if (r.kind != "cronjob" && r.kind != "schedule") continue;
    json v = json::parse(r.value, nullptr, false);
    if (v.is_discarded() || !v.contains("doc")) continue;
    Result<ScheduleSpec> spec = parse_schedule_spec(v["doc"]);
    if (!spec) continue;
    Obj o;
    o.spec = std::move(*spec);
    const json st = v.value("state", json::object());
    o.created_ms = st.value("createdMs", im.wall_ms());
    o.anchor_ms = st.value("anchorMs", o.created_ms);
    o.timing_ms = st.value("timingMs", o.created_ms);
    o.last_schedule_ms = st.value("lastScheduleMs", int64_t{0});
    o.last_successful_ms = st.value("lastSuccessfulMs", int64_t{0});
    o.decided_ms = st.value("decidedMs", std::numeric_limits<int64_t>::min());
    o.suspended = st.value("suspended", o.spec.suspend);
    o.suspend_from_ms = st.value("suspendFromMs", int64_t{0});
    o.suspend_to_ms = st.value("suspendToMs", int64_t{0});
    o.completed = st.value("completed", false);
    if (st.contains("replacing") && st["replacing"].is_array())
      for (const json& j : st["replacing"])
        if (j.is_string()) o.replacing.push_back(j.get<std::string>());
    // The expression was accepted at creation: a passed at() is no error now.
    auto slots = im.make_slots(o.spec, o.anchor_ms, true);
    if (slots) o.slots = *slots;
    else o.slots_error = slots.error().message;
    std::string id = o.prefix();
    im.objects.emplace(id, std::move(o));
  }
  for (const RecordRow& r : records) {
    if (r.kind != "slot" && r.kind != "schedevent") continue;
    const size_t slash = r.key.rfind('/');
    if (slash == std::string::npos) continue;
    auto it = im.objects.find(r.key.substr(0, slash));
    json v = json::parse(r.value, nullptr, false);
    if (it == im.objects.end() || v.is_discarded()) {
      im.committer.append(op::DeleteRecord{r.kind, r.key});  // its object is gone
      continue;
    }
    Obj& o = it->second;
    if (r.kind == "slot") {
      if (std::optional<Run> run = Run::from_json(r.key, v)) o.runs[r.key] = std::move(*run);
    } else {
      o.events.push_back(std::move(v));
      o.event_keys.push_back(r.key);
      o.next_seq = std::max<uint64_t>(o.next_seq, std::strtoull(r.key.c_str() + slash + 1, nullptr, 10) + 1);
    }
  }
  for (auto& [_, o] : im.objects) {
    if (!o.slots) im.add_event(o, true, "UnknownTimeZone", "schedule is inert: " + o.slots_error);
    while (o.events.size() > kEventsKept) {
      im.committer.append(op::DeleteRecord{"schedevent", o.event_keys.front()});
      o.events.pop_front();
      o.event_keys.pop_front();
    }
  }
}

Status ScheduleController::start() {
  {
    std::lock_guard lk(impl_->mu);
    impl_->started = true;
  }
  impl_->wake();
  return {};
}

Status ScheduleController::check(const json& validated_doc) const {
  Result<ScheduleSpec> parsed = parse_schedule_spec(validated_doc);
  if (!parsed) return parsed.error();
  Impl& im = *impl_;
  std::lock_guard lk(im.mu);
  const bool exists = im.objects.count(im.id_of(parsed->kind, parsed->name)) > 0;
  const int64_t now = im.wall_ms();
  const int64_t anchor = parsed->kind == "Schedule" && parsed->start_ms ? *parsed->start_ms : now;
  auto slots = im.make_slots(*parsed, anchor, exists || parsed->allow_past);
  if (!slots) return slots.error();
  return {};
}

Result<std::pair<std::string, Token>> ScheduleController::apply(const json& validated_doc,
                                                                std::vector<std::string>& warnings) {
  Result<ScheduleSpec> parsed = parse_schedule_spec(validated_doc);
  if (!parsed) return parsed.error();
  ScheduleSpec spec = std::move(*parsed);
  Impl& im = *impl_;
  std::string action;
  Token token = 0;
  {
    std::lock_guard lk(im.mu);
    const int64_t now = im.wall_ms();
    const std::string id = im.id_of(spec.kind, spec.name);
    // Runs are Jobs named <name>-<minute> for both kinds: a CronJob and a Schedule of
    // one name would create Jobs of the same name (the second would fail to launch).
    const std::string other = spec.kind == "CronJob" ? "Schedule" : "CronJob";
    if (!spec.queue_target() && im.objects.count(im.id_of(other, spec.name)))
      return err(Code::Conflict, "metadata.name: a " + other + " named " + spec.name +
                                     " exists; their runs would be Jobs of the same names (" + spec.name +
                                     "-<minute>): choose another name");
    if (!spec.task_definition.empty() && im.resolve_task_definition && !im.resolve_task_definition(spec.task_definition))
      warnings.push_back("task definition " + spec.task_definition +
                         " does not exist: launches fail (TARGET_MISSING) until it is applied");
    if (spec.queue_target() && !im.engine.queue_exists(spec.queue).ok())
      warnings.push_back("queue " + spec.queue + " does not exist: sends fail (and are retried) until it is created");
    if (!spec.dead_letter_queue.empty() && !im.engine.queue_exists(spec.dead_letter_queue).ok())
      warnings.push_back("dead-letter queue " + spec.dead_letter_queue + " does not exist");
    auto it = im.objects.find(id);
    if (it == im.objects.end()) {
      const int64_t anchor = spec.kind == "Schedule" && spec.start_ms ? *spec.start_ms : now;
      auto slots = im.make_slots(spec, anchor, spec.allow_past);
      if (!slots) return slots.error();
      Obj o;
      o.spec = std::move(spec);
      o.slots = *slots;
      o.created_ms = now;
      o.anchor_ms = anchor;
      o.timing_ms = Impl::initial_timing(o.spec, now);
      o.suspended = o.spec.suspend;
      if (o.suspended) o.suspend_from_ms = now;
      Obj& ref = im.objects.emplace(id, std::move(o)).first->second;
      token = im.put_obj(ref);
      action = "created";
    } else if (it->second.spec.doc == spec.doc) {
      return std::make_pair(std::string("unchanged"), Token{0});
    } else {
      Obj& o = it->second;
      if (o.spec.timing_key() != spec.timing_key()) {
        // §7.4: re-armed from now; slots existing only under the new expression before
        // the edit are never candidates (§4.3 step 1).
        const int64_t anchor = spec.kind == "Schedule" && spec.start_ms ? *spec.start_ms : now;
        auto slots = im.make_slots(spec, anchor, true);
        if (!slots) return slots.error();
        o.slots = *slots;
        o.anchor_ms = anchor;
        o.timing_ms = now;
        o.completed = false;
      }
      if (spec.suspend != o.spec.suspend && spec.suspend != o.suspended) {
        o.suspended = spec.suspend;
        (o.suspended ? o.suspend_from_ms : o.suspend_to_ms) = now;
      }
      o.spec = std::move(spec);
      token = im.put_obj(o);
      im.add_event(o, false, "Configured", "spec changed");
      action = "configured";
    }
  }
  im.wake();
  return std::make_pair(action, token);
}

Result<Token> ScheduleController::remove(const std::string& kind, const std::string& name) {
  Impl& im = *impl_;
  Token token;
  {
    std::lock_guard lk(im.mu);
    const std::string id = im.id_of(kind, name);
    if (!im.objects.count(id)) return err(Code::NotFound, id + " not found");
    token = im.delete_object(id, true);
  }
  im.wake();
  return token;
}

Result<Token> ScheduleController::set_suspended(const std::string& kind, const std::string& name, bool suspend) {
  Impl& im = *impl_;
  Token token;
  {
    std::lock_guard lk(im.mu);
    auto it = im.objects.find(im.id_of(kind, name));
    if (it == im.objects.end()) return err(Code::NotFound, im.id_of(kind, name) + " not found");
    Obj& o = it->second;
    if (o.suspended != suspend) {
      o.suspended = suspend;
      // The object shows what it does: spec.suspend follows (kubectl patch semantics).
      o.spec.suspend = suspend;
      o.spec.doc["spec"]["suspend"] = suspend;
      (suspend ? o.suspend_from_ms : o.suspend_to_ms) = im.wall_ms();
      im.add_event(o, false, suspend ? "Suspended" : "Resumed",
                   suspend ? "suspended: no new runs (active runs continue)"
                           : "resumed: the latest missed slot is a candidate (§4.3)");
    }
    token = im.put_obj(o);
  }
  im.wake();
  return token;
}

Result<Token> ScheduleController::trigger(const std::string& name) {
  Impl& im = *impl_;
  Effects fx;
  Token token = 0;
  {
    std::lock_guard lk(im.mu);
    auto it = im.objects.find(im.id_of("Schedule", name));
    if (it == im.objects.end()) return err(Code::NotFound, "schedule/" + name + " not found");
    Obj& o = it->second;
    const int64_t now = im.wall_ms();
    Run r;
    r.key = o.prefix() + "/manual-" + std::to_string(now);
    if (o.runs.count(r.key)) return err(Code::Conflict, "schedule/" + name + " was triggered at this instant already");
    r.slot_ms = now;
    r.manual = true;
    if (!o.spec.queue_target()) r.job = name + "-manual-" + std::to_string(now / 1000);
    im.add_event(o, false, "Triggered", "target fired manually");
    token = im.claim(o, std::move(r), fx);
  }
  im.run(fx);
  return token;
}

Result<Token> ScheduleController::create_job_from(const std::string& cronjob, const std::string& job_name) {
  Impl& im = *impl_;
  Token token;
  {
    std::lock_guard lk(im.mu);
    auto it = im.objects.find(im.id_of("CronJob", cronjob));
    if (it == im.objects.end()) return err(Code::NotFound, "cronjob/" + cronjob + " not found");
    Obj& o = it->second;
    const int64_t now = im.wall_ms();
    Run r;
    r.key = o.prefix() + "/manual-" + std::to_string(now);
    r.slot_ms = now;
    r.manual = true;
    r.job = job_name;
    json annotations = {{"cronjob.kubernetes.io/instantiate", "manual"}};
    json labels = o.spec.job_template.contains("metadata") ? o.spec.job_template["metadata"].value("labels", json::object())
                                                           : json::object();
    // `kubectl create job --from=cronjob/X`: created now, owned by the CronJob, its run
    // record committed with it.
    Run started = r;
    started.outcome = "Started";
    started.start_ms = now;
    started.durable = true;
    Result<Token> created = im.jobs->create(job_name, im.run_job_spec(o, r), o.prefix(), labels, annotations,
                                            {op::PutRecord{"slot", r.key, started.to_json().dump()}});
    if (!created) return created.error();
    r = std::move(started);
    o.runs[r.key] = r;
    token = *created;
    im.add_event(o, false, "SuccessfulCreate", "created job " + job_name + " (manual)");
  }
  im.wake();
  return token;
}

MonoTime ScheduleController::tick() {
  Impl& im = *impl_;
  Effects fx;
  MonoTime next;
  {
    std::lock_guard lk(im.mu);
    const int64_t wall = im.wall_ms();  // before the monotonic reading: never armed early
    const MonoTime mono = im.clock.mono_now();
    if (!im.started) return mono + Millis{1000};
    const int64_t wake_wall = im.tick_locked(fx);
    // Launch precision (§4.2): the wall instant mapped to monotonic time with the
    // clock's current offset, recomputed every tick. The wall clock reads whole
    // milliseconds (floor), the monotonic one is kept exact: the timer then fires at
    // most 1 ms after the slot and never before it. (From a floored monotonic reading
    // it fired up to 1 ms early about half the time, found nothing due and needed a
    // second wake-up, which costs more than the millisecond on a loaded machine.)
    next = mono + Millis{std::max<int64_t>(0, wake_wall - wall)};
  }
  im.run(fx);
  return next;
}

void ScheduleController::on_wakeup(std::function<void()> f) {
  std::lock_guard lk(impl_->wake_mu);
  impl_->wake_fn = std::move(f);
}

}  // namespace ebb::sched

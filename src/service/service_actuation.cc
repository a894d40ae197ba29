// ServiceController: evaluation (observe → scale::evaluate) and actuation (launch,
// return drained tasks, drain, stop, replace) — autoscaling.md §4-§6 — plus the
// handling of runtime events. Every function here runs under Impl::mu; runtime calls
// are queued in Effects.
#include <algorithm>
#include <csignal>

#include "base/crypto.h"
#include "service/controller_state.h"
#include "service/removal_order.h"
#include "service/service_events.h"

namespace ebb::service {

using nlohmann::json;
using runtime::TaskState;
using Impl = ServiceController::Impl;

namespace {

// Stops ebb asked for that end a task normally: killed by our SIGTERM/SIGKILL is success.
bool planned_stop(const std::string& reason) {
  return reason == "ScaleIn" || reason == "Replaced" || reason == "Deleted" || reason == "Shutdown";
}

std::string stop_text(const std::string& reason) {
  if (reason == "ScaleIn") return "scale-in";
  if (reason == "Replaced") return "replaced by the new template";
  if (reason == "Timeout") return "timeoutSeconds reached";
  if (reason == "DrainTimeout") return "drainTimeoutSeconds reached with leases held";
  if (reason == "Deleted") return "service deleted";
  if (reason == "Shutdown") return "ebb shutting down";
  return reason;
}

std::string seconds_text(int64_t ms) { return format_number(static_cast<double>(ms) / 1000.0) + "s"; }

// "<service>-<8 hex>": [A-Za-z0-9-], at most 64 characters (runtime.h LaunchSpec).
std::string task_id_prefix(const std::string& service) {
  std::string p;
  for (char c : service) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    p.push_back(ok ? c : '-');
    if (p.size() == 55) break;
  }
  return p;
}

}  // namespace

scale::Config Impl::effective_config(const Svc& s) const {
  scale::Config c = s.spec.scaling;
  if (s.min_override) c.min_tasks = *s.min_override;
  if (s.max_override) c.max_tasks = *s.max_override;
  c.paused = s.paused;
  if (rolling(s)) c.scale_in_enabled = false;  // §4.4 step 5: no scale-in during a rolling update
  return c;
}

bool Impl::rolling(const Svc& s) const {
  for (auto& [_, t] : tasks)
    if (t.outdated && !t.detached && t.rec.owner_name == s.name() && (t.active() || t.rec.state == TaskState::Draining))
      return true;
  return false;
}

int64_t Impl::count_state(const std::string& service, TaskState st) const {
  int64_t n = 0;
  for (auto& [_, t] : tasks)
    if (!t.detached && t.rec.owner_name == service && t.rec.state == st) ++n;
  return n;
}

// ---------------------------------------------------------------------------------
// Evaluation (§6): on counter changes (coalesced to minIntervalMs), on the timers the
// autoscaler asks for, on task events and edits, and at least every maxIntervalMs.

int64_t Impl::tick_locked(Effects& fx) {
  const int64_t now = mono_ms();
  if (counts_dirty.exchange(false)) {
    const int64_t changed = first_change.exchange(kNoChange);
    for (auto& [_, s] : services) {
      s.dirty = true;
      if (!s.counts_changed_mono) s.counts_changed_mono = changed == kNoChange ? now : changed;
    }
  }
  int64_t next = services.empty() ? now + 60'000 : kNever;
  for (auto& [_, s] : services) {
    const bool due = !s.evaluated || s.edited || (s.dirty && now >= s.last_eval + s.spec.min_interval_ms) ||
                     (s.timer && now >= *s.timer) || now >= s.last_eval + s.spec.max_interval_ms;
    if (due) evaluate(s, now);
    next = std::min(next, reconcile(s, now, fx));
    if (s.dirty) next = std::min(next, s.last_eval + s.spec.min_interval_ms);
    if (s.timer) next = std::min(next, *s.timer);
    next = std::min(next, s.last_eval + s.spec.max_interval_ms);
  }
  return std::max(next, now + 1);  // never ask to run again "now": no busy loop
}

void Impl::evaluate(Svc& s, int64_t now) {
  const scale::Config cfg = effective_config(s);
  scale::Inputs in;
  s.queue_missing.resize(cfg.triggers.size(), false);
  for (size_t i = 0; i < cfg.triggers.size(); ++i) {
    scale::QueueCounts c;
    Result<QueueCounts> r = engine.counts(cfg.triggers[i].queue);
    if (r) {
      c.visible = r->visible;
      c.in_flight = r->inflight;
      c.delayed = r->delayed;
      c.fifo = r->fifo;
      c.active_groups = r->active_groups;
    } else {
      c.exists = false;  // a missing queue is B = 0, with a Warning (not an error)
    }
    if (!c.exists != s.queue_missing[i]) {
      s.queue_missing[i] = !c.exists;
      if (!c.exists)
        add_event(s, true, "QueueNotFound", "queue " + cfg.triggers[i].queue + " does not exist: its backlog counts as 0");
      else
        add_event(s, false, "QueueFound", "queue " + cfg.triggers[i].queue + " exists again");
    }
    in.counts.push_back(c);
  }
  s.last_inputs = std::move(in);
  const scale::Decision d = scale::evaluate(cfg, s.state, s.last_inputs, now);
  s.timer = d.next_eval;
  record_decision(s, cfg, d, now);
  if (s.counts_changed_mono) {
    latency_last_s = static_cast<double>(now - *s.counts_changed_mono) / 1000.0;
    latency_max_s = std::max(latency_max_s, latency_last_s);
    s.counts_changed_mono.reset();
  }
  s.dirty = s.edited = false;
  s.evaluated = true;
  s.last_eval = now;
}

void Impl::record_decision(Svc& s, const scale::Config& cfg, const scale::Decision& d, int64_t now) {
  s.last_decision = d;
  // §9: every change of N, and every evaluation whose outcome differs from the last.
  if (d.changed() || (d.reason != scale::Reason::None && d.reason != s.last_reason)) {
    std::string reason = d.reason != scale::Reason::None ? scale::to_string(d.reason)
                                                          : (d.desired > d.old_desired ? "ScaleOut" : "ScaleIn");
    add_event(s, false, reason, decision_message(cfg, s.last_inputs, d, count_state(s.name(), TaskState::Running)),
              decision_inputs(cfg, s.last_inputs, d));
    s.scaling_events[reason]++;
  }
  // ebb_service_scaling_events_total / _suppressed_total (ecosystem.md §3.3).
  // A suppression counts once per episode (when the reason appears), like the events.
  const bool new_reason = d.reason != s.last_reason;
  if (d.changed()) (d.desired > d.old_desired ? s.scaled_out : s.scaled_in)++;
  else if (new_reason && (d.reason == scale::Reason::CooldownDeferred || d.reason == scale::Reason::HeldByWindow))
    s.suppressed["cooldown"]++;
  else if (new_reason && d.reason == scale::Reason::CappedAtMax)
    s.suppressed["max_tasks"]++;
  if (d.reason != scale::Reason::None) s.last_reason = d.reason;
  if (d.changed()) {
    s.last_scale_ms = wall_ms();
    put_service(s);
  }
}

// ---------------------------------------------------------------------------------
// Actuation (§5). Returns the next instant this service needs a look for actuation.

int64_t Impl::reconcile(Svc& s, int64_t now, Effects& fx) {
  if (shutting_down) return kNever;
  int64_t next = kNever;
  const int64_t desired = s.state.desired;

  // Deadlines, drains in progress, the back-off reset, first receives.
  for (Task* t : tasks_of(s.name())) {
    const TaskState st = t->rec.state;
    if (st != TaskState::Running && st != TaskState::Draining) continue;
    if (t->timeout_ms && t->started_mono) {
      const int64_t deadline = *t->started_mono + *t->timeout_ms;
      if (now >= deadline) {
        stop_task(*t, &s, "Timeout", fx);
        continue;
      }
      next = std::min(next, deadline);
    }
    if (s.backoff.delay_ms && t->started_mono) {
      if (now - *t->started_mono >= kResetLifeMs) s.backoff.reset();
      else next = std::min(next, *t->started_mono + kResetLifeMs);
    }
    std::optional<ConsumerLeases> cl = engine.consumer_leases(t->rec.access_key_id);
    if (st == TaskState::Running && !t->rec.first_receive_ms && cl && cl->first_receive_ms) {
      t->rec.first_receive_ms = cl->first_receive_ms;
      put_task(*t);
    }
    if (st == TaskState::Draining) {
      if (!cl || cl->leases == 0) {
        stop_task(*t, &s, t->drain_reason.empty() ? "ScaleIn" : t->drain_reason, fx);  // §5.3: drained
      } else if (s.spec.drain_timeout_ms) {
        const int64_t limit = t->drain_since_mono + *s.spec.drain_timeout_ms;
        if (now >= limit) stop_task(*t, &s, "DrainTimeout", fx);
        else next = std::min(next, limit);
      }
    }
  }

  // Rolling update: retire every task of an older template (idle ones stop, busy ones
  // drain); the count below then starts their replacements.
  for (Task* t : tasks_of(s.name()))
    if (t->outdated && t->active()) retire(s, t->rec.id, "Replaced", now, fx);

  std::vector<Task*> active, draining;
  for (Task* t : tasks_of(s.name())) {
    if (t->active()) active.push_back(t);
    if (t->rec.state == TaskState::Draining && !t->outdated) draining.push_back(t);
  }
  int64_t count = static_cast<int64_t>(active.size());
  if (count < desired) {
    // §5.1 / §5.3: first return draining tasks to service, newest drain first.
    std::sort(draining.begin(), draining.end(),
              [](const Task* a, const Task* b) { return a->drain_since_mono > b->drain_since_mono; });
    for (Task* t : draining) {
      if (count >= desired) break;
      return_to_service(s, *t);
      ++count;
    }
    if (count < desired) {
      if (s.backoff.blocks(now)) {
        next = std::min(next, s.backoff.until_ms);
      } else if (runtime_ok) {
        for (; count < desired; ++count) create_task(s, now, fx);
      }
    }
  } else if (count > desired) {
    // §5.2: choose who leaves.
    std::vector<RemovalCandidate> cands;
    for (Task* t : active) {
      RemovalCandidate c;
      c.id = t->rec.id;
      c.created_ms = t->rec.created_ms;
      if (t->rec.state == TaskState::Running) {
        if (std::optional<ConsumerLeases> cl = engine.consumer_leases(t->rec.access_key_id)) {
          c.ever_received = cl->received > 0;
          c.leases = cl->leases;
          c.idle_since_ms = cl->idle_since_ms;
          c.latest_deadline_ms = cl->latest_deadline_ms;
        }
      }
      cands.push_back(std::move(c));
    }
    std::vector<std::string> order = removal_order(std::move(cands));
    order.resize(static_cast<size_t>(count - desired));
    for (const std::string& id : order) retire(s, id, "ScaleIn", now, fx);
  }
  return next;
}

void Impl::create_task(Svc& s, int64_t now, Effects& fx) {
  Task t;
  const std::string prefix = task_id_prefix(s.name());
  do {
    t.rec.id = prefix + "-" + hex_encode(random_bytes(4));
  } while (tasks.count(t.rec.id));
  const runtime::TaskCredentials cred = runtime::new_task_credentials();
  const runtime::TaskTemplate& tmpl = s.spec.task;
  t.rec.owner_kind = "Service";
  t.rec.owner_name = s.name();
  t.rec.state = TaskState::Pending;
  t.rec.access_key_id = cred.access_key_id;
  t.rec.secret_access_key = cred.secret_access_key;
  t.rec.cpu_millis = tmpl.cpu_millis;
  t.rec.memory_bytes = tmpl.memory_bytes;
  t.rec.created_ms = wall_ms();
  t.rec.log_path = task_dir(t.rec.id) + "/output.log";
  t.argv = tmpl.argv();
  t.created_mono = now;
  if (tmpl.timeout_seconds) t.timeout_ms = *tmpl.timeout_seconds * 1000;
  t.grace_ms = tmpl.stop_timeout_seconds * 1000;
  // The consumer is known to the engine before the task can make its first receive.
  engine.track_consumer(t.rec.access_key_id, true);
  const std::string id = t.rec.id;
  by_key[t.rec.access_key_id] = id;
  const Token token = put_task(t);
  tasks.emplace(id, std::move(t));
  fx.launch_when_durable.emplace_back(token, id);
}

void Impl::launch_now(const std::string& id, Effects& fx) {
  auto it = tasks.find(id);
  if (it == tasks.end() || it->second.rec.state != TaskState::Pending) return;  // cancelled meanwhile
  Task& t = it->second;
  Svc* s = owner(t);
  if (!s || shutting_down) {
    cancel_pending(t);
    return;
  }
  runtime::TaskTemplate tmpl = s->spec.task;
  // Secrets are opened now, for this launch only: they live in the launch spec handed
  // to the runtime, never in the task record or the service spec.
  if (Status st = runtime::resolve_secret_env(tmpl, cfg.secrets); !st.ok()) {
    runtime::TaskExited fail;
    fail.task_id = id;
    fail.reason = "LaunchFailed";
    fail.message = st.error().message;
    fail.ended_ms = wall_ms();
    handle_exit(fail, fx);
    return;
  }
  const std::string dir = task_dir(id);
  runtime::TaskEnvContext ctx;
  ctx.task_path = cfg.task_path;
  ctx.home = tmpl.working_dir.empty() ? dir + "/work" : tmpl.working_dir;  // §4.6 step 7
  ctx.endpoint_url = cfg.endpoint_url;
  ctx.ca_bundle = cfg.ca_bundle;
  ctx.region = cfg.region;
  ctx.account = cfg.account;
  ctx.credentials = {t.rec.access_key_id, t.rec.secret_access_key};
  ctx.task_id = id;
  ctx.service = s->name();
  ctx.queue_name = s->spec.scaling.triggers.empty() ? "" : s->spec.scaling.triggers.front().queue;
  runtime::LaunchSpec spec;
  spec.task_id = id;
  spec.argv = t.argv;
  spec.env = runtime::build_task_env(tmpl, ctx);
  spec.work_dir = tmpl.working_dir.empty() ? dir + "/work" : tmpl.working_dir;
  spec.own_work_dir = tmpl.working_dir.empty();
  spec.uid = cfg.task_uid;
  spec.gid = cfg.task_gid;
  spec.allow_root = cfg.allow_root_tasks;
  spec.log_path = t.rec.log_path;
  spec.limits.memory_bytes = tmpl.memory_bytes;
  spec.limits.cpu_millis = tmpl.cpu_millis;
  t.rec.state = TaskState::Starting;
  put_task(t);
  fx.launches.push_back(std::move(spec));
  s->task_starts++;
  task_starts++;
}

void Impl::retire(Svc& s, const std::string& id, const std::string& reason, int64_t now, Effects& fx) {
  auto it = tasks.find(id);
  if (it == tasks.end()) return;
  Task& t = it->second;
  switch (t.rec.state) {
    case TaskState::Pending:
      cancel_pending(t);
      return;
    case TaskState::Starting:
      stop_task(t, &s, reason, fx);
      return;
    case TaskState::Running: {
      // §5.3 / A7: stop handing it messages first, then look at its leases, so no
      // receive can slip in between the look and the SIGTERM.
      engine.set_consumer_draining(t.rec.access_key_id, true);
      std::optional<ConsumerLeases> cl = engine.consumer_leases(t.rec.access_key_id);
      if (!cl || cl->leases == 0) {
        stop_task(t, &s, reason, fx);
        return;
      }
      t.rec.state = TaskState::Draining;
      t.drain_since_mono = now;
      t.drain_reason = reason;
      put_task(t);
      add_event(s, false, "Draining",
                "task " + id + " holds " + std::to_string(cl->leases) + " lease(s): draining (" + stop_text(reason) + ")");
      return;
    }
    default:
      return;
  }
}

void Impl::stop_task(Task& t, Svc* s, const std::string& reason, Effects& fx) {
  if (!t.alive() || t.rec.state == TaskState::Stopping) return;
  if (t.rec.state == TaskState::Pending) {
    cancel_pending(t);  // `t` is gone
    return;
  }
  t.rec.state = TaskState::Stopping;
  t.rec.stop_requested_ms = wall_ms();
  t.rec.stop_reason = reason;
  put_task(t);
  fx.stops.emplace_back(t.rec.id, t.grace_ms);
  if (s)
    add_event(*s, false, "Stopping",
              "stopping task " + t.rec.id + " (" + stop_text(reason) + "): SIGTERM, SIGKILL after " + seconds_text(t.grace_ms));
}

void Impl::return_to_service(Svc& s, Task& t) {
  engine.set_consumer_draining(t.rec.access_key_id, false);
  t.rec.state = TaskState::Running;
  t.drain_reason.clear();
  put_task(t);
  add_event(s, false, "ReturnedToService",
            "task " + t.rec.id + " returned to service (desired " + std::to_string(s.state.desired) + ")");
}

void Impl::cancel_pending(Task& t) {
  engine.track_consumer(t.rec.access_key_id, false);
  delete_task(t.rec.id);
}

// ---------------------------------------------------------------------------------
// Runtime events

void Impl::handle_started(const runtime::TaskStarted& st, Effects& fx) {
  auto it = tasks.find(st.task_id);
  if (it == tasks.end() || !it->second.alive()) {
    fx.stops.emplace_back(st.task_id, kOrphanGraceMs);  // nobody wants it (any more)
    return;
  }
  Task& t = it->second;
  t.rec.pid = st.pid;
  t.rec.start_ticks = st.start_ticks;
  t.rec.cgroup = st.cgroup;
  t.rec.started_ms = st.started_ms ? st.started_ms : wall_ms();
  t.started_mono = mono_ms();
  Svc* s = owner(t);
  if (t.rec.state == TaskState::Pending || t.rec.state == TaskState::Starting) {
    t.rec.state = TaskState::Running;
    if (s) {
      add_event(*s, false, "TaskStarted", "task " + t.rec.id + " started (pid " + std::to_string(st.pid) + ")");
      s->dirty = true;
    }
  }
  put_task(t);
  // A stop that raced the launch (the runtime may not have known the id yet).
  if (t.rec.state == TaskState::Stopping) fx.stops.emplace_back(t.rec.id, t.grace_ms);
  else if (!s) stop_task(t, nullptr, "Deleted", fx);
  fx.wake = true;
}

void Impl::handle_exit(const runtime::TaskExited& e, Effects& fx) {
  auto it = tasks.find(e.task_id);
  if (it == tasks.end() || !it->second.alive()) return;  // unknown, or reported twice
  Task& t = it->second;
  const int64_t now = mono_ms();
  const bool never_ran = e.reason == "LaunchFailed";
  std::optional<int64_t> lived;
  if (t.started_mono && !never_ran) lived = now - *t.started_mono;
  const bool requested = t.rec.stop_requested_ms != 0;
  if (e.pid) t.rec.pid = e.pid;
  t.rec.exit_code = e.exit_code;
  t.rec.signal = e.signal;
  t.rec.reason = e.reason;
  t.rec.message = e.message;
  t.rec.cpu_seconds = e.cpu_seconds;
  t.rec.peak_rss_bytes = e.peak_rss_bytes;
  t.rec.ended_ms = e.ended_ms ? e.ended_ms : wall_ms();
  const bool killed_by_us = requested && planned_stop(t.rec.stop_reason) && (e.signal == SIGTERM || e.signal == SIGKILL);
  if (e.reason == "Lost") t.rec.state = TaskState::Lost;
  else if (e.exit_code == 0 || killed_by_us) t.rec.state = TaskState::Succeeded;
  else t.rec.state = TaskState::Failed;
  const bool failed = t.rec.state != TaskState::Succeeded;
  engine.track_consumer(t.rec.access_key_id, false);
  by_key.erase(t.rec.access_key_id);
  task_exits++;
  if (failed) task_failures++;
  fx.wake = true;
  Svc* s = owner(t);
  if (!s) {
    delete_task(t.rec.id);
    return;
  }
  s->task_exits++;
  if (failed) s->task_failures++;
  const std::string id = t.rec.id;
  if (never_ran) {
    add_event(*s, true, "LaunchFailed", "task " + id + " could not start: " + e.message);
  } else if (e.reason == "Lost") {
    add_event(*s, true, "TaskLost", "task " + id + " lost: " + e.message);
  } else {
    std::string how = e.signal ? "killed by signal " + std::to_string(e.signal) : "exited with code " + std::to_string(e.exit_code);
    std::string msg = "task " + id + " " + how + " (" + e.reason + ")";
    if (lived) msg += " after " + seconds_text(*lived);
    if (requested) msg += ", stop requested: " + stop_text(t.rec.stop_reason);
    if (!e.message.empty()) msg += ": " + e.message;
    add_event(*s, failed, "TaskExited", msg);
  }
  // §5.4: replacement follows from the count; short lives delay it.
  if (lived && *lived >= kResetLifeMs) {
    s->backoff.reset();
  } else if (!requested && !shutting_down && e.reason != "Lost" && s->backoff.on_task_end(lived, t.created_mono, now)) {
    add_event(*s, true, "BackOff",
              "restarting in " + seconds_text(s->backoff.delay_ms) + ": task " + id +
                  (lived ? " lived only " + seconds_text(*lived) : std::string(" did not start")));
  }
  put_task(t);
  s->dirty = true;
  prune_finished(*s);
}

}  // namespace ebb::service

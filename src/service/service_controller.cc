// ServiceController: construction, records, loading, restart (re-adoption), the API
// commands and the runtime listener. Evaluation and actuation are in
// service_actuation.cc, views in service_views.cc.
#include "service/service_controller.h"

#include <cstdio>
#include <filesystem>

#include "service/controller_state.h"
#include "service/service_events.h"

namespace ebb::service {

using nlohmann::json;
using runtime::TaskState;

namespace {

std::optional<int64_t> opt_int(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

json opt_json(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }

bool parse_reason(const std::string& s, scale::Reason& out) {
  using R = scale::Reason;
  for (R r : {R::None, R::ScaleOut, R::ScaleIn, R::Activated, R::Deactivated, R::WithinTolerance,
              R::CooldownDeferred, R::HeldByWindow, R::CappedAtMax, R::CappedAtGroups, R::ScaleInDisabled,
              R::Paused, R::ManualOverride, R::BoundsChanged}) {
    if (s == scale::to_string(r)) {
      out = r;
      return true;
    }
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------
// Impl basics

ServiceController::Impl::Impl(Clock& c, Engine& e, Committer& cm, runtime::Runtime& r, ControllerConfig cf)
    : clock(c), engine(e), committer(cm), runtime(r), cfg(std::move(cf)), gate(std::make_shared<Gate>()) {
  gate->impl = this;
}

int64_t ServiceController::Impl::mono_ms() const {
  return std::chrono::duration_cast<Millis>(clock.mono_now() - MonoTime{}).count();
}

std::string ServiceController::Impl::task_dir(const std::string& id) const {
  std::string base = cfg.data_dir;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return (base.empty() ? std::string("tasks/") : base + "/tasks/") + id;
}

Token ServiceController::Impl::put_service(const Svc& s) {
  json replacing = json::array();
  for (auto& [id, t] : tasks)
    if (t.outdated && t.alive() && !t.detached && t.rec.owner_name == s.name()) replacing.push_back(id);
  json state = {{"desired", s.state.desired},
                {"paused", s.paused},
                {"minTasks", opt_json(s.min_override)},
                {"maxTasks", opt_json(s.max_override)},
                {"createdMs", s.created_ms},
                {"lastScaleMs", s.last_scale_ms},
                {"lastReason", scale::to_string(s.last_reason)},
                {"backoffDelayMs", s.backoff.delay_ms},
                {"replacing", std::move(replacing)}};
  json value = {{"doc", s.spec.doc}, {"state", std::move(state)}};
  last_token = committer.append(op::PutRecord{"service", s.name(), value.dump()});
  return last_token;
}

Token ServiceController::Impl::put_task(const Task& t) {
  last_token = committer.append(op::PutRecord{"task", t.rec.id, runtime::to_json(t.rec).dump()});
  return last_token;
}

void ServiceController::Impl::delete_task(const std::string& id) {
  auto it = tasks.find(id);
  if (it == tasks.end()) return;
  last_token = committer.append(op::DeleteRecord{"task", id});
  by_key.erase(it->second.rec.access_key_id);
  tasks.erase(it);
  // The task's directory (logs, work dir) goes with its record. Only when a data dir
  // is configured: a relative "tasks/<id>" must never be removed from the cwd.
  if (!cfg.data_dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(task_dir(id), ec);
  }
}

void ServiceController::Impl::add_event(Svc& s, bool warning, const std::string& reason, const std::string& message,
                                        std::optional<json> inputs) {
  json e = make_event(wall_ms(), warning, reason, s.object(), message, std::move(inputs));
  char seq[16];
  std::snprintf(seq, sizeof seq, "%012llu", static_cast<unsigned long long>(s.next_seq++));
  std::string key = s.name() + "/" + seq;
  last_token = committer.append(op::PutRecord{"event", key, e.dump()});
  s.events.push_back(std::move(e));
  s.event_keys.push_back(std::move(key));
  while (s.events.size() > cfg.events_kept) {
    last_token = committer.append(op::DeleteRecord{"event", s.event_keys.front()});
    s.events.pop_front();
    s.event_keys.pop_front();
  }
}

void ServiceController::Impl::prune_finished(Svc& s) {
  std::vector<const Task*> done;
  for (auto& [_, t] : tasks)
    if (!t.alive() && !t.detached && t.rec.owner_name == s.name()) done.push_back(&t);
  if (done.size() <= cfg.finished_tasks_kept) return;
  std::sort(done.begin(), done.end(), [](const Task* a, const Task* b) {
    return std::tie(a->rec.ended_ms, a->rec.created_ms, a->rec.id) < std::tie(b->rec.ended_ms, b->rec.created_ms, b->rec.id);
  });
  std::vector<std::string> victims;
  for (size_t i = 0; i + cfg.finished_tasks_kept < done.size(); ++i) victims.push_back(done[i]->rec.id);
  for (const std::string& id : victims) delete_task(id);
}

Svc* ServiceController::Impl::owner(const Task& t) {
  if (t.detached || t.rec.owner_kind != "Service") return nullptr;
  auto it = services.find(t.rec.owner_name);
  return it == services.end() ? nullptr : &it->second;
}

std::vector<Task*> ServiceController::Impl::tasks_of(const std::string& service) {
  std::vector<Task*> out;
  for (auto& [_, t] : tasks)
    if (!t.detached && t.rec.owner_name == service) out.push_back(&t);
  return out;
}

void ServiceController::Impl::wake() {
  std::function<void()> f;
  {
    std::lock_guard lk(wake_mu);
    f = wake_fn;
  }
  if (f) f();
}

void ServiceController::Impl::run(Effects& fx) {
  for (auto& [id, grace] : fx.stops) runtime.stop(id, grace);
  for (const runtime::LaunchSpec& spec : fx.launches) runtime.launch(spec);
  for (auto& [token, id] : fx.launch_when_durable) {
    // reliability.md §2.7: the Pending record is durable before the launch is asked for.
    committer.when_durable(token, [g = gate, id = id](bool ok) {
      std::lock_guard glk(g->mu);
      if (!ok || !g->impl) return;
      Impl& im = *g->impl;
      Effects more;
      {
        std::lock_guard lk(im.mu);
        im.launch_now(id, more);
      }
      im.run(more);
    });
  }
  if (fx.wake) wake();
  fx = Effects{};
}

// ---------------------------------------------------------------------------------
// Restart: re-adoption (reliability.md §2.7)

void ServiceController::Impl::adopt(const runtime::Reconnected& rc, Effects& fx) {
  std::map<std::string, const runtime::LiveTask*> live;
  for (const auto& l : rc.live) live[l.task_id] = &l;
  std::map<std::string, const runtime::TaskExited*> exited;
  for (const auto& e : rc.exited) exited[e.task_id] = &e;
  const int64_t now = mono_ms();

  std::vector<std::string> ids;
  for (auto& [id, t] : tasks)
    if (t.alive()) ids.push_back(id);
  for (const std::string& id : ids) {
    Task& t = tasks.at(id);
    auto l = live.find(id);
    const bool same_process =
        l != live.end() && (t.rec.pid == 0 || (t.rec.pid == l->second->pid && t.rec.start_ticks == l->second->start_ticks));
    if (same_process) {
      const runtime::LiveTask& lt = *l->second;
      live.erase(l);
      t.rec.pid = lt.pid;
      t.rec.start_ticks = lt.start_ticks;
      if (!lt.cgroup.empty()) t.rec.cgroup = lt.cgroup;
      if (!t.started_mono) t.started_mono = t.rec.started_ms ? mono_from_wall(t.rec.started_ms) : now;
      if (t.rec.state == TaskState::Pending || t.rec.state == TaskState::Starting) t.rec.state = TaskState::Running;
      Svc* s = owner(t);
      if (lt.stopping && t.rec.state != TaskState::Stopping) {
        t.rec.state = TaskState::Stopping;
        if (t.rec.stop_reason.empty()) t.rec.stop_reason = "Shutdown";
        if (!t.rec.stop_requested_ms) t.rec.stop_requested_ms = wall_ms();
      }
      engine.track_consumer(t.rec.access_key_id, true);
      by_key[t.rec.access_key_id] = id;
      if (t.rec.state == TaskState::Draining) {
        engine.set_consumer_draining(t.rec.access_key_id, true);
        t.drain_since_mono = now;
        if (t.drain_reason.empty()) t.drain_reason = t.outdated ? "Replaced" : "ScaleIn";
      }
      if (!s) stop_task(t, nullptr, "Deleted", fx);
      put_task(t);
      continue;
    }
    if (l != live.end()) {
      // Same id, another process: not ours to trust. Stop it; ours is gone.
      fx.stops.emplace_back(id, t.grace_ms);
      live.erase(l);
    }
    if (auto e = exited.find(id); e != exited.end()) {
      handle_exit(*e->second, fx);
      continue;
    }
    runtime::TaskExited lost;
    lost.task_id = id;
    lost.pid = t.rec.pid;
    lost.reason = "Lost";
    lost.message = t.rec.state == TaskState::Pending ? "ebb restarted before the task was launched"
                                                     : "ebb restarted and the process was gone";
    lost.ended_ms = wall_ms();
    handle_exit(lost, fx);
  }
  // Tasks the runtime runs whose record here is finished: stop them. Ids this
  // controller never knew belong to another controller sharing the launcher (Jobs).
  for (auto& [id, lt] : live)
    if (tasks.count(id)) fx.stops.emplace_back(id, kOrphanGraceMs);
  for (auto& [_, s] : services) s.dirty = true;
}

// ---------------------------------------------------------------------------------
// ServiceController

ServiceController::ServiceController(Clock& clock, Engine& engine, Committer& committer, runtime::Runtime& runtime,
                                     ControllerConfig cfg)
    : impl_(std::make_unique<Impl>(clock, engine, committer, runtime, std::move(cfg))) {
  impl_->caps = runtime.capabilities();
}

ServiceController::~ServiceController() {
  std::lock_guard glk(impl_->gate->mu);
  impl_->gate->impl = nullptr;
}

void ServiceController::load(const std::vector<RecordRow>& records) {
  Impl& im = *impl_;
  std::lock_guard lk(im.mu);
  std::map<std::string, std::vector<std::string>> replacing;
  for (const RecordRow& r : records) {
    if (r.kind != "service") continue;
    json v = json::parse(r.value, nullptr, false);
    if (v.is_discarded() || !v.contains("doc")) continue;
    Result<ServiceSpec> spec = parse_service(v["doc"]);
    if (!spec) continue;
    Svc s;
    s.spec = std::move(*spec);
    const json st = v.value("state", json::object());
    // The history is not persisted: scale::evaluate seeds it with the restored N, so N
    // is held for W after a restart unless demand is higher.
    s.state.desired = st.value("desired", s.spec.scaling.min_tasks);
    s.paused = st.value("paused", s.spec.paused);
    s.min_override = opt_int(st, "minTasks");
    s.max_override = opt_int(st, "maxTasks");
    s.created_ms = st.value("createdMs", im.wall_ms());
    s.last_scale_ms = st.value("lastScaleMs", int64_t{0});
    parse_reason(st.value("lastReason", std::string("None")), s.last_reason);
    s.backoff.delay_ms = st.value("backoffDelayMs", int64_t{0});
    s.queue_missing.assign(s.spec.scaling.triggers.size(), false);
    if (st.contains("replacing") && st["replacing"].is_array())
      for (const json& id : st["replacing"])
        if (id.is_string()) replacing[s.name()].push_back(id.get<std::string>());
    std::string name = s.name();
    im.services.emplace(name, std::move(s));
  }
  for (const RecordRow& r : records) {
    if (r.kind != "task") continue;
    json v = json::parse(r.value, nullptr, false);
    runtime::TaskRecord rec;
    std::string error;
    if (v.is_discarded() || !runtime::from_json(v, rec, error) || rec.owner_kind != "Service") continue;
    Task t;
    t.rec = std::move(rec);
    t.created_mono = im.mono_from_wall(t.rec.created_ms);
    if (t.rec.started_ms && t.alive()) t.started_mono = im.mono_from_wall(t.rec.started_ms);
    auto sit = im.services.find(t.rec.owner_name);
    if (sit == im.services.end()) {
      t.detached = true;
    } else {
      const runtime::TaskTemplate& tmpl = sit->second.spec.task;
      t.argv = tmpl.argv();
      if (tmpl.timeout_seconds) t.timeout_ms = *tmpl.timeout_seconds * 1000;
      t.grace_ms = tmpl.stop_timeout_seconds * 1000;
      const auto& rep = replacing[t.rec.owner_name];
      t.outdated = std::find(rep.begin(), rep.end(), t.rec.id) != rep.end();
    }
    if (t.rec.state == TaskState::Draining) t.drain_reason = t.outdated ? "Replaced" : "ScaleIn";
    std::string id = t.rec.id;
    const bool forget = t.detached && !t.alive();
    if (t.alive()) im.by_key[t.rec.access_key_id] = id;
    im.tasks.emplace(id, std::move(t));
    if (forget) im.delete_task(id);
  }
  for (const RecordRow& r : records) {
    if (r.kind != "event") continue;
    const size_t slash = r.key.rfind('/');
    if (slash == std::string::npos) continue;
    auto sit = im.services.find(r.key.substr(0, slash));
    if (sit == im.services.end()) continue;
    json e = json::parse(r.value, nullptr, false);
    if (e.is_discarded()) continue;
    Svc& s = sit->second;
    s.events.push_back(std::move(e));
    s.event_keys.push_back(r.key);
    s.next_seq = std::max<uint64_t>(s.next_seq, std::strtoull(r.key.c_str() + slash + 1, nullptr, 10) + 1);
  }
  for (auto& [_, s] : im.services) {
    while (s.events.size() > im.cfg.events_kept) {
      im.last_token = im.committer.append(op::DeleteRecord{"event", s.event_keys.front()});
      s.events.pop_front();
      s.event_keys.pop_front();
    }
    im.prune_finished(s);
  }
}

Status ServiceController::start() {
  Impl& im = *impl_;
  {
    std::lock_guard lk(im.mu);
    if (im.started) return {};
  }
  Result<runtime::Reconnected> rc = im.runtime.start(this);
  if (!rc) return rc.error();
  Effects fx;
  {
    std::lock_guard lk(im.mu);
    im.caps = im.runtime.capabilities();
    im.adopt(*rc, fx);
    im.started = true;
    im.runtime_ok = true;
    fx.wake = true;
  }
  im.run(fx);
  return {};
}

void ServiceController::shutdown(bool stop_tasks, Millis wait) {
  Impl& im = *impl_;
  Effects fx;
  {
    std::lock_guard lk(im.mu);
    im.shutting_down = true;
    std::vector<std::string> ids;
    for (auto& [id, t] : im.tasks)
      if (t.alive()) ids.push_back(id);
    for (const std::string& id : ids) {
      Task& t = im.tasks.at(id);
      if (t.rec.state == TaskState::Pending) {
        im.cancel_pending(t);  // never launched: nothing to stop or re-adopt
      } else if (stop_tasks) {
        im.stop_task(t, im.owner(t), "Shutdown", fx);
      }
    }
  }
  im.run(fx);
  im.runtime.shutdown(stop_tasks);
  if (!stop_tasks) return;
  std::unique_lock lk(im.mu);
  im.exited_cv.wait_for(lk, wait, [&] {
    for (auto& [_, t] : im.tasks)
      if (t.alive()) return false;
    return true;
  });
}

Result<std::pair<std::string, Token>> ServiceController::apply(const json& validated_doc,
                                                               std::vector<std::string>& warnings) {
  Result<ServiceSpec> parsed = parse_service(validated_doc);
  if (!parsed) return parsed.error();
  ServiceSpec spec = std::move(*parsed);
  const std::string name = spec.name;
  Impl& im = *impl_;
  std::string action;
  Token token = 0;
  {
    std::lock_guard lk(im.mu);
    for (const scale::Trigger& tr : spec.scaling.triggers) {
      if (!im.engine.queue_exists(tr.queue).ok())
        warnings.push_back("queue " + tr.queue + " does not exist: its backlog counts as 0 until it is created");
      for (auto& [other, s] : im.services) {
        if (other == spec.name) continue;
        for (const scale::Trigger& o : s.spec.scaling.triggers)
          if (o.queue == tr.queue)
            warnings.push_back("queue " + tr.queue + " also feeds service " + other +
                               " (each service sees the full backlog)");
      }
    }
    const int64_t now = im.mono_ms();
    auto it = im.services.find(spec.name);
    if (it == im.services.end()) {
      Svc s;
      s.spec = std::move(spec);
      s.paused = s.spec.paused;
      s.created_ms = im.wall_ms();
      s.state.desired = s.spec.scaling.min_tasks;
      s.queue_missing.assign(s.spec.scaling.triggers.size(), false);
      Svc& ref = im.services.emplace(name, std::move(s)).first->second;
      token = im.put_service(ref);
      action = "created";
    } else if (it->second.spec.doc == spec.doc) {
      return std::make_pair(std::string("unchanged"), Token{0});
    } else {
      Svc& s = it->second;
      const ServiceSpec old = std::move(s.spec);
      s.spec = std::move(spec);
      if (old.scaling.min_tasks != s.spec.scaling.min_tasks) s.min_override.reset();
      if (old.scaling.max_tasks != s.spec.scaling.max_tasks) s.max_override.reset();
      if (old.paused != s.spec.paused) s.paused = s.spec.paused;
      s.queue_missing.assign(s.spec.scaling.triggers.size(), false);
      if (old.template_json() != s.spec.template_json()) {
        // Rolling update (autoscaling.md §4.4 step 5): every task of the old template
        // is replaced; reconcile() retires them and starts new ones.
        for (Task* t : im.tasks_of(s.name()))
          if (t->alive()) t->outdated = true;
        im.add_event(s, false, "RollingUpdate", "template changed: replacing the service's tasks");
      }
      const scale::Config cfg = im.effective_config(s);
      im.record_decision(s, cfg, scale::apply_bounds(cfg, s.state, now), now);
      token = im.put_service(s);
      action = "configured";
    }
    Svc& s = im.services.at(name);
    s.dirty = s.edited = true;
  }
  im.wake();
  return std::make_pair(action, token);
}

Result<Token> ServiceController::remove(const std::string& name) {
  Impl& im = *impl_;
  Effects fx;
  Token token;
  {
    std::lock_guard lk(im.mu);
    auto it = im.services.find(name);
    if (it == im.services.end()) return err(Code::NotFound, "service/" + name + " not found");
    Svc& s = it->second;
    // Design: the service record and its events go at once; its tasks get SIGTERM
    // (grace stopTimeoutSeconds, then SIGKILL) and are "detached": their records stay
    // until they exit and are deleted then. A service re-created under the same name
    // does not count them.
    for (Task* t : im.tasks_of(name)) {
      if (t->rec.state == TaskState::Pending) {
        im.cancel_pending(*t);
      } else if (!t->alive()) {
        im.delete_task(t->rec.id);
      } else {
        im.stop_task(*t, nullptr, "Deleted", fx);
        t->detached = true;
      }
    }
    for (const std::string& key : s.event_keys) im.committer.append(op::DeleteRecord{"event", key});
    im.services.erase(it);
    token = im.last_token = im.committer.append(op::DeleteRecord{"service", name});
  }
  im.run(fx);
  return token;
}

Result<Token> ServiceController::scale(const std::string& name, std::optional<int64_t> min, std::optional<int64_t> max) {
  Impl& im = *impl_;
  Token token;
  {
    std::lock_guard lk(im.mu);
    auto it = im.services.find(name);
    if (it == im.services.end()) return err(Code::NotFound, "service/" + name + " not found");
    Svc& s = it->second;
    const int64_t new_min = min ? *min : s.min_override.value_or(s.spec.scaling.min_tasks);
    const int64_t new_max = max ? *max : s.max_override.value_or(s.spec.scaling.max_tasks);
    if (new_min < 0) return err(Code::Invalid, "min: must be >= 0");
    if (new_max < 1) return err(Code::Invalid, "max: must be >= 1");
    if (new_min > new_max)
      return err(Code::Invalid, "min (" + std::to_string(new_min) + ") must not exceed max (" + std::to_string(new_max) + ")");
    if (min) s.min_override = *min;
    if (max) s.max_override = *max;
    const int64_t now = im.mono_ms();
    const scale::Config cfg = im.effective_config(s);
    im.record_decision(s, cfg, scale::apply_bounds(cfg, s.state, now), now);
    s.dirty = s.edited = true;
    token = im.put_service(s);
  }
  im.wake();
  return token;
}

Result<Token> ServiceController::set_paused(const std::string& name, bool paused) {
  Impl& im = *impl_;
  Token token;
  {
    std::lock_guard lk(im.mu);
    auto it = im.services.find(name);
    if (it == im.services.end()) return err(Code::NotFound, "service/" + name + " not found");
    Svc& s = it->second;
    if (s.paused != paused) {
      s.paused = paused;
      im.add_event(s, false, paused ? "Suspended" : "Resumed",
                   paused ? "paused: desired count frozen at " + std::to_string(s.state.desired)
                          : "resumed: the autoscaler decides again");
    }
    s.dirty = s.edited = true;
    token = im.put_service(s);
  }
  im.wake();
  return token;
}

MonoTime ServiceController::tick() {
  Impl& im = *impl_;
  bool reconnect = false;
  {
    std::lock_guard lk(im.mu);
    const int64_t now = im.mono_ms();
    if (!im.started || im.shutting_down) return MonoTime{} + Millis{now + 1000};
    reconnect = !im.runtime_ok && now >= im.reconnect_at;
  }
  Effects fx;
  if (reconnect) {
    // The launcher went away (on_runtime_lost): connect to a new one; its answer is
    // adopted like at start-up.
    Result<runtime::Reconnected> rc = im.runtime.start(this);
    std::lock_guard lk(im.mu);
    if (rc) {
      im.runtime_ok = true;
      im.adopt(*rc, fx);
    } else {
      im.reconnect_at = im.mono_ms() + kRuntimeRetryMs;
    }
  }
  int64_t next;
  {
    std::lock_guard lk(im.mu);
    next = im.tick_locked(fx);
    if (!im.runtime_ok) next = std::min(next, im.reconnect_at);
  }
  im.run(fx);
  return MonoTime{} + Millis{next};
}

void ServiceController::on_wakeup(std::function<void()> f) {
  std::lock_guard lk(impl_->wake_mu);
  impl_->wake_fn = std::move(f);
}

void ServiceController::notify_counts_changed() {
  int64_t none = Impl::kNoChange;
  impl_->first_change.compare_exchange_strong(none, impl_->mono_ms());
  impl_->counts_dirty.store(true);
  impl_->wake();
}

void ServiceController::on_started(const runtime::TaskStarted& s) {
  Effects fx;
  {
    std::lock_guard lk(impl_->mu);
    impl_->handle_started(s, fx);
  }
  impl_->run(fx);
}

void ServiceController::on_exited(const runtime::TaskExited& e) {
  Effects fx;
  {
    std::lock_guard lk(impl_->mu);
    impl_->handle_exit(e, fx);
  }
  impl_->exited_cv.notify_all();
  impl_->run(fx);
}

void ServiceController::on_runtime_lost(const std::string& why) {
  Impl& im = *impl_;
  {
    std::lock_guard lk(im.mu);
    im.runtime_ok = false;
    im.reconnect_at = im.mono_ms();
    for (auto& [_, s] : im.services) im.add_event(s, true, "RuntimeLost", "task runtime lost: " + why);
  }
  im.wake();
}

std::optional<std::string> ServiceController::task_secret(const std::string& access_key_id) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->by_key.find(access_key_id);
  if (it == impl_->by_key.end()) return std::nullopt;
  auto t = impl_->tasks.find(it->second);
  if (t == impl_->tasks.end() || !t->second.alive()) return std::nullopt;
  return t->second.rec.secret_access_key;
}

runtime::Capabilities ServiceController::capabilities() const {
  std::lock_guard lk(impl_->mu);
  return impl_->caps;
}

}  // namespace ebb::service

// JobController: records, loading, restart (re-adoption), decisions (reconcile),
// actions (create/launch/terminate attempts) and runtime events. Views are in
// job_views.cc. Every Impl function runs under Impl::mu unless it says otherwise.
#include "sched/job_controller.h"

#include "base/rfc3339.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "base/crypto.h"
#include "runtime/task_template.h"
#include "sched/job_state.h"

namespace ebb::sched {

using nlohmann::json;
using runtime::TaskState;
using Impl = JobController::Impl;

namespace {

// "<job>[-<index>]-<8 hex>": [A-Za-z0-9-], at most 64 characters (runtime.h LaunchSpec).
std::string task_id_prefix(const std::string& job) {
  std::string p;
  for (char c : job) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    p.push_back(ok ? c : '-');
    if (p.size() == 44) break;
  }
  return p;
}

void set_env(std::vector<std::string>& env, const std::string& name, const std::string& value) {
  const std::string prefix = name + "=";
  for (std::string& kv : env)
    if (kv.rfind(prefix, 0) == 0) {
      kv = prefix + value;
      return;
    }
  env.push_back(prefix + value);
}

json condition(const std::string& type, const std::string& status, const std::string& reason,
               const std::string& message, int64_t wall) {
  return {{"type", type},
          {"status", status},
          {"reason", reason},
          {"message", message},
          {"lastProbeTime", job_time_s(wall)},
          {"lastTransitionTime", job_time_s(wall)}};
}

// Sets (or updates) the condition of `type`; lastTransitionTime moves only when the
// status changes.
void set_condition(json& conds, const std::string& type, const std::string& status, const std::string& reason,
                   const std::string& message, int64_t wall) {
  for (json& c : conds) {
    if (c.value("type", "") != type) continue;
    const bool changed = c.value("status", "") != status;
    json n = condition(type, status, reason, message, wall);
    if (!changed) n["lastTransitionTime"] = c.value("lastTransitionTime", job_time_s(wall));
    c = std::move(n);
    return;
  }
  conds.push_back(condition(type, status, reason, message, wall));
}


}  // namespace

std::string job_time_ms(int64_t wall_ms) { return rfc3339_ms(wall_ms); }
std::string job_time_s(int64_t wall_ms) { return rfc3339_s(wall_ms); }

// ---------------------------------------------------------------------------------
// Impl basics and records

Impl::Impl(Clock& c, Committer& cm, runtime::Runtime& r, JobControllerConfig cf)
    : clock(c), committer(cm), runtime(r), cfg(std::move(cf)), gate(std::make_shared<Gate>()) {
  gate->impl = this;
}

int64_t Impl::mono_ms() const {
  return std::chrono::duration_cast<Millis>(clock.mono_now() - MonoTime{}).count();
}

std::string Impl::task_dir(const std::string& id) const {
  std::string base = cfg.data_dir;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return (base.empty() ? std::string("tasks/") : base + "/tasks/") + id;
}

Job* Impl::owner(const Attempt& a) {
  if (a.detached) return nullptr;
  auto it = jobs.find(a.rec.owner_name);
  return it == jobs.end() ? nullptr : &it->second;
}

void Impl::put_job(const Job& j) { dirty_jobs.insert(j.name()); }

void Impl::put_attempt(const Attempt& a) { dirty_attempts.insert(a.rec.id); }

void Impl::write_job(const Job& j) {
  json fails = json::array();
  for (auto& [i, f] : j.idx_fail)
    fails.push_back({{"index", i},
                     {"failures", f.failures},
                     {"consecutive", f.consecutive},
                     {"untilMs", f.until ? wall_from_mono(f.until) : 0}});
  json state = {{"suspended", j.suspended},
                {"startMs", j.start_ms ? json(*j.start_ms) : json(nullptr)},
                {"finished", j.finished},
                {"complete", j.complete},
                {"finishMs", j.finish_ms},
                {"succeeded", j.succeeded},
                {"failed", j.failed},
                {"anySuccess", j.any_success},
                {"consecutive", j.consecutive},
                {"backoffUntilMs", j.backoff_until ? wall_from_mono(j.backoff_until) : 0},
                {"conditions", j.conditions},
                {"completedIndexes", j.succeeded_idx.to_string()},
                {"failedIndexes", j.failed_idx.to_string()},
                {"indexFailures", std::move(fails)}};
  json value = {{"doc", j.spec.doc}, {"owner", j.owner}, {"createdMs", j.created_ms}, {"state", std::move(state)}};
  ops.push_back(op::PutRecord{"job", j.name(), value.dump()});
}

void Impl::write_attempt(const Attempt& a) {
  json v = runtime::to_json(a.rec);
  v["jobIndex"] = a.index;
  v["restartCount"] = a.restarts;
  v["outcome"] = a.outcome;
  v["argv"] = a.argv;
  v["waitingRestart"] = a.waiting_restart;
  v["restartAtMs"] = a.waiting_restart ? wall_from_mono(a.restart_at) : 0;
  ops.push_back(op::PutRecord{"task", a.rec.id, v.dump()});
}

void Impl::delete_attempt(const std::string& id, Effects& fx) {
  auto it = attempts.find(id);
  if (it == attempts.end()) return;
  ops.push_back(op::DeleteRecord{"task", id});
  attempts.erase(it);
  // Only with a configured data dir: a relative "tasks/<id>" is never removed from the cwd.
  if (!cfg.data_dir.empty()) fx.remove_dirs.push_back(task_dir(id));
}

void Impl::add_event(Job& j, bool warning, const std::string& reason, const std::string& message) {
  const int64_t wall = wall_ms();
  json e = {{"time", job_time_ms(wall)}, {"timeMs", wall},     {"type", warning ? "Warning" : "Normal"},
            {"reason", reason},          {"object", j.object()}, {"message", message}};
  char seq[16];
  std::snprintf(seq, sizeof seq, "%012llu", static_cast<unsigned long long>(j.next_seq++));
  std::string key = j.name() + "/" + seq;
  ops.push_back(op::PutRecord{"jobevent", key, e.dump()});
  j.events.push_back(std::move(e));
  j.event_keys.push_back(std::move(key));
  while (j.events.size() > cfg.events_kept) {
    ops.push_back(op::DeleteRecord{"jobevent", j.event_keys.front()});
    j.events.pop_front();
    j.event_keys.pop_front();
  }
}

Token Impl::flush(Effects& fx) {
  Token t = 0;
  // Records changed since the last flush, each written once with its final state
  // (an exit that creates the replacement touches its Job twice, for example).
  // After `ops`: a record deleted meanwhile is gone from the maps and skipped, one
  // deleted and written again ends written.
  for (const std::string& name : dirty_jobs)
    if (auto it = jobs.find(name); it != jobs.end()) write_job(it->second);
  for (const std::string& id : dirty_attempts)
    if (auto it = attempts.find(id); it != attempts.end()) write_attempt(it->second);
  dirty_jobs.clear();
  dirty_attempts.clear();
  if (!ops.empty()) {
    t = committer.append_all(std::move(ops));
    ops.clear();
  }
  if (!fx.launch_ids.empty()) {
    fx.launch_when_durable.emplace_back(t, std::move(fx.launch_ids));
    fx.launch_ids.clear();
  }
  return t;
}

void Impl::wake() {
  std::function<void()> f;
  {
    std::lock_guard lk(wake_mu);
    f = wake_fn;
  }
  if (f) f();
}

// Not under mu.
void Impl::run(Effects& fx) {
  for (auto& [id, grace] : fx.stops) runtime.stop(id, grace);
  for (const runtime::LaunchSpec& spec : fx.launches) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(spec.log_path).parent_path(), ec);
    runtime.launch(spec);
  }
  for (const std::string& dir : fx.remove_dirs) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  for (auto& [token, ids] : fx.launch_when_durable) {
    // reliability.md §2.7: the attempt record is durable before its launch is asked
    // for; one wait covers every attempt created by the same decision.
    committer.when_durable(token, [g = gate, ids = std::move(ids)](bool ok) {
      std::lock_guard glk(g->mu);
      if (!ok || !g->impl) return;
      Impl& im = *g->impl;
      Effects more;
      {
        std::lock_guard lk(im.mu);
        for (const std::string& id : ids) im.launch_now(id, more);
        im.flush(more);
      }
      im.run(more);
    });
  }
  if (fx.wake) wake();
  fx = Effects{};
}

// ---------------------------------------------------------------------------------
// Decisions and actions

void Impl::create_job(JobSpec spec, const std::string& own) {
  Job j;
  j.spec = std::move(spec);
  j.owner = own;
  j.created_ms = wall_ms();
  j.suspended = j.spec.suspend;
  std::string name = j.name();
  Job& ref = jobs.emplace(name, std::move(j)).first->second;
  if (ref.suspended) {
    set_condition(ref.conditions, "Suspended", "True", "JobSuspended", "Job suspended", wall_ms());
    add_event(ref, false, "Suspended", "Job suspended");
  }
  put_job(ref);
}

void Impl::set_suspend(Job& j, bool suspend, Effects& fx) {
  j.spec.suspend = suspend;
  // The document says what was asked (an unchanged re-apply stays "unchanged").
  if (j.spec.doc.contains("spec") && j.spec.doc["spec"].value("suspend", false) != suspend)
    j.spec.doc["spec"]["suspend"] = suspend;
  j.dirty = true;
  fx.wake = true;
  if (j.finished || j.suspended == suspend) return;
  j.suspended = suspend;
  const int64_t wall = wall_ms();
  if (suspend) {
    // §6.8: active attempts are terminated (not counted); the deadline clock stops.
    std::vector<std::string> ids(j.alive.begin(), j.alive.end());
    for (const std::string& id : ids) terminate(j, attempts.at(id), "Suspended", fx);
    set_condition(j.conditions, "Suspended", "True", "JobSuspended", "Job suspended", wall);
    add_event(j, false, "Suspended", "Job suspended");
  } else {
    // Resuming resets startTime (Kubernetes): activeDeadlineSeconds counts active time.
    j.start_ms = wall;
    j.start_mono = mono_ms();
    set_condition(j.conditions, "Suspended", "False", "JobResumed", "Job resumed", wall);
    add_event(j, false, "Resumed", "Job resumed");
  }
}

void Impl::create_attempt(Job& j, int64_t index, Effects& fx) {
  Attempt a;
  const std::string prefix = task_id_prefix(j.name()) + (index >= 0 ? "-" + std::to_string(index) : "");
  do {
    a.rec.id = prefix + "-" + hex_encode(random_bytes(4));
  } while (attempts.count(a.rec.id));
  const runtime::TaskCredentials cred = runtime::new_task_credentials();
  a.rec.owner_kind = "Job";
  a.rec.owner_name = j.name();
  a.rec.state = TaskState::Pending;
  a.rec.access_key_id = cred.access_key_id;
  a.rec.secret_access_key = cred.secret_access_key;
  a.rec.cpu_millis = j.spec.task.cpu_millis;
  a.rec.memory_bytes = j.spec.task.memory_bytes;
  a.rec.created_ms = wall_ms();
  a.rec.log_path = task_dir(a.rec.id) + "/output.log";
  a.index = index;
  a.argv = j.spec.task.argv();
  const std::string id = a.rec.id;
  put_attempt(a);
  attempts.emplace(id, std::move(a));
  j.alive.insert(id);
  if (index >= 0) j.active_idx[index] = id;
  fx.launch_ids.push_back(id);
  add_event(j, false, "SuccessfulCreate", "Created pod: " + id);
}

void Impl::launch_now(const std::string& id, Effects& fx) {
  auto it = attempts.find(id);
  if (it == attempts.end()) return;  // cancelled meanwhile
  Attempt& a = it->second;
  if (a.rec.state != TaskState::Pending || a.waiting_restart || shutting_down) return;
  Job* j = owner(a);
  if (!j || j->finished || j->suspended) return;  // terminate() already dealt with it
  const JobSpec& s = j->spec;
  const std::string index_text = a.index >= 0 ? std::to_string(a.index) : "";

  // Container env (ecosystem.md §3.6), resolved per attempt; `$(VAR)` in values sees
  // the variables defined before it (Kubernetes).
  runtime::TaskTemplate t = s.task;
  t.env.clear();
  std::map<std::string, std::string> defined;
  if (s.indexed) defined["JOB_COMPLETION_INDEX"] = index_text;
  auto lookup = [&](const std::string& n) -> const std::string* {
    auto d = defined.find(n);
    return d == defined.end() ? nullptr : &d->second;
  };
  for (const EnvSource& e : s.env) {
    std::string value;
    switch (e.kind) {
      case EnvSource::Kind::Value:
        value = expand_vars(e.value, lookup);
        break;
      case EnvSource::Kind::Secret: {
        // Opened for this attempt only (reliability.md §4.7): the value goes into the
        // launch spec, never into a record, an event or a status.
        std::optional<std::string> v = cfg.secrets ? cfg.secrets(e.ref_name, e.key) : std::nullopt;
        if (!v) {
          if (e.optional) continue;
          runtime::TaskExited fail;
          fail.task_id = id;
          fail.reason = "LaunchFailed";
          fail.message = "env " + e.name + ": key \"" + e.key + "\" of secret \"" + e.ref_name + "\" not found";
          fail.ended_ms = wall_ms();
          handle_exit(fail, fx);
          return;
        }
        value = std::move(*v);
        break;
      }
      case EnvSource::Kind::ConfigMap: {
        auto cm = config_maps.find(e.ref_name);
        const json* v = nullptr;
        // ebb extension: `$(VAR)` in the key is expanded like a value, so the seed
        // article's `key: source-$(JOB_COMPLETION_INDEX)` picks one key per index
        // (Kubernetes would look up the literal key; docs/jobs.md says so).
        const std::string key = expand_vars(e.key, lookup);
        if (cm != config_maps.end() && cm->second.is_object()) {
          auto k = cm->second.find(key);
          if (k != cm->second.end()) v = &*k;
        }
        if (!v) {
          if (e.optional) continue;
          // A launch-time configuration error (podFailurePolicy ConfigIssue).
          runtime::TaskExited fail;
          fail.task_id = id;
          fail.reason = "LaunchFailed";
          fail.message = cm == config_maps.end()
                             ? "env " + e.name + ": configmap \"" + e.ref_name + "\" not found"
                             : "env " + e.name + ": key \"" + key + "\" not found in configmap \"" + e.ref_name + "\"";
          fail.ended_ms = wall_ms();
          handle_exit(fail, fx);
          return;
        }
        value = v->is_string() ? v->get<std::string>() : v->dump();
        break;
      }
      case EnvSource::Kind::Field:
        if (e.field_path == "metadata.name") value = id;
        else if (e.field_path == "metadata.namespace") value = "default";
        else if (e.field_path.find(kCompletionIndexKey) != std::string::npos) value = index_text;
        break;
    }
    defined[e.name] = value;
    bool replaced = false;
    for (runtime::EnvVar& v : t.env)
      if (v.name == e.name) {
        v.value = value;
        replaced = true;
      }
    if (!replaced) t.env.push_back({e.name, value});
  }
  const std::string dir = task_dir(id);
  runtime::TaskEnvContext ctx;
  ctx.task_path = cfg.task_path;
  ctx.home = t.working_dir.empty() ? dir + "/work" : t.working_dir;  // §4.6 step 7
  ctx.endpoint_url = cfg.endpoint_url;
  ctx.ca_bundle = cfg.ca_bundle;
  ctx.region = cfg.region;
  ctx.account = cfg.account;
  ctx.credentials = {a.rec.access_key_id, a.rec.secret_access_key};
  ctx.task_id = id;
  runtime::LaunchSpec spec;
  spec.task_id = id;
  spec.env = runtime::build_task_env(t, ctx);
  if (s.indexed) set_env(spec.env, "JOB_COMPLETION_INDEX", index_text);
  set_env(spec.env, "EBB_JOB_NAME", j->name());
  set_env(spec.env, "EBB_TASK_NAME", s.indexed ? j->name() + "-" + index_text : id);
  // Run context handed down by the creator (CronJob/Schedule, scheduling.md §4.1):
  // annotations "ebb/env.EBB_*".
  const json ann = s.doc.value("metadata", json::object()).value("annotations", json::object());
  if (ann.is_object())
    for (auto& [k, v] : ann.items())
      if (k.rfind("ebb/env.EBB_", 0) == 0 && v.is_string()) set_env(spec.env, k.substr(8), v.get<std::string>());
  std::map<std::string, std::string> final_env;
  for (const std::string& kv : spec.env) {
    const size_t eq = kv.find('=');
    final_env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto final_lookup = [&](const std::string& n) -> const std::string* {
    auto d = final_env.find(n);
    return d == final_env.end() ? nullptr : &d->second;
  };
  a.argv.clear();
  for (const std::string& arg : t.argv()) a.argv.push_back(expand_vars(arg, final_lookup));
  spec.argv = a.argv;
  spec.work_dir = t.working_dir.empty() ? dir + "/work" : t.working_dir;
  spec.own_work_dir = t.working_dir.empty();
  // securityContext.runAsUser/runAsGroup (reliability.md §4.6); the launcher refuses
  // uid 0 without --allow-root-tasks. runAsUser alone keeps the task user's group,
  // or takes the uid as gid when there is no task user.
  spec.uid = s.run_as_user.value_or(cfg.task_uid);
  spec.gid = s.run_as_group ? *s.run_as_group
             : cfg.task_gid >= 0 || !s.run_as_user ? cfg.task_gid
                                                     : *s.run_as_user;
  spec.allow_root = cfg.allow_root_tasks;
  spec.log_path = a.rec.log_path;
  spec.limits.memory_bytes = t.memory_bytes;
  spec.limits.cpu_millis = t.cpu_millis;
  a.rec.state = TaskState::Starting;
  put_attempt(a);
  fx.launches.push_back(std::move(spec));
}

void Impl::release_index(Job& j, Attempt& a, bool retry) {
  if (a.index < 0) return;
  auto it = j.active_idx.find(a.index);
  if (it != j.active_idx.end() && it->second == a.rec.id) j.active_idx.erase(it);
  if (retry && !j.finished && !j.succeeded_idx.contains(a.index) && !j.failed_idx.contains(a.index))
    j.retry.insert(a.index);
}

void Impl::terminate(Job& j, Attempt& a, const std::string& reason, Effects& fx) {
  if (!a.alive() || a.stopping()) return;
  if (a.rec.state == TaskState::Pending) {
    const std::string id = a.rec.id;
    j.alive.erase(id);
    if (!a.waiting_restart && a.restarts == 0) {
      release_index(j, a, true);
      delete_attempt(id, fx);  // never launched: nothing to keep
      return;
    }
    a.waiting_restart = false;
    a.outcome = "Terminated";
    a.rec.state = TaskState::Failed;
    a.rec.stop_reason = reason;
    a.rec.ended_ms = wall_ms();
    release_index(j, a, true);
    put_attempt(a);
    return;
  }
  a.rec.state = TaskState::Stopping;
  a.rec.stop_requested_ms = wall_ms();
  a.rec.stop_reason = reason;
  put_attempt(a);
  fx.stops.emplace_back(a.rec.id, j.spec.grace_s * 1000);
  add_event(j, false, "SuccessfulDelete", "Deleted pod: " + a.rec.id + " (" + reason + ")");
}

void Impl::finish(Job& j, bool complete, const std::string& reason, const std::string& message, Effects& fx) {
  if (j.finished) return;
  const int64_t wall = wall_ms();
  j.finished = true;
  j.complete = complete;
  j.finish_ms = wall;
  j.finish_mono = mono_ms();
  j.retry.clear();
  if (complete) {
    set_condition(j.conditions, "SuccessCriteriaMet", "True", reason, message, wall);
    set_condition(j.conditions, "Complete", "True", reason, message, wall);
    add_event(j, false, "Completed", "Job completed");
  } else {
    set_condition(j.conditions, "FailureTarget", "True", reason, message, wall);
    set_condition(j.conditions, "Failed", "True", reason, message, wall);
    add_event(j, true, reason, message);
  }
  std::vector<std::string> ids(j.alive.begin(), j.alive.end());
  for (const std::string& id : ids) terminate(j, attempts.at(id), complete ? "JobComplete" : reason, fx);
  j.dirty = true;
  fx.wake = true;
}

void Impl::index_failed(Job& j, int64_t index, Effects& fx) {
  j.failed_idx.add(index);
  j.retry.erase(index);
  if (j.spec.max_failed_indexes && j.failed_idx.size() > *j.spec.max_failed_indexes)
    finish(j, false, "MaxFailedIndexesExceeded", "Job has exceeded the specified maximal number of failed indexes", fx);
}

void Impl::check_done(Job& j, Effects& fx) {
  if (j.finished || j.suspended) return;
  const JobSpec& s = j.spec;
  if (s.indexed) {
    if (j.succeeded_idx.size() + j.failed_idx.size() < *s.completions || !j.active_idx.empty()) return;
    if (j.failed_idx.empty()) finish(j, true, "CompletionsReached", "Reached expected number of succeeded pods", fx);
    else finish(j, false, "FailedIndexes", "Job has failed indexes", fx);
  } else if (s.work_queue()) {
    if (j.any_success && j.alive.empty())
      finish(j, true, "CompletionsReached", "Reached expected number of succeeded pods", fx);
  } else if (j.succeeded >= *s.completions && j.alive.empty()) {
    finish(j, true, "CompletionsReached", "Reached expected number of succeeded pods", fx);
  }
}

int64_t Impl::reconcile(Job& j, int64_t now, Effects& fx, std::vector<std::string>& to_delete) {
  j.dirty = false;
  int64_t next = kNever;
  const JobSpec& s = j.spec;
  if (!j.finished && !j.suspended) {
    if (!j.start_ms) {
      j.start_ms = wall_ms();
      j.start_mono = now;
      put_job(j);
    }
    // §6.8: the deadline wins over backoffLimit and over pending back-off.
    if (s.active_deadline_s) {
      const int64_t due = j.start_mono + *s.active_deadline_s * 1000;
      if (now >= due) {
        finish(j, false, "DeadlineExceeded", "Job was active longer than specified deadline", fx);
        put_job(j);
      } else {
        next = due;
      }
    }
  }
  if (j.finished) {
    if (s.ttl_s) {
      const int64_t due = j.finish_mono + *s.ttl_s * 1000;
      next = std::min(next, due);  // tick() deletes it when due
      if (now >= due) to_delete.push_back(j.name());
    }
    j.next_due = next;
    return next;
  }
  if (j.suspended) {
    j.next_due = next;
    return next;
  }
  check_done(j, fx);
  if (j.finished) {
    put_job(j);
    return reconcile(j, now, fx, to_delete);
  }
  const bool can_launch = runtime_ok && !shutting_down;

  // OnFailure restarts in place, after their delay.
  int64_t active = 0;
  std::vector<Attempt*> running;
  for (const std::string& id : j.alive) {
    Attempt& a = attempts.at(id);
    if (a.stopping()) continue;
    ++active;
    running.push_back(&a);
    if (!a.waiting_restart) continue;
    if (now < a.restart_at) {
      next = std::min(next, a.restart_at);
    } else if (can_launch) {
      a.waiting_restart = false;
      put_attempt(a);
      fx.launch_ids.push_back(id);
    }
  }

  // How many attempts should be active (§6.2).
  const int64_t par = j.parallelism(cfg.max_parallelism);
  int64_t want;
  if (s.indexed) want = std::min(par, *s.completions - j.succeeded_idx.size() - j.failed_idx.size());
  else if (s.work_queue()) want = j.any_success ? active : par;
  else want = std::min(par, *s.completions - j.succeeded);
  want = std::max<int64_t>(want, 0);

  if (active > want) {
    // A lowered parallelism: the newest attempts go (system-initiated, not counted).
    std::sort(running.begin(), running.end(), [](const Attempt* a, const Attempt* b) {
      return std::tie(a->rec.created_ms, a->index, a->rec.id) > std::tie(b->rec.created_ms, b->index, b->rec.id);
    });
    for (int64_t k = 0; k < active - want; ++k) terminate(j, *running[k], "ParallelismLowered", fx);
  } else if (active < want && can_launch) {
    int64_t to_start = want - active;
    const bool per_index = s.backoff_limit_per_index.has_value();
    if (!per_index && j.backoff_until > now) {
      next = std::min(next, j.backoff_until);  // §6.4: the delay gates every new attempt
    } else if (!s.indexed) {
      for (; to_start > 0; --to_start) create_attempt(j, -1, fx);
    } else {
      // Pending indexes, lowest first; an index never has two live attempts.
      auto r = j.retry.begin();
      while (to_start > 0) {
        const bool fresh_left = j.next_fresh < *s.completions;
        if (r == j.retry.end() && !fresh_left) break;
        if (r != j.retry.end() && (!fresh_left || *r < j.next_fresh)) {
          const int64_t i = *r;
          if (j.active_idx.count(i) || j.succeeded_idx.contains(i) || j.failed_idx.contains(i)) {
            if (!j.active_idx.count(i)) r = j.retry.erase(r);
            else ++r;
            continue;
          }
          if (per_index) {
            auto f = j.idx_fail.find(i);
            if (f != j.idx_fail.end() && f->second.until > now) {
              next = std::min(next, f->second.until);
              ++r;
              continue;
            }
          }
          r = j.retry.erase(r);
          create_attempt(j, i, fx);
          --to_start;
        } else {
          const int64_t i = j.next_fresh++;
          if (j.active_idx.count(i) || j.succeeded_idx.contains(i) || j.failed_idx.contains(i)) continue;
          create_attempt(j, i, fx);
          --to_start;
        }
      }
    }
  }
  if (!fx.launch_ids.empty()) put_job(j);
  j.next_due = next;
  return next;
}

// ---------------------------------------------------------------------------------
// Runtime events

void Impl::handle_started(const runtime::TaskStarted& st, Effects& fx) {
  auto it = attempts.find(st.task_id);
  if (it == attempts.end()) return;  // another controller's task (shared runtime)
  Attempt& a = it->second;
  Job* j = owner(a);
  if (!a.alive()) {
    fx.stops.emplace_back(a.rec.id, j ? j->spec.grace_s * 1000 : 10'000);
    return;
  }
  a.rec.pid = st.pid;
  a.rec.start_ticks = st.start_ticks;
  a.rec.cgroup = st.cgroup;
  a.rec.started_ms = st.started_ms ? st.started_ms : wall_ms();
  a.started_mono = mono_ms();
  if (a.rec.state == TaskState::Pending || a.rec.state == TaskState::Starting) a.rec.state = TaskState::Running;
  put_attempt(a);
  // A stop that raced the launch (the runtime may not have known the id yet).
  if (a.stopping()) fx.stops.emplace_back(a.rec.id, j ? j->spec.grace_s * 1000 : 10'000);
  else if (!j) {
    a.rec.state = TaskState::Stopping;
    a.rec.stop_reason = "Deleted";
    a.rec.stop_requested_ms = wall_ms();
    fx.stops.emplace_back(a.rec.id, 10'000);
  }
}

void Impl::handle_exit(const runtime::TaskExited& e, Effects& fx) {
  auto it = attempts.find(e.task_id);
  if (it == attempts.end() || !it->second.alive()) return;  // unknown, or reported twice
  Attempt& a = it->second;
  const std::string id = a.rec.id;
  const int64_t now = mono_ms();
  if (e.pid) a.rec.pid = e.pid;
  a.rec.exit_code = e.exit_code;
  a.rec.signal = e.signal;
  a.rec.reason = e.reason;
  a.rec.message = e.message;
  a.rec.cpu_seconds = e.cpu_seconds;
  a.rec.peak_rss_bytes = e.peak_rss_bytes;
  a.rec.ended_ms = e.ended_ms ? e.ended_ms : wall_ms();
  Job* jp = owner(a);
  if (!jp) {
    delete_attempt(id, fx);
    fx.wake = true;
    return;
  }
  Job& j = *jp;
  const JobSpec& s = j.spec;
  j.alive.erase(id);
  a.waiting_restart = false;
  // §6.8: a deadline that passed wins over whatever this exit would decide.
  if (!j.finished && !j.suspended && s.active_deadline_s && j.start_ms &&
      now >= j.start_mono + *s.active_deadline_s * 1000)
    finish(j, false, "DeadlineExceeded", "Job was active longer than specified deadline", fx);

  const bool lost = e.reason == "Lost";
  const bool launch_failed = e.reason == "LaunchFailed";
  const bool requested = a.rec.stop_requested_ms != 0;
  if (e.exit_code == 0 && !lost && !launch_failed && e.signal == 0) {
    a.rec.state = TaskState::Succeeded;
    a.outcome = "Succeeded";
    if (!j.finished) {
      if (a.index >= 0) {
        j.succeeded_idx.add(a.index);
        j.succeeded = j.succeeded_idx.size();
        j.idx_fail.erase(a.index);
        release_index(j, a, false);
      } else {
        ++j.succeeded;
      }
      // §6.4: a success resets the delay, never the count.
      j.any_success = true;
      j.consecutive = 0;
      j.backoff_until = 0;
      if (s.indexed && !s.success_rules.empty() && success_policy_met(s.success_rules, j.succeeded_idx))
        finish(j, true, "SuccessPolicy", "Matched rules at index 0", fx);
    } else {
      release_index(j, a, false);
    }
  } else if (requested || j.finished) {
    // §6.3: a system-initiated termination is never counted.
    a.rec.state = TaskState::Failed;
    a.outcome = "Terminated";
    a.rec.reason = "Terminated";
    std::string how = e.signal ? "killed by signal " + std::to_string(e.signal)
                               : lost ? "lost" : "exited with code " + std::to_string(e.exit_code);
    a.rec.message = "terminated by ebb (" + (a.rec.stop_reason.empty() ? std::string("JobFinished") : a.rec.stop_reason) +
                    "): " + how + (e.message.empty() ? "" : ": " + e.message);
    release_index(j, a, !j.finished);
  } else {
    a.rec.state = lost ? TaskState::Lost : TaskState::Failed;
    std::optional<int> code;
    if (e.exit_code > 0) code = e.exit_code;
    else if (e.signal > 0) code = 128 + e.signal;
    const PolicyMatch m = match_pod_failure_policy(s.pod_failure_rules, code, lost, launch_failed);
    if (m.action == "Ignore") {
      a.outcome = "Ignored";  // §6.6: not counted, no delay added
      release_index(j, a, true);
    } else {
      a.outcome = "Failed";
      ++j.failed;
      if (m.action == "FailJob") {
        release_index(j, a, false);
        const std::string what = code ? "exit code " + std::to_string(*code)
                                      : std::string(lost ? "condition DisruptionTarget" : "condition ConfigIssue");
        const std::string container = s.container_name.empty() ? "" : "Container " + s.container_name + " for ";
        finish(j, false, "PodFailurePolicy",
               container + "pod " + id + " failed with " + what + " matching FailJob rule at index " + std::to_string(m.rule),
               fx);
      } else if (m.action == "FailIndex") {
        release_index(j, a, false);
        index_failed(j, a.index, fx);
      } else {
        j.consecutive++;
        j.backoff_until = now + backoff_delay_ms(j.consecutive, cfg.backoff_base_ms, cfg.backoff_cap_ms);
        int64_t gate_until = j.backoff_until;
        IndexFailures* f = nullptr;
        if (s.backoff_limit_per_index && a.index >= 0) {
          f = &j.idx_fail[a.index];
          f->failures++;
          f->consecutive++;
          f->until = now + backoff_delay_ms(f->consecutive, cfg.backoff_base_ms, cfg.backoff_cap_ms);
          gate_until = f->until;
        }
        if (s.work_queue() && j.any_success) {
          // §6.2: after the first success failures are recorded, nothing more.
        } else if (f && f->failures > *s.backoff_limit_per_index) {
          release_index(j, a, false);
          index_failed(j, a.index, fx);
        } else if (j.failed > s.backoff_limit) {
          release_index(j, a, false);
          finish(j, false, "BackoffLimitExceeded", "Job has reached the specified backoff limit", fx);
        } else if (s.on_failure) {
          // §6.3: restart in place (same attempt, restartCount + 1) after the delay.
          a.restarts++;
          a.outcome.clear();
          a.rec.state = TaskState::Pending;
          a.waiting_restart = true;
          a.restart_at = gate_until;
          j.alive.insert(id);
        } else {
          release_index(j, a, true);
        }
      }
    }
  }
  put_attempt(a);
  check_done(j, fx);
  std::vector<std::string> to_delete;  // TTL deletions happen in tick()
  reconcile(j, now, fx, to_delete);
  put_job(j);
  // The replacement is already decided above; the tick is needed only when this Job
  // must be looked at again before the instant the ticker is armed for (a back-off,
  // a restart delay, a TTL). finish() asks for it itself.
  if (armed_next < 0 || j.next_due < armed_next) fx.wake = true;
}

// ---------------------------------------------------------------------------------
// Restart: re-adoption (reliability.md §2.7)

void Impl::adopt(const runtime::Reconnected& rc, Effects& fx) {
  std::map<std::string, const runtime::LiveTask*> live;
  for (const auto& l : rc.live) live[l.task_id] = &l;
  std::map<std::string, const runtime::TaskExited*> exited;
  for (const auto& e : rc.exited) exited[e.task_id] = &e;
  const int64_t now = mono_ms();
  std::vector<std::string> ids;
  for (auto& [id, a] : attempts)
    if (a.alive()) ids.push_back(id);
  for (const std::string& id : ids) {
    auto ait = attempts.find(id);
    if (ait == attempts.end() || !ait->second.alive()) continue;
    Attempt& a = ait->second;
    Job* j = owner(a);
    if (auto l = live.find(id); l != live.end()) {
      // Task ids are ours and unique: the process the runtime runs under this id is
      // this attempt's (a restart in place reuses the id, so the pid may be newer).
      const runtime::LiveTask& lt = *l->second;
      a.rec.pid = lt.pid;
      a.rec.start_ticks = lt.start_ticks;
      if (!lt.cgroup.empty()) a.rec.cgroup = lt.cgroup;
      a.waiting_restart = false;
      if (!a.started_mono) a.started_mono = a.rec.started_ms ? mono_from_wall(a.rec.started_ms) : now;
      if (a.rec.state == TaskState::Pending || a.rec.state == TaskState::Starting) a.rec.state = TaskState::Running;
      if (lt.stopping && !a.stopping()) {
        a.rec.state = TaskState::Stopping;
        if (a.rec.stop_reason.empty()) a.rec.stop_reason = "Shutdown";
        if (!a.rec.stop_requested_ms) a.rec.stop_requested_ms = wall_ms();
      }
      if (j && a.index >= 0) j->active_idx[a.index] = id;
      if (!j) {
        a.rec.state = TaskState::Stopping;
        a.rec.stop_reason = "Deleted";
        a.rec.stop_requested_ms = wall_ms();
        fx.stops.emplace_back(id, 10'000);
      } else if (j->finished || j->suspended) {
        terminate(*j, a, j->finished ? "JobFinished" : "Suspended", fx);
      }
      put_attempt(a);
      continue;
    }
    if (auto e = exited.find(id); e != exited.end()) {
      handle_exit(*e->second, fx);
      continue;
    }
    if (a.rec.state == TaskState::Pending) {
      // Never reached the runtime: launch it now (or drop it), nothing to count.
      if (!j) {
        delete_attempt(id, fx);
      } else if (j->finished || j->suspended) {
        terminate(*j, a, j->finished ? "JobFinished" : "Suspended", fx);
      } else if (!a.waiting_restart) {
        fx.launch_ids.push_back(id);
      }
      continue;
    }
    runtime::TaskExited lost;
    lost.task_id = id;
    lost.pid = a.rec.pid;
    lost.reason = "Lost";
    lost.message = "ebb restarted and the process was gone";
    lost.ended_ms = wall_ms();
    handle_exit(lost, fx);
  }
  // Live tasks nobody here knows may belong to another controller on the shared
  // runtime: left alone.
  for (auto& [_, j] : jobs) j.dirty = true;
}

void Impl::delete_job(const std::string& name, Effects& fx) {
  auto it = jobs.find(name);
  if (it == jobs.end()) return;
  Job& j = it->second;
  std::vector<std::string> mine;
  for (auto& [id, a] : attempts)
    if (!a.detached && a.rec.owner_name == name) mine.push_back(id);
  for (const std::string& id : mine) {
    Attempt& a = attempts.at(id);
    if (a.alive() && a.rec.state != TaskState::Pending) {
      // Stopped (SIGTERM, grace, SIGKILL); the record goes when it exits.
      if (!a.stopping()) {
        a.rec.state = TaskState::Stopping;
        a.rec.stop_requested_ms = wall_ms();
        a.rec.stop_reason = "Deleted";
        fx.stops.emplace_back(id, j.spec.grace_s * 1000);
      }
      a.detached = true;
      put_attempt(a);
    } else {
      delete_attempt(id, fx);
    }
  }
  for (const std::string& key : j.event_keys) ops.push_back(op::DeleteRecord{"jobevent", key});
  ops.push_back(op::DeleteRecord{"job", name});
  jobs.erase(it);
}

void Impl::reconcile_now(Job& j, Effects& fx) {
  // A new Job's first attempts are created here rather than at the next tick: they
  // commit with the Job record and launch once that commit is durable (a Schedule's
  // lateness is one commit and no thread hop shorter).
  std::vector<std::string> to_delete;
  reconcile(j, mono_ms(), fx, to_delete);
  if (!to_delete.empty() || armed_next < 0 || j.next_due < armed_next) fx.wake = true;
}

int64_t Impl::tick_locked(Effects& fx) {
  const int64_t now = mono_ms();
  int64_t next = kNever;
  std::vector<std::string> to_delete;
  for (auto& [_, j] : jobs) {
    if (j.dirty || now >= j.next_due) reconcile(j, now, fx, to_delete);
    next = std::min(next, j.next_due);
  }
  for (const std::string& name : to_delete) delete_job(name, fx);
  return next;
}

// ---------------------------------------------------------------------------------
// JobController

JobController::JobController(Clock& clock, Committer& committer, runtime::Runtime& runtime, JobControllerConfig cfg)
    : impl_(std::make_unique<Impl>(clock, committer, runtime, std::move(cfg))) {}

JobController::~JobController() {
  std::lock_guard glk(impl_->gate->mu);
  impl_->gate->impl = nullptr;
}

std::optional<std::string> JobController::task_secret(const std::string& access_key_id) const {
  std::lock_guard lk(impl_->mu);
  for (const auto& [id, a] : impl_->attempts)
    if (a.alive() && a.rec.access_key_id == access_key_id) return a.rec.secret_access_key;
  return std::nullopt;
}

void JobController::load(const std::vector<RecordRow>& records) {
  Impl& im = *impl_;
  Effects fx;
  std::lock_guard lk(im.mu);
  for (const RecordRow& r : records) {
    if (r.kind != "configmap") continue;
    json v = json::parse(r.value, nullptr, false);
    if (v.is_discarded()) continue;
    im.config_maps[r.key] = v.value("doc", json::object()).value("data", json::object());
  }
  for (const RecordRow& r : records) {
    if (r.kind != "job") continue;
    json v = json::parse(r.value, nullptr, false);
    if (v.is_discarded() || !v.contains("doc")) continue;
    Result<JobSpec> spec = parse_job(v["doc"]);
    if (!spec) continue;
    Job j;
    j.spec = std::move(*spec);
    j.owner = v.value("owner", std::string());
    j.created_ms = v.value("createdMs", im.wall_ms());
    const json st = v.value("state", json::object());
    j.suspended = st.value("suspended", j.spec.suspend);
    if (st.contains("startMs") && st["startMs"].is_number_integer()) {
      j.start_ms = st["startMs"].get<int64_t>();
      j.start_mono = im.mono_from_wall(*j.start_ms);
    }
    j.finished = st.value("finished", false);
    j.complete = st.value("complete", false);
    j.finish_ms = st.value("finishMs", int64_t{0});
    j.finish_mono = im.mono_from_wall(j.finish_ms);
    j.succeeded = st.value("succeeded", int64_t{0});
    j.failed = st.value("failed", int64_t{0});
    j.any_success = st.value("anySuccess", false);
    j.consecutive = st.value("consecutive", int64_t{0});
    const int64_t until = st.value("backoffUntilMs", int64_t{0});
    j.backoff_until = until ? im.mono_from_wall(until) : 0;
    j.conditions = st.value("conditions", json::array());
    if (auto s = IndexSet::parse(st.value("completedIndexes", std::string()))) j.succeeded_idx = std::move(*s);
    if (auto s = IndexSet::parse(st.value("failedIndexes", std::string()))) j.failed_idx = std::move(*s);
    for (const json& f : st.value("indexFailures", json::array())) {
      IndexFailures x;
      x.failures = f.value("failures", int64_t{0});
      x.consecutive = f.value("consecutive", int64_t{0});
      const int64_t u = f.value("untilMs", int64_t{0});
      x.until = u ? im.mono_from_wall(u) : 0;
      j.idx_fail[f.value("index", int64_t{0})] = x;
    }
    std::string name = j.name();
    im.jobs.emplace(name, std::move(j));
  }
  std::map<std::string, int64_t> max_index;
  for (const RecordRow& r : records) {
    if (r.kind != "task") continue;
    json v = json::parse(r.value, nullptr, false);
    runtime::TaskRecord rec;
    std::string error;
    if (v.is_discarded() || !runtime::from_json(v, rec, error) || rec.owner_kind != "Job") continue;
    Attempt a;
    a.rec = std::move(rec);
    a.index = v.value("jobIndex", int64_t{-1});
    a.restarts = v.value("restartCount", int64_t{0});
    a.outcome = v.value("outcome", std::string());
    a.argv = v.value("argv", std::vector<std::string>{});
    a.waiting_restart = v.value("waitingRestart", false);
    const int64_t ra = v.value("restartAtMs", int64_t{0});
    a.restart_at = ra ? im.mono_from_wall(ra) : 0;
    if (a.rec.started_ms && a.alive()) a.started_mono = im.mono_from_wall(a.rec.started_ms);
    const std::string id = a.rec.id;
    auto jit = im.jobs.find(a.rec.owner_name);
    if (jit == im.jobs.end()) {
      a.detached = true;
      const bool alive = a.alive();
      im.attempts.emplace(id, std::move(a));
      if (!alive) im.delete_attempt(id, fx);
      continue;
    }
    Job& j = jit->second;
    if (a.index >= 0) max_index[j.name()] = std::max(max_index[j.name()], a.index + 1);
    if (a.alive()) {
      j.alive.insert(id);
      if (a.index >= 0) j.active_idx[a.index] = id;
    }
    im.attempts.emplace(id, std::move(a));
  }
  for (auto& [name, j] : im.jobs) {
    if (!j.spec.indexed) continue;
    int64_t fresh = max_index[name];
    if (auto m = j.succeeded_idx.max()) fresh = std::max(fresh, *m + 1);
    if (auto m = j.failed_idx.max()) fresh = std::max(fresh, *m + 1);
    j.next_fresh = fresh;
    for (int64_t i = 0; i < fresh; ++i)
      if (!j.succeeded_idx.contains(i) && !j.failed_idx.contains(i) && !j.active_idx.count(i)) j.retry.insert(i);
  }
  for (const RecordRow& r : records) {
    if (r.kind != "jobevent") continue;
    const size_t slash = r.key.rfind('/');
    if (slash == std::string::npos) continue;
    auto jit = im.jobs.find(r.key.substr(0, slash));
    if (jit == im.jobs.end()) {
      im.ops.push_back(op::DeleteRecord{"jobevent", r.key});
      continue;
    }
    json e = json::parse(r.value, nullptr, false);
    if (e.is_discarded()) continue;
    Job& j = jit->second;
    j.events.push_back(std::move(e));
    j.event_keys.push_back(r.key);
    j.next_seq = std::max<uint64_t>(j.next_seq, std::strtoull(r.key.c_str() + slash + 1, nullptr, 10) + 1);
  }
  im.flush(fx);
  // Directory removal of forgotten attempts: small, and before anything runs.
  for (const std::string& dir : fx.remove_dirs) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
}

Status JobController::start() {
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
    im.started = true;
    im.runtime_ok = true;
    im.adopt(*rc, fx);
    im.flush(fx);
    fx.wake = true;
  }
  im.run(fx);
  return {};
}

void JobController::shutdown(bool stop_tasks, Millis wait) {
  Impl& im = *impl_;
  Effects fx;
  {
    std::lock_guard lk(im.mu);
    im.shutting_down = true;
    if (stop_tasks) {
      for (auto& [_, j] : im.jobs) {
        std::vector<std::string> ids(j.alive.begin(), j.alive.end());
        for (const std::string& id : ids) {
          Attempt& a = im.attempts.at(id);
          if (a.rec.state != TaskState::Pending) im.terminate(j, a, "Shutdown", fx);  // Pending: relaunched next time
        }
      }
    }
    im.flush(fx);
    fx.launch_when_durable.clear();
  }
  im.run(fx);
  im.runtime.shutdown(stop_tasks);
  if (!stop_tasks) return;
  std::unique_lock lk(im.mu);
  im.exited_cv.wait_for(lk, wait, [&] {
    for (auto& [_, a] : im.attempts)
      if (a.alive() && a.rec.state != TaskState::Pending) return false;
    return true;
  });
}

Result<std::pair<std::string, Token>> JobController::apply(const json& validated_doc, std::vector<std::string>& warnings) {
  Result<JobSpec> parsed = parse_job(validated_doc);
  if (!parsed) return parsed.error();
  JobSpec spec = std::move(*parsed);
  for (std::string& w : job_warnings(spec)) warnings.push_back(std::move(w));
  Impl& im = *impl_;
  Effects fx;
  std::string action;
  Token token = 0;
  {
    std::lock_guard lk(im.mu);
    auto it = im.jobs.find(spec.name);
    if (it == im.jobs.end()) {
      const std::string name = spec.name;
      im.create_job(std::move(spec), "");
      if (im.started && !im.shutting_down) im.reconcile_now(im.jobs.at(name), fx);
      action = "created";
    } else {
      Job& j = it->second;
      if (j.spec.doc == spec.doc) return std::make_pair(std::string("unchanged"), Token{0});
      if (j.spec.immutable_part() != spec.immutable_part())
        return err(Code::Conflict, "job/" + spec.name +
                                       ": spec is immutable except suspend, parallelism, activeDeadlineSeconds and "
                                       "ttlSecondsAfterFinished; delete the Job and apply it again");
      const bool suspend = spec.suspend;
      // The owner annotation written by create() survives a re-apply of the same Job.
      if (!j.owner.empty()) spec.doc["metadata"]["annotations"][kOwnerAnnotation] = j.owner;
      j.spec = std::move(spec);
      j.spec.suspend = j.suspended;
      im.set_suspend(j, suspend, fx);
      j.dirty = true;
      im.put_job(j);
      action = "configured";
    }
    token = im.flush(fx);
  }
  im.run(fx);
  im.wake();
  return std::make_pair(action, token);
}

Result<std::pair<std::string, Token>> JobController::apply_config_map(const json& validated_doc) {
  const json meta = validated_doc.value("metadata", json::object());
  const std::string name = meta.value("name", std::string());
  if (name.empty()) return err(Code::Invalid, "metadata.name: required field is missing");
  json data = validated_doc.value("data", json::object());
  if (!data.is_object()) return err(Code::Invalid, "data: must be a map of strings");
  Impl& im = *impl_;
  Effects fx;
  std::lock_guard lk(im.mu);
  auto it = im.config_maps.find(name);
  if (it != im.config_maps.end() && it->second == data) return std::make_pair(std::string("unchanged"), Token{0});
  const std::string action = it == im.config_maps.end() ? "created" : "configured";
  im.config_maps[name] = data;
  json doc = validated_doc;
  doc.erase("status");
  im.ops.push_back(op::PutRecord{"configmap", name, json{{"doc", doc}}.dump()});
  return std::make_pair(action, im.flush(fx));
}

Result<Token> JobController::remove(const std::string& name) {
  Impl& im = *impl_;
  Effects fx;
  Token token;
  {
    std::lock_guard lk(im.mu);
    if (!im.jobs.count(name)) return err(Code::NotFound, "job/" + name + " not found");
    im.delete_job(name, fx);
    token = im.flush(fx);
  }
  im.run(fx);
  return token;
}

Result<Token> JobController::set_suspended(const std::string& name, bool suspend) {
  Impl& im = *impl_;
  Effects fx;
  Token token;
  {
    std::lock_guard lk(im.mu);
    auto it = im.jobs.find(name);
    if (it == im.jobs.end()) return err(Code::NotFound, "job/" + name + " not found");
    im.set_suspend(it->second, suspend, fx);
    im.put_job(it->second);
    token = im.flush(fx);
  }
  im.run(fx);
  return token;
}

Result<Token> JobController::create(const std::string& name, const json& job_spec, const std::string& own,
                                    const json& labels, const json& annotations, std::vector<StoreOp> with) {
  json meta = {{"name", name}};
  if (labels.is_object() && !labels.empty()) meta["labels"] = labels;
  json ann = annotations.is_object() ? annotations : json::object();
  if (!own.empty()) ann[kOwnerAnnotation] = own;
  if (!ann.empty()) meta["annotations"] = std::move(ann);
  json doc = {{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", std::move(meta)}, {"spec", job_spec}};
  Result<JobSpec> spec = parse_job(doc);
  if (!spec) return spec.error();
  Impl& im = *impl_;
  Effects fx;
  Token token;
  {
    std::lock_guard lk(im.mu);
    if (im.jobs.count(name)) return err(Code::Conflict, "job/" + name + " already exists");
    im.create_job(std::move(*spec), own);
    if (im.started && !im.shutting_down) im.reconcile_now(im.jobs.at(name), fx);
    else fx.wake = true;
    // One transaction (flush's append_all): the caller's records, the Job, its first
    // attempts; the attempts launch once it is durable.
    for (StoreOp& o : with) im.ops.push_back(std::move(o));
    token = im.flush(fx);
  }
  im.run(fx);
  return token;
}

std::optional<JobSummary> JobController::summary(const std::string& name) const {
  std::lock_guard lk(impl_->mu);
  auto it = impl_->jobs.find(name);
  if (it == impl_->jobs.end()) return std::nullopt;
  return impl_->summary_of(it->second);
}

std::vector<JobSummary> JobController::owned_by(const std::string& own) const {
  std::lock_guard lk(impl_->mu);
  std::vector<std::pair<int64_t, JobSummary>> mine;
  for (auto& [_, j] : impl_->jobs)
    if (j.owner == own) mine.emplace_back(j.created_ms, impl_->summary_of(j));
  std::stable_sort(mine.begin(), mine.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first, a.second.name) < std::tie(b.first, b.second.name);
  });
  std::vector<JobSummary> out;
  for (auto& [_, s] : mine) out.push_back(std::move(s));
  return out;
}

MonoTime JobController::tick() {
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
    const int64_t now = im.mono_ms();
    next = std::min(im.tick_locked(fx), now + kIdleTickMs);
    if (!im.runtime_ok) next = std::min(next, im.reconnect_at);
    im.armed_next = next;
    im.flush(fx);
  }
  fx.wake = false;  // this is the tick
  im.run(fx);
  return MonoTime{} + Millis{next};
}

void JobController::on_wakeup(std::function<void()> f) {
  std::lock_guard lk(impl_->wake_mu);
  impl_->wake_fn = std::move(f);
}

void JobController::on_started(const runtime::TaskStarted& s) {
  Effects fx;
  {
    std::lock_guard lk(impl_->mu);
    impl_->handle_started(s, fx);
    impl_->flush(fx);
  }
  impl_->run(fx);
}

void JobController::on_exited(const runtime::TaskExited& e) {
  Effects fx;
  {
    std::lock_guard lk(impl_->mu);
    impl_->handle_exit(e, fx);
    impl_->flush(fx);
  }
  impl_->exited_cv.notify_all();
  impl_->run(fx);
}

void JobController::on_runtime_lost(const std::string& why) {
  Impl& im = *impl_;
  {
    std::lock_guard lk(im.mu);
    im.runtime_ok = false;
    im.reconnect_at = im.mono_ms();
    for (auto& [_, j] : im.jobs)
      if (!j.alive.empty() && !j.finished) im.add_event(j, true, "RuntimeLost", "task runtime lost: " + why);
    Effects fx;
    im.flush(fx);
  }
  im.wake();
}

}  // namespace ebb::sched

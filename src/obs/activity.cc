#include "obs/activity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/rfc3339.h"
#include "obs/prometheus_text.h"
#include "runtime/task_record.h"

namespace ebb::obs {
namespace {

using nlohmann::json;
using runtime::TaskState;

int64_t hour_of(int64_t ms) { return ms - ((ms % kHourMs) + kHourMs) % kHourMs; }

bool is_started_state(TaskState s) {
  return s == TaskState::Running || s == TaskState::Draining || s == TaskState::Stopping;
}

// ebb_task_failures_total reasons (reliability.md §2.7) from a finished record.
std::string failure_reason(const runtime::TaskRecord& r) {
  if (r.state == TaskState::Lost || r.reason == "Lost") return "lost";
  if (r.reason == "OOMKilled") return "oom_killed";
  if (r.reason == "CPULimit") return "cpu_limit";
  if (r.reason == "FileSizeLimit") return "file_size_limit";
  if (r.reason == "LaunchFailed" || r.started_ms == 0) return "start_error";
  if (r.stop_reason == "Timeout" || r.reason == "DeadlineExceeded" || r.reason == "Timeout") return "deadline_exceeded";
  if (r.signal != 0 || r.reason == "Signaled") return "signal";
  return "exit_code";
}

double get_d(const json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_number() ? it->get<double>() : 0.0;
}
int64_t get_i(const json& j, const char* k) {
  auto it = j.find(k);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : 0;
}

double round6(double v) { return std::round(v * 1e6) / 1e6; }
std::string usd(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "$%.4f", v);
  return buf;
}

}  // namespace

// ---------------------------------------------------------------------------------
// Usage

void Usage::add(const Usage& o) {
  tasks += o.tasks;
  failed += o.failed;
  run_seconds += o.run_seconds;
  billed_seconds += o.billed_seconds;
  vcpu_seconds += o.vcpu_seconds;
  gb_seconds += o.gb_seconds;
  fargate_vcpu_seconds += o.fargate_vcpu_seconds;
  fargate_gb_seconds += o.fargate_gb_seconds;
  cpu_used_seconds += o.cpu_used_seconds;
  peak_rss_bytes = std::max(peak_rss_bytes, o.peak_rss_bytes);
  reserved_vcpu = std::max(reserved_vcpu, o.reserved_vcpu);
  reserved_memory_bytes = std::max(reserved_memory_bytes, o.reserved_memory_bytes);
  peak_concurrency = std::max(peak_concurrency, o.peak_concurrency);
  if (o.first_start_ms && (!first_start_ms || o.first_start_ms < first_start_ms)) first_start_ms = o.first_start_ms;
}

json Usage::to_json() const {
  return json{{"tasks", tasks},
              {"failed", failed},
              {"runSeconds", run_seconds},
              {"billedSeconds", billed_seconds},
              {"vcpuSeconds", vcpu_seconds},
              {"gbSeconds", gb_seconds},
              {"fargateVcpuSeconds", fargate_vcpu_seconds},
              {"fargateGbSeconds", fargate_gb_seconds},
              {"cpuUsedSeconds", cpu_used_seconds},
              {"peakRssBytes", peak_rss_bytes},
              {"reservedVcpu", reserved_vcpu},
              {"reservedMemoryBytes", reserved_memory_bytes},
              {"peakConcurrency", peak_concurrency},
              {"firstStartMs", first_start_ms}};
}

Usage Usage::from_json(const json& j) {
  Usage u;
  if (!j.is_object()) return u;
  u.tasks = get_i(j, "tasks");
  u.failed = get_i(j, "failed");
  u.run_seconds = get_d(j, "runSeconds");
  u.billed_seconds = get_d(j, "billedSeconds");
  u.vcpu_seconds = get_d(j, "vcpuSeconds");
  u.gb_seconds = get_d(j, "gbSeconds");
  u.fargate_vcpu_seconds = get_d(j, "fargateVcpuSeconds");
  u.fargate_gb_seconds = get_d(j, "fargateGbSeconds");
  u.cpu_used_seconds = get_d(j, "cpuUsedSeconds");
  u.peak_rss_bytes = get_i(j, "peakRssBytes");
  u.reserved_vcpu = get_d(j, "reservedVcpu");
  u.reserved_memory_bytes = get_i(j, "reservedMemoryBytes");
  u.peak_concurrency = get_i(j, "peakConcurrency");
  u.first_start_ms = get_i(j, "firstStartMs");
  return u;
}

Usage usage_of_run(const PriceTable& p, int64_t cpu_millis, int64_t memory_bytes, double run_seconds,
                   double cpu_used_seconds, int64_t peak_rss_bytes, bool failed) {
  Usage u;
  run_seconds = std::max(run_seconds, 0.0);
  const TaskSize reserved = reserved_size(cpu_millis, memory_bytes);
  const TaskSize fargate = fargate_size(cpu_millis, memory_bytes);
  u.tasks = 1;
  u.failed = failed ? 1 : 0;
  u.run_seconds = run_seconds;
  u.billed_seconds = billed_seconds(p, run_seconds);
  u.vcpu_seconds = reserved.vcpu * run_seconds;
  u.gb_seconds = reserved.gb * run_seconds;
  u.fargate_vcpu_seconds = fargate.vcpu * u.billed_seconds;
  u.fargate_gb_seconds = fargate.gb * u.billed_seconds;
  u.cpu_used_seconds = std::max(cpu_used_seconds, 0.0);
  u.peak_rss_bytes = peak_rss_bytes;
  u.reserved_vcpu = reserved.vcpu;
  u.reserved_memory_bytes = memory_bytes;
  return u;
}

// ---------------------------------------------------------------------------------
// Activity: records in

Activity::Activity(PriceTable prices) : prices_(std::move(prices)) {}

std::string Activity::bucket_key(int64_t hour_ms, const Owner& o) {
  return std::to_string(hour_ms) + "/" + (o.kind.empty() ? std::string("_all") : o.kind + "/" + o.name);
}

Owner Activity::owner_of(const std::string& kind, const std::string& name) const {
  if (kind == "Job") {
    auto it = jobs_.find(name);
    if (it != jobs_.end()) return it->second.first;
  }
  return Owner{kind, name};
}

Activity::OwnerMetrics& Activity::owner_metrics(const Owner& o, int64_t now_ms) {
  auto [it, fresh] = owners_.try_emplace(o);
  if (fresh || it->second.first_seen_ms == 0) it->second.first_seen_ms = now_ms;
  return it->second;
}

void Activity::load(const std::vector<RecordRow>& records) {
  std::lock_guard lk(mu_);
  // Jobs first: task owners refer to them.
  for (auto& r : records) {
    if (r.kind == "job") on_job(r.key, r.value);
  }
  for (auto& r : records) {
    if (r.kind == "usage") {
      auto slash = r.key.find('/');
      if (slash == std::string::npos) continue;
      int64_t hour = 0;
      try {
        hour = std::stoll(r.key.substr(0, slash));
      } catch (...) {
        continue;
      }
      std::string rest = r.key.substr(slash + 1);
      Owner o;
      if (rest != "_all") {
        auto s2 = rest.find('/');
        if (s2 == std::string::npos) continue;
        o = Owner{rest.substr(0, s2), rest.substr(s2 + 1)};
      }
      json j = json::parse(r.value, nullptr, false);
      buckets_[hour][o] = Usage::from_json(j);
    } else if (r.kind == "task") {
      json j = json::parse(r.value, nullptr, false);
      runtime::TaskRecord t;
      std::string error;
      if (j.is_discarded() || !runtime::from_json(j, t, error)) continue;
      if (runtime::finished(t.state)) {
        accounted_.insert(t.id);  // its usage was committed with this record
        continue;
      }
      Owner o = owner_of(t.owner_kind, t.owner_name);
      TaskSeen& seen = tasks_[t.id];
      seen.owner = o;
      if (t.started_ms > 0 && is_started_state(t.state)) {
        seen.started = true;
        running_[o]++;
        running_all_++;
        OwnerMetrics& m = owner_metrics(o, t.started_ms);
        m.running++;
        m.peak_running = std::max(m.peak_running, m.running);
        open_[t.id] = OpenTask{o, t.cpu_millis, t.memory_bytes, t.started_ms, t.cpu_seconds, t.peak_rss_bytes};
      }
    } else if (r.kind == "slot") {
      json j = json::parse(r.value, nullptr, false);
      if (j.is_object()) slots_[r.key] = j.value("outcome", std::string());
    }
  }
}

std::vector<StoreOp> Activity::observe(std::span<const StoreOp> ops) {
  // Fast path: queue commits carry no control-plane records of interest.
  bool any = false;
  for (const StoreOp& op : ops) {
    if (auto* p = std::get_if<op::PutRecord>(&op)) {
      if (p->kind == "task" || p->kind == "job" || p->kind == "slot") any = true;
    } else if (auto* d = std::get_if<op::DeleteRecord>(&op)) {
      if (d->kind == "task" || d->kind == "job" || d->kind == "slot") any = true;
    }
    if (any) break;
  }
  if (!any) return {};

  std::lock_guard lk(mu_);
  std::set<std::pair<int64_t, Owner>> dirty;
  for (const StoreOp& op : ops)  // job owners before the tasks that name them
    if (auto* p = std::get_if<op::PutRecord>(&op); p && p->kind == "job") on_job(p->key, p->value);
  for (const StoreOp& op : ops) {
    if (auto* p = std::get_if<op::PutRecord>(&op)) {
      if (p->kind == "task") on_task(p->key, p->value, dirty);
      else if (p->kind == "slot") on_slot(p->key, p->value);
    } else if (auto* d = std::get_if<op::DeleteRecord>(&op)) {
      if (d->kind == "task") on_task_deleted(d->key);
      else if (d->kind == "slot") slots_.erase(d->key);
    }
  }
  for (const StoreOp& op : ops)
    if (auto* d = std::get_if<op::DeleteRecord>(&op); d && d->kind == "job") jobs_.erase(d->key);

  std::vector<StoreOp> extra;
  int64_t newest = 0;
  for (auto& [hour, owner] : dirty) {
    extra.push_back(op::PutRecord{"usage", bucket_key(hour, owner), buckets_[hour][owner].to_json().dump()});
    newest = std::max(newest, hour);
  }
  // Retention: drop whole hours older than the window.
  while (!buckets_.empty() && buckets_.begin()->first < newest - kUsageRetentionHours * kHourMs) {
    for (auto& [owner, u] : buckets_.begin()->second)
      extra.push_back(op::DeleteRecord{"usage", bucket_key(buckets_.begin()->first, owner)});
    buckets_.erase(buckets_.begin());
  }
  return extra;
}

void Activity::note_concurrency(const Owner& o, int64_t at_ms, std::set<std::pair<int64_t, Owner>>& dirty) {
  const int64_t hour = hour_of(at_ms);
  Usage& u = buckets_[hour][o];
  for (const Owner& who : {o, Owner{}}) {
    Usage& x = buckets_[hour][who];
    if (!x.first_start_ms || at_ms < x.first_start_ms) {
      x.first_start_ms = at_ms;
      dirty.insert({hour, who});
    }
  }
  if (running_[o] > u.peak_concurrency) {
    u.peak_concurrency = running_[o];
    dirty.insert({hour, o});
  }
  Usage& all = buckets_[hour][Owner{}];
  if (running_all_ > all.peak_concurrency) {
    all.peak_concurrency = running_all_;
    dirty.insert({hour, Owner{}});
  }
}

void Activity::on_task(const std::string& id, const std::string& value, std::set<std::pair<int64_t, Owner>>& dirty) {
  if (accounted_.count(id)) return;  // a finished record written again
  json j = json::parse(value, nullptr, false);
  runtime::TaskRecord t;
  std::string error;
  if (j.is_discarded() || !runtime::from_json(j, t, error)) return;
  const bool done = runtime::finished(t.state);
  auto [it, fresh] = tasks_.try_emplace(id);
  TaskSeen& seen = it->second;
  if (fresh) seen.owner = owner_of(t.owner_kind, t.owner_name);
  const Owner o = seen.owner;
  const int64_t event_ms = t.ended_ms ? t.ended_ms : t.started_ms ? t.started_ms : t.created_ms;
  OwnerMetrics& m = owner_metrics(o, event_ms);

  if (!seen.started && t.started_ms > 0) {
    seen.started = true;
    m.starts++;
    if (t.created_ms > 0 && t.started_ms >= t.created_ms)
      m.start_latency.observe(static_cast<double>(t.started_ms - t.created_ms) / 1000.0);
    running_[o]++;
    running_all_++;
    m.running++;
    m.peak_running = std::max(m.peak_running, m.running);
    note_concurrency(o, t.started_ms, dirty);
  }
  if (seen.started) {
    OpenTask& ot = open_[id];
    ot = OpenTask{o, t.cpu_millis, t.memory_bytes, t.started_ms, t.cpu_seconds, t.peak_rss_bytes};
  }
  if (!done) return;

  // Finished: account it once.
  const bool failed = t.state != TaskState::Succeeded;
  if (seen.started) {
    running_[o]--;
    running_all_--;
    m.running--;
    open_.erase(id);
  }
  if (failed) m.failures[failure_reason(t)]++;
  if (t.started_ms > 0) {
    const int64_t end = std::max(t.ended_ms, t.started_ms);
    const double run_s = static_cast<double>(end - t.started_ms) / 1000.0;
    (failed ? m.duration_failed : m.duration_ok).observe(run_s);
    Usage u = usage_of_run(prices_, t.cpu_millis, t.memory_bytes, run_s, t.cpu_seconds, t.peak_rss_bytes, failed);
    u.first_start_ms = t.started_ms;
    m.cpu_allocated_s += u.vcpu_seconds;
    m.memory_allocated_byte_s += static_cast<double>(std::max<int64_t>(t.memory_bytes, 0)) * run_s;
    m.cpu_used_s += u.cpu_used_seconds;
    m.fargate_usd += task_cost(prices_, fargate_size(t.cpu_millis, t.memory_bytes), run_s);
    const int64_t hour = hour_of(end);
    buckets_[hour][o].add(u);
    dirty.insert({hour, o});
  }
  tasks_.erase(id);
  accounted_.insert(id);
}

void Activity::on_task_deleted(const std::string& id) {
  accounted_.erase(id);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return;
  if (it->second.started) {  // deleted while it ran: no longer ours to count
    running_[it->second.owner]--;
    running_all_--;
    if (auto m = owners_.find(it->second.owner); m != owners_.end()) m->second.running--;
    open_.erase(id);
  }
  tasks_.erase(it);
}

void Activity::on_job(const std::string& name, const std::string& value) {
  json j = json::parse(value, nullptr, false);
  if (!j.is_object()) return;
  std::string owner = j.value("owner", std::string());
  Owner label{"Job", name};
  if (owner.starts_with("cronjob/")) label = Owner{"CronJob", owner.substr(8)};
  else if (owner.starts_with("schedule/")) label = Owner{"Schedule", owner.substr(9)};
  bool finished = false, complete = false;
  if (auto st = j.find("state"); st != j.end() && st->is_object()) {
    finished = st->value("finished", false);
    complete = st->value("complete", false);
  }
  auto [it, fresh] = jobs_.try_emplace(name, label, finished);
  if (!fresh) {
    if (!it->second.second && finished) jobs_finished_[{label, complete ? "complete" : "failed"}]++;
    it->second.second = finished;
  }
}

void Activity::on_slot(const std::string& key, const std::string& value) {
  json j = json::parse(value, nullptr, false);
  if (!j.is_object()) return;
  const std::string outcome = j.value("outcome", std::string());
  std::string& prev = slots_[key];
  if (prev == outcome) return;
  const std::string before = prev;
  prev = outcome;
  if (j.value("manual", false)) return;  // manual runs are not slots
  // key: "<cronjob|schedule>/<name>/<slot ms>"
  auto s1 = key.find('/');
  auto s2 = key.rfind('/');
  if (s1 == std::string::npos || s2 == s1) return;
  Owner o{key.substr(0, s1) == "cronjob" ? "CronJob" : "Schedule", key.substr(s1 + 1, s2 - s1 - 1)};
  ScheduleMetrics& sm = schedules_[o];
  const bool was_started = before == "Started" || before == "Sent" || before == "Succeeded" || before == "Failed";
  if (outcome == "Started" || outcome == "Sent" || ((outcome == "Succeeded" || outcome == "Failed") && !was_started)) {
    if (was_started) return;
    sm.fires["started"]++;
    sm.lateness.observe(static_cast<double>(std::max<int64_t>(j.value("latenessMs", int64_t{0}), 0)) / 1000.0);
    sm.last_fire_ms = std::max(sm.last_fire_ms, j.value("slotMs", int64_t{0}));
  } else if (outcome == "Skipped") {
    sm.fires["skipped"]++;
  } else if (outcome == "Missed") {
    sm.fires["missed"]++;
  } else if (outcome == "DeadLettered") {
    sm.fires["failed"]++;
  }
}

// ---------------------------------------------------------------------------------
// Views

void Activity::render(std::string& out, int64_t now_ms) const {
  std::lock_guard lk(mu_);
  auto labels = [](const Owner& o) { return std::array<Label, 2>{Label{"kind", o.kind}, Label{"name", o.name}}; };

  family(out, "ebb_tasks_running", "gauge", "Running tasks per owner (all kinds).");
  for (auto& [o, m] : owners_) sample(out, "ebb_tasks_running", labels(o), double(m.running));
  family(out, "ebb_task_starts_total", "counter", "Task starts (a process began running).");
  for (auto& [o, m] : owners_) sample(out, "ebb_task_starts_total", labels(o), double(m.starts));
  family(out, "ebb_task_failures_total", "counter", "Failed task attempts by reason (reliability.md §2.7).");
  for (auto& [o, m] : owners_)
    for (auto& [reason, n] : m.failures) {
      std::array<Label, 3> l{Label{"kind", o.kind}, Label{"name", o.name}, Label{"reason", reason}};
      sample(out, "ebb_task_failures_total", l, double(n));
    }
  family(out, "ebb_task_duration_seconds", "histogram", "Run time of finished attempts.");
  for (auto& [o, m] : owners_) {
    std::array<Label, 3> ok{Label{"kind", o.kind}, Label{"name", o.name}, Label{"result", "succeeded"}};
    std::array<Label, 3> bad{Label{"kind", o.kind}, Label{"name", o.name}, Label{"result", "failed"}};
    histogram(out, "ebb_task_duration_seconds", ok, m.duration_ok);
    histogram(out, "ebb_task_duration_seconds", bad, m.duration_failed);
  }
  family(out, "ebb_task_start_latency_seconds", "histogram", "Task record created (decision) to process running.");
  for (auto& [o, m] : owners_) histogram(out, "ebb_task_start_latency_seconds", labels(o), m.start_latency);

  struct Acc {
    const char* name;
    const char* help;
    double OwnerMetrics::*field;
  };
  static const Acc kAcc[] = {
      {"ebb_task_cpu_allocated_seconds_total", "vCPU-seconds reserved by finished tasks (cost basis).",
       &OwnerMetrics::cpu_allocated_s},
      {"ebb_task_memory_allocated_byte_seconds_total", "Byte-seconds of memory reserved by finished tasks.",
       &OwnerMetrics::memory_allocated_byte_s},
      {"ebb_task_cpu_used_seconds_total", "CPU seconds finished tasks used (user + system).",
       &OwnerMetrics::cpu_used_s},
  };
  for (auto& a : kAcc) {
    family(out, a.name, "counter", a.help);
    for (auto& [o, m] : owners_) sample(out, a.name, labels(o), m.*a.field);
  }
  family(out, "ebb_cost_estimate_usd_total", "counter",
         "Priced usage since ebbd started: fargate = finished tasks at Fargate prices; always_on = instances for "
         "the peak concurrency since the owner was first seen.");
  for (auto& [o, m] : owners_) {
    std::array<Label, 3> f{Label{"kind", o.kind}, Label{"name", o.name}, Label{"model", "fargate"}};
    std::array<Label, 3> a{Label{"kind", o.kind}, Label{"name", o.name}, Label{"model", "always_on"}};
    sample(out, "ebb_cost_estimate_usd_total", f, m.fargate_usd);
    double secs = static_cast<double>(std::max<int64_t>(now_ms - m.first_seen_ms, 0)) / 1000.0;
    sample(out, "ebb_cost_estimate_usd_total", a, always_on_cost(prices_, m.peak_running, secs));
  }

  family(out, "ebb_jobs_finished_total", "counter", "Jobs that ended (a CronJob's Jobs under the CronJob's name).");
  for (auto& [key, n] : jobs_finished_) {
    std::array<Label, 3> l{Label{"kind", key.first.kind}, Label{"name", key.first.name}, Label{"result", key.second}};
    sample(out, "ebb_jobs_finished_total", l, double(n));
  }
  family(out, "ebb_schedule_fires_total", "counter", "Slot outcomes of Schedules and CronJobs.");
  for (auto& [o, s] : schedules_)
    for (auto& [result, n] : s.fires) {
      std::array<Label, 3> l{Label{"kind", o.kind}, Label{"name", o.name}, Label{"result", result}};
      sample(out, "ebb_schedule_fires_total", l, double(n));
    }
  family(out, "ebb_schedule_lateness_seconds", "histogram", "Actual start minus nominal slot time.");
  for (auto& [o, s] : schedules_) histogram(out, "ebb_schedule_lateness_seconds", labels(o), s.lateness);
  family(out, "ebb_schedule_last_fire_timestamp_seconds", "gauge", "Nominal time of the last slot that started.");
  for (auto& [o, s] : schedules_)
    if (s.last_fire_ms) sample(out, "ebb_schedule_last_fire_timestamp_seconds", labels(o), double(s.last_fire_ms) / 1000.0);
}

json Activity::cost_report(int64_t since_ms, int64_t now_ms) const {
  std::lock_guard lk(mu_);
  struct Item {
    Usage usage;     // finished and running
    Usage finished;  // finished only: measured CPU and memory exist for these
    int64_t running = 0;
  };
  std::map<Owner, Item> items;
  int64_t first_data_ms = now_ms;
  int64_t peak_all = 0;
  for (auto it = buckets_.lower_bound(hour_of(since_ms)); it != buckets_.end(); ++it) {
    for (auto& [o, u] : it->second) {
      if (u.first_start_ms) first_data_ms = std::min(first_data_ms, u.first_start_ms);
      if (o.kind.empty()) {
        peak_all = std::max(peak_all, u.peak_concurrency);
      } else {
        items[o].usage.add(u);
        items[o].finished.add(u);
      }
    }
  }
  // Running tasks: their time so far, priced like a run that ends now.
  for (auto& [id, t] : open_) {
    const double run_s = static_cast<double>(std::max<int64_t>(now_ms - std::max(t.started_ms, since_ms), 0)) / 1000.0;
    Usage u = usage_of_run(prices_, t.cpu_millis, t.memory_bytes, run_s, t.cpu_seconds, t.peak_rss_bytes, false);
    u.tasks = 0;
    Item& item = items[t.owner];
    item.usage.add(u);
    item.running++;
    first_data_ms = std::min(first_data_ms, std::max(t.started_ms, since_ms));
  }
  for (auto& [o, item] : items) item.usage.peak_concurrency = std::max(item.usage.peak_concurrency, item.running);
  peak_all = std::max(peak_all, running_all_);

  // The window the comparison covers: from `since`, or from the first data if later.
  const int64_t start_ms = std::max(since_ms, first_data_ms);
  const double window_s = static_cast<double>(std::max<int64_t>(now_ms - start_ms, 0)) / 1000.0;

  auto priced = [&](const Usage& u) {
    return u.fargate_vcpu_seconds / 3600.0 * prices_.vcpu_hour + u.fargate_gb_seconds / 3600.0 * prices_.gb_hour;
  };
  auto usage_json = [&](const Usage& u) {
    json j = {{"tasks", u.tasks},
              {"failedTasks", u.failed},
              {"runSeconds", round6(u.run_seconds)},
              {"billedSeconds", round6(u.billed_seconds)},
              {"vcpuSeconds", round6(u.vcpu_seconds)},
              {"gbSeconds", round6(u.gb_seconds)},
              {"fargateVcpuSeconds", round6(u.fargate_vcpu_seconds)},
              {"fargateGbSeconds", round6(u.fargate_gb_seconds)},
              {"cpuUsedSeconds", round6(u.cpu_used_seconds)},
              {"peakMemoryBytes", u.peak_rss_bytes},
              {"peakConcurrency", u.peak_concurrency}};
    return j;
  };

  json rows = json::array();
  Usage total;
  double total_fargate = 0, total_always_each = 0;
  int64_t total_running = 0;
  for (auto& [o, item] : items) {
    const Usage& u = item.usage;
    const Usage& f = item.finished;
    const double fargate_usd = priced(u);
    const double always_usd = always_on_cost(prices_, u.peak_concurrency, window_s);
    json row = usage_json(u);
    row["kind"] = o.kind;
    row["name"] = o.name;
    row["runningTasks"] = item.running;
    row["reserved"] = {{"vcpu", u.reserved_vcpu}, {"memoryBytes", u.reserved_memory_bytes}};
    const TaskSize fs = fargate_size(static_cast<int64_t>(std::llround(u.reserved_vcpu * 1000)), u.reserved_memory_bytes);
    row["fargateSize"] = {{"vcpu", fs.vcpu}, {"gb", fs.gb}, {"usdPerHour", round6(hourly_price(prices_, fs))}};
    row["fargateUsd"] = round6(fargate_usd);
    row["alwaysOn"] = {{"instances", u.peak_concurrency}, {"usd", round6(always_usd)}};
    // Right-sizing: reserved vs used, from finished tasks (running ones have no
    // measured CPU or peak memory yet).
    json advice = json::array();
    const double avg_vcpu = f.run_seconds > 0 ? f.cpu_used_seconds / f.run_seconds : 0;
    row["usedAverageVcpu"] = round6(avg_vcpu);
    if (f.reserved_vcpu > 0 && f.run_seconds > 0) {
      const double ratio = avg_vcpu / f.reserved_vcpu;
      row["cpuUsedRatio"] = round6(ratio);
      if (ratio < 0.5)
        advice.push_back("cpu: used " + std::to_string(static_cast<int>(std::lround(ratio * 100))) +
                         "% of the reserved vCPU on average; a smaller cpu request would cost less");
      else if (ratio > 0.9)
        advice.push_back("cpu: used " + std::to_string(static_cast<int>(std::lround(ratio * 100))) +
                         "% of the reserved vCPU; tasks may be CPU-starved");
    }
    if (f.reserved_memory_bytes > 0 && f.tasks > 0) {
      const double ratio = static_cast<double>(f.peak_rss_bytes) / static_cast<double>(f.reserved_memory_bytes);
      row["memoryUsedRatio"] = round6(ratio);
      if (ratio < 0.5) {
        // Suggest the peak plus 25 % headroom, rounded up to 128 MiB.
        const int64_t step = 128LL << 20;
        int64_t suggest = static_cast<int64_t>(static_cast<double>(f.peak_rss_bytes) * 1.25);
        suggest = std::max<int64_t>((suggest + step - 1) / step * step, step);
        const TaskSize smaller = fargate_size(static_cast<int64_t>(std::llround(u.reserved_vcpu * 1000)), suggest);
        double saving = 0;
        if (f.billed_seconds > 0 && smaller.gb < fs.gb)
          saving = (fs.gb - smaller.gb) * prices_.gb_hour * f.billed_seconds / 3600.0;
        advice.push_back("memory: peak " + std::to_string(f.peak_rss_bytes >> 20) + " MiB of " +
                         std::to_string(f.reserved_memory_bytes >> 20) + " MiB reserved; " +
                         std::to_string(suggest >> 20) + "Mi would do" +
                         (saving > 0 ? " (saves " + usd(saving) + " in this window)"
                                     : std::string()));
        row["suggestedMemoryBytes"] = suggest;
      } else if (ratio > 0.9) {
        advice.push_back("memory: peak within 10% of the reservation; OOM kills are likely");
      }
    }
    row["advice"] = std::move(advice);
    rows.push_back(std::move(row));
    total.add(u);
    total_fargate += fargate_usd;
    total_always_each += always_usd;
    total_running += item.running;
  }
  total.peak_concurrency = peak_all;
  json totals = usage_json(total);
  totals["runningTasks"] = total_running;
  totals["fargateUsd"] = round6(total_fargate);
  const double always_all = always_on_cost(prices_, peak_all, window_s);
  totals["alwaysOn"] = {{"instances", peak_all}, {"usd", round6(always_all)}, {"perOwnerUsd", round6(total_always_each)}};
  totals["savingsUsd"] = round6(always_all - total_fargate);
  totals["savingsRatio"] = always_all > 0 ? round6((always_all - total_fargate) / always_all) : 0.0;
  // Per 30-day month at the window's rate (for comparing with a monthly bill).
  const double month_s = 30.0 * 86400.0;
  totals["fargateUsdPerMonth"] = window_s > 0 ? round6(total_fargate * month_s / window_s) : 0.0;
  totals["alwaysOnUsdPerMonth"] = round6(always_on_cost(prices_, peak_all, month_s));

  return json{{"apiVersion", "ebb/v1"},
              {"kind", "CostReport"},
              {"window",
               {{"since", rfc3339_s(since_ms)},
                {"start", rfc3339_s(start_ms)},
                {"until", rfc3339_s(now_ms)},
                {"seconds", round6(window_s)}}},
              {"prices",
               {{"table", prices_.name},
                {"vcpuHourUsd", prices_.vcpu_hour},
                {"gbHourUsd", prices_.gb_hour},
                {"minimumBilledSeconds", prices_.minimum_seconds},
                {"instanceHourUsd", prices_.instance_hour},
                {"instanceType", prices_.instance_type}}},
              {"totals", std::move(totals)},
              {"items", std::move(rows)}};
}

std::map<Owner, int64_t> Activity::running_by_owner() const {
  std::lock_guard lock(mu_);
  return running_;
}

}  // namespace ebb::obs

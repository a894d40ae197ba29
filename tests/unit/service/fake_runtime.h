// FakeRuntime: a runtime::Runtime that records launches and stops and lets the test
// script what the processes do (started, exited, launch failed) — the "FakeLauncher
// for scripted exits" of STYLE.md §2. Listener callbacks run on the calling (test)
// thread, one at a time, like the real runtime's reader thread.
#pragma once
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "clock/clock.h"
#include "runtime/runtime.h"

namespace ebb::service::testing {

class FakeRuntime final : public runtime::Runtime {
 public:
  explicit FakeRuntime(Clock& clock) : clock_(clock) {}

  // ---- runtime::Runtime ----
  runtime::Capabilities capabilities() const override { return caps; }
  Result<runtime::Reconnected> start(runtime::Listener* l) override {
    std::lock_guard lk(mu_);
    listener_ = l;
    ++starts;
    return reconnect;
  }
  void launch(const runtime::LaunchSpec& spec) override {
    std::lock_guard lk(mu_);
    launches_.push_back(spec);
  }
  void stop(const std::string& id, int64_t grace_ms) override {
    std::lock_guard lk(mu_);
    stops_.emplace_back(id, grace_ms);
  }
  void shutdown(bool stop_tasks) override {
    std::lock_guard lk(mu_);
    shutdowns_.push_back(stop_tasks);
  }

  // ---- inspection ----
  std::vector<runtime::LaunchSpec> launches() const {
    std::lock_guard lk(mu_);
    return launches_;
  }
  size_t launch_count() const {
    std::lock_guard lk(mu_);
    return launches_.size();
  }
  std::vector<std::string> stopped_ids() const {
    std::lock_guard lk(mu_);
    std::vector<std::string> out;
    for (auto& [id, _] : stops_) out.push_back(id);
    return out;
  }
  std::vector<std::pair<std::string, int64_t>> stops() const {
    std::lock_guard lk(mu_);
    return stops_;
  }
  // The value of `name` in the environment the task was launched with.
  std::string env_of(const std::string& id, const std::string& name) const {
    std::lock_guard lk(mu_);
    for (const auto& l : launches_)
      if (l.task_id == id)
        for (const std::string& kv : l.env)
          if (kv.rfind(name + "=", 0) == 0) return kv.substr(name.size() + 1);
    return "";
  }
  // Tasks launched and not yet reported exited, in launch order.
  std::vector<std::string> alive() const {
    std::lock_guard lk(mu_);
    std::vector<std::string> out;
    for (const auto& l : launches_)
      if (!exited_.count(l.task_id)) out.push_back(l.task_id);
    return out;
  }

  // ---- scripting (call from the test thread, never under a test lock) ----
  void report_started(const std::string& id) {
    runtime::TaskStarted s;
    s.task_id = id;
    s.pid = next_pid_++;
    s.start_ticks = 1000 + static_cast<uint64_t>(s.pid);
    s.started_ms = clock_.now_ms();
    {
      std::lock_guard lk(mu_);
      started_[id] = {s.pid, s.start_ticks};
    }
    listener_->on_started(s);
  }
  // Reports on_started for every launched task not yet started.
  void start_all() {
    for (const std::string& id : alive()) {
      bool started;
      {
        std::lock_guard lk(mu_);
        started = started_.count(id) > 0;
      }
      if (!started) report_started(id);
    }
  }
  void report_exit(const std::string& id, int exit_code, int signal = 0) {
    runtime::TaskExited e;
    e.task_id = id;
    e.exit_code = signal ? -1 : exit_code;
    e.signal = signal;
    e.reason = signal ? "Signaled" : (exit_code == 0 ? "Completed" : "Error");
    e.ended_ms = clock_.now_ms();
    e.cpu_seconds = 0.25;
    e.peak_rss_bytes = 1 << 20;
    {
      std::lock_guard lk(mu_);
      auto it = started_.find(id);
      if (it != started_.end()) e.pid = it->second.first;
      exited_.insert(id);
    }
    listener_->on_exited(e);
  }
  void report_launch_failed(const std::string& id, const std::string& message) {
    runtime::TaskExited e;
    e.task_id = id;
    e.reason = "LaunchFailed";
    e.message = message;
    e.ended_ms = clock_.now_ms();
    {
      std::lock_guard lk(mu_);
      exited_.insert(id);
    }
    listener_->on_exited(e);
  }
  // An idle task goes away as soon as it gets SIGTERM (autoscaling.md §8 harness).
  void exit_stopped() {
    for (const std::string& id : stopped_ids()) {
      bool gone;
      {
        std::lock_guard lk(mu_);
        gone = exited_.count(id) > 0;
      }
      if (!gone) report_exit(id, -1, 15);
    }
  }
  // The launcher died: every task it knew is reported Lost, then the loss itself.
  void report_runtime_lost(const std::string& why) {
    for (const std::string& id : alive()) {
      runtime::TaskExited e;
      e.task_id = id;
      e.reason = "Lost";
      e.message = "launcher connection lost";
      e.ended_ms = clock_.now_ms();
      {
        std::lock_guard lk(mu_);
        exited_.insert(id);
      }
      listener_->on_exited(e);
    }
    listener_->on_runtime_lost(why);
  }
  std::vector<bool> shutdowns() const {
    std::lock_guard lk(mu_);
    return shutdowns_;
  }
  std::pair<int, uint64_t> process_of(const std::string& id) const {
    std::lock_guard lk(mu_);
    auto it = started_.find(id);
    return it == started_.end() ? std::pair<int, uint64_t>{0, 0} : it->second;
  }

  runtime::Capabilities caps;
  runtime::Reconnected reconnect;  // the answer of the next start()
  int starts = 0;

 private:
  Clock& clock_;
  mutable std::mutex mu_;
  runtime::Listener* listener_ = nullptr;
  std::vector<runtime::LaunchSpec> launches_;
  std::vector<std::pair<std::string, int64_t>> stops_;
  std::vector<bool> shutdowns_;
  std::map<std::string, std::pair<int, uint64_t>> started_;
  std::set<std::string> exited_;
  int next_pid_ = 4000;
};

}  // namespace ebb::service::testing

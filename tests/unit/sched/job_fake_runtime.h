// Test support for the JobController: JobFakeRuntime (a runtime::Runtime that
// records launches and stops; the test scripts what processes do, as in
// tests/unit/service/fake_runtime.h) and JobTest, a fixture with FakeClock, MemStore +
// Committer and a small simulator that drives the controller like the daemon: it
// ticks at the instants the controller asks for and lets every launched attempt run
// for the duration a script gives it ("attempts fail 5 s after start, start is
// instant" of scheduling.md §9.8).
#pragma once
#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/crypto.h"
#include "runtime/runtime.h"
#include "sched/job_controller.h"
#include "sched/job_state.h"
#include "support/fake_clock.h"
#include "support/mem_store.h"

namespace ebb::sched::testing {

using nlohmann::json;

class JobFakeRuntime final : public runtime::Runtime {
 public:
  explicit JobFakeRuntime(Clock& clock) : clock_(clock) {}

  runtime::Capabilities capabilities() const override { return {}; }
  Result<runtime::Reconnected> start(runtime::Listener* l) override {
    std::lock_guard lk(mu_);
    listener_ = l;
    ++starts;
    return reconnect;
  }
  void launch(const runtime::LaunchSpec& spec) override {
    if (on_launch) on_launch(spec);  // e.g. what the store holds when a launch is asked for
    std::lock_guard lk(mu_);
    launches_.push_back(spec);
  }
  std::function<void(const runtime::LaunchSpec&)> on_launch;  // set before launches happen
  void stop(const std::string& id, int64_t grace_ms) override {
    std::lock_guard lk(mu_);
    stops_.emplace_back(id, grace_ms);
  }
  void shutdown(bool stop_tasks) override {
    std::lock_guard lk(mu_);
    shutdowns_.push_back(stop_tasks);
  }

  std::vector<runtime::LaunchSpec> launches() const {
    std::lock_guard lk(mu_);
    return launches_;
  }
  size_t launch_count() const {
    std::lock_guard lk(mu_);
    return launches_.size();
  }
  std::vector<std::pair<std::string, int64_t>> stops() const {
    std::lock_guard lk(mu_);
    return stops_;
  }
  static std::string env(const runtime::LaunchSpec& l, const std::string& name) {
    for (const std::string& kv : l.env)
      if (kv.rfind(name + "=", 0) == 0) return kv.substr(name.size() + 1);
    return "<unset>";
  }

  void report_started(const std::string& id) {
    runtime::TaskStarted s;
    s.task_id = id;
    s.pid = next_pid_++;
    s.start_ticks = 1000 + static_cast<uint64_t>(s.pid);
    s.started_ms = clock_.now_ms();
    listener_->on_started(s);
  }
  void report_exit(const std::string& id, int exit_code, int signal = 0) {
    runtime::TaskExited e;
    e.task_id = id;
    e.exit_code = signal ? -1 : exit_code;
    e.signal = signal;
    e.reason = signal ? "Signaled" : (exit_code == 0 ? "Completed" : "Error");
    e.ended_ms = clock_.now_ms();
    listener_->on_exited(e);
  }
  void report_launch_failed(const std::string& id, const std::string& message) {
    runtime::TaskExited e;
    e.task_id = id;
    e.reason = "LaunchFailed";
    e.message = message;
    e.ended_ms = clock_.now_ms();
    listener_->on_exited(e);
  }

  runtime::Reconnected reconnect;  // the answer of the next start()
  int starts = 0;

 private:
  Clock& clock_;
  mutable std::mutex mu_;
  runtime::Listener* listener_ = nullptr;
  std::vector<runtime::LaunchSpec> launches_;
  std::vector<std::pair<std::string, int64_t>> stops_;
  std::vector<bool> shutdowns_;
  int next_pid_ = 5000;
};

// What one launched attempt does: runs `ms` (< 0: until stopped), then exits.
struct Plan {
  int64_t ms = -1;
  int exit_code = 0;
  int signal = 0;
};

struct Launch {
  int64_t at_s;           // seconds since the test began
  std::string id;
  std::string index;      // JOB_COMPLETION_INDEX ("<unset>" for NonIndexed)
  runtime::LaunchSpec spec;
};

inline json job_doc(const std::string& name, json spec, json container = json{{"name", "main"}, {"command", {"work"}}},
                    const std::string& restart = "Never") {
  spec["template"] = {{"spec", {{"restartPolicy", restart}, {"containers", json::array({std::move(container)})}}}};
  return {{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", {{"name", name}}}, {"spec", std::move(spec)}};
}

class JobTest : public ::testing::Test {
 protected:
  FakeClock clock;
  MemStore store;
  std::unique_ptr<Committer> committer;
  std::unique_ptr<JobFakeRuntime> rt;
  std::unique_ptr<JobController> ctl;
  JobControllerConfig cfg;
  std::string data_dir;
  uint64_t barrier_ = 0;
  MonoTime t0;

  // The script: launch number (0-based, over the whole test) and the launch → plan.
  std::function<Plan(size_t, const Launch&)> script = [](size_t, const Launch&) { return Plan{}; };
  bool exit_on_stop = true;               // a stopped attempt exits at once (SIGTERM)
  std::vector<Launch> launched;
  std::multimap<int64_t, std::pair<std::string, Plan>> exits;  // mono ms → attempt
  std::set<std::string> running;
  size_t seen_launches = 0, seen_stops = 0;

  void SetUp() override {
    data_dir = (std::filesystem::temp_directory_path() / ("ebb-job-test-" + hex_encode(random_bytes(6)))).string();
    std::filesystem::create_directories(data_dir);
    cfg.data_dir = data_dir;
    cfg.endpoint_url = "http://127.0.0.1:9324";
    committer = std::make_unique<Committer>(store);
    committer->start();
    t0 = clock.mono_now();
    start_controller();
  }
  void TearDown() override {
    ctl.reset();
    committer->stop();
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }
  // A controller loaded from what the store holds, as after a restart.
  void start_controller(runtime::Reconnected reconnect = {}) {
    rt = std::make_unique<JobFakeRuntime>(clock);
    rt->reconnect = std::move(reconnect);
    seen_launches = seen_stops = 0;
    ctl = std::make_unique<JobController>(clock, *committer, *rt, cfg);
    settle();
    ctl->load(store.load_records());
    ASSERT_TRUE(ctl->start().ok());
    settle();
  }
  // Everything appended is durable and the durability callbacks (launches) ran; see
  // tests/unit/service/harness.h for why two barriers.
  void settle() {
    for (int i = 0; i < 2; ++i) {
      std::promise<bool> p;
      Token t = committer->append(op::PutMeta{"test.barrier", std::to_string(++barrier_)});
      committer->when_durable(t, [&](bool ok) { p.set_value(ok); });
      ASSERT_TRUE(p.get_future().get());
    }
  }
  int64_t now_ms() const { return std::chrono::duration_cast<Millis>(clock.mono_now() - MonoTime{}).count(); }
  int64_t elapsed_s() const { return std::chrono::duration_cast<Millis>(clock.mono_now() - t0).count() / 1000; }
  std::string at(int64_t s) const { return job_time_s(clock.now_ms() - std::chrono::duration_cast<Millis>(clock.mono_now() - t0).count() + s * 1000); }

  // New launches start at once (and get their exit scheduled); new stops end their
  // attempt with SIGTERM when exit_on_stop.
  void absorb() {
    for (;;) {
      settle();
      bool more = false;
      auto ls = rt->launches();
      for (; seen_launches < ls.size(); ++seen_launches) {
        more = true;
        Launch l{elapsed_s(), ls[seen_launches].task_id, JobFakeRuntime::env(ls[seen_launches], "JOB_COMPLETION_INDEX"),
                 ls[seen_launches]};
        const Plan p = script(launched.size(), l);
        launched.push_back(l);
        running.insert(l.id);
        rt->report_started(l.id);
        if (p.ms >= 0) exits.emplace(now_ms() + p.ms, std::make_pair(l.id, p));
      }
      auto ss = rt->stops();
      for (; seen_stops < ss.size(); ++seen_stops) {
        const std::string id = ss[seen_stops].first;
        if (!exit_on_stop || !running.count(id)) continue;
        more = true;
        running.erase(id);
        for (auto it = exits.begin(); it != exits.end();)
          it = it->second.first == id ? exits.erase(it) : std::next(it);
        rt->report_exit(id, -1, 15);
      }
      if (!more) return;
    }
  }
  void tick() {
    ctl->tick();
    absorb();
  }
  // Runs the daemon loop until `end_s` (seconds since the test began), inclusive.
  void run_until(int64_t end_s) {
    const int64_t end = std::chrono::duration_cast<Millis>(t0 - MonoTime{}).count() + end_s * 1000;
    for (int guard = 0; guard < 100000; ++guard) {
      absorb();
      MonoTime next = ctl->tick();
      absorb();
      bool any = false;
      while (!exits.empty() && exits.begin()->first <= now_ms()) {
        auto [id, p] = exits.begin()->second;
        exits.erase(exits.begin());
        running.erase(id);
        rt->report_exit(id, p.exit_code, p.signal);
        any = true;
        absorb();
      }
      if (any) continue;
      int64_t n = std::chrono::duration_cast<Millis>(next - MonoTime{}).count();
      if (!exits.empty()) n = std::min(n, exits.begin()->first);
      if (n > end) break;
      if (n <= now_ms()) n = now_ms() + 1;
      clock.advance(Millis{n - now_ms()});
    }
    if (end > now_ms()) clock.advance(Millis{end - now_ms()});
    tick();
    tick();
  }

  void apply(const json& doc, const std::string& want_action = "") {
    std::vector<std::string> warnings;
    auto r = ctl->apply(doc, warnings);
    ASSERT_TRUE(r.ok()) << r.error().message;
    if (!want_action.empty()) {
      EXPECT_EQ(r->first, want_action);
    }
    settle();
  }
  json job(const std::string& name) {
    auto r = ctl->get(name);
    EXPECT_TRUE(r.ok()) << name;
    return r.ok() ? *r : json();
  }
  json status(const std::string& name) { return job(name)["status"]; }
  // The condition of `type` ({} when absent).
  json cond(const std::string& name, const std::string& type) {
    const json st = status(name);
    for (auto& c : st["conditions"])
      if (c["type"] == type) return c;
    return json::object();
  }
  std::vector<int64_t> launch_times() const {
    std::vector<int64_t> out;
    for (auto& l : launched) out.push_back(l.at_s);
    return out;
  }
  std::vector<std::pair<int64_t, std::string>> launch_indexes() const {
    std::vector<std::pair<int64_t, std::string>> out;
    for (auto& l : launched) out.emplace_back(l.at_s, l.index);
    return out;
  }
  std::vector<std::string> event_reasons(const std::string& name) {
    std::vector<std::string> out;
    auto r = ctl->events(name);
    if (r.ok())
      for (auto& e : (*r)["items"]) out.push_back(e["reason"]);
    return out;
  }
  bool has_event(const std::string& name, const std::string& reason) {
    for (auto& r : event_reasons(name))
      if (r == reason) return true;
    return false;
  }
  size_t records_of(const std::string& kind) {
    size_t n = 0;
    for (auto& r : store.load_records()) n += r.kind == kind;
    return n;
  }
};

}  // namespace ebb::sched::testing

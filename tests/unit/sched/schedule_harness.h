// Test fixture for the ScheduleController: FakeClock, MemStore + Committer, a real
// Engine, a FakeJobStarter (Jobs whose progress the test scripts) and a small
// table-driven SlotsFactory (UTC only: "*/N * * * *", "M * * * *", "M H * * *",
// "cron(M H * * ? *)", "rate(N minute(s)|hour(s))", "at(…)"), so slot decisions are
// tested independently of the expression parser.
#pragma once
#include <atomic>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "queue/engine.h"
#include "sched/schedule_controller.h"
#include "sched/schedule_spec.h"
#include "support/fake_clock.h"
#include "support/mem_store.h"

namespace ebb::sched::testing {

using nlohmann::json;

inline int64_t T(const char* rfc3339) { return *parse_rfc3339(rfc3339); }

// ---- slots ----
class TableSeries final : public SlotSeries {
 public:
  enum class Kind { Period, Once } kind = Kind::Period;
  int64_t period = 0, phase = 0;  // slots at phase + k·period
  bool from_phase = false;
  std::optional<int64_t> next_after(int64_t after) const override {
    if (kind == Kind::Once) return after < phase ? std::optional<int64_t>(phase) : std::nullopt;
    if (from_phase && after < phase) return phase;  // rate(): anchor + k·period, k ≥ 0
    const int64_t k = (after - phase) >= 0 ? (after - phase) / period + 1 : -((phase - after - 1) / period);
    return phase + k * period;
  }
};

inline Result<std::shared_ptr<const SlotSeries>> table_slots(const std::string& text, Dialect, const std::string& zone,
                                                            int64_t anchor, bool allow_past) {
  if (zone != "UTC") return err(Code::Invalid, "timeZone: unknown zone " + zone);
  auto s = std::make_shared<TableSeries>();
  int n = 0, h = 0, m = 0;
  char unit[16] = {0};
  if (std::sscanf(text.c_str(), "*/%d * * * *", &n) == 1) {
    s->period = n * 60'000;
  } else if (std::sscanf(text.c_str(), "rate(%d %15[a-z])", &n, unit) == 2) {
    const std::string u = unit;
    s->period = n * (u.rfind("hour", 0) == 0 ? 3'600'000 : 60'000);
    s->phase = anchor - ((anchor % 60'000) + 60'000) % 60'000;
    s->from_phase = true;
  } else if (text.rfind("at(", 0) == 0) {
    s->kind = TableSeries::Kind::Once;
    s->phase = T((text.substr(3, 19) + "Z").c_str());
    if (s->phase < anchor && !allow_past) return err(Code::Invalid, "expression: at() is in the past");
  } else if (std::sscanf(text.c_str(), "cron(%d %d * * ? *)", &m, &h) == 2 ||
             std::sscanf(text.c_str(), "%d %d * * *", &m, &h) == 2) {
    s->period = 86'400'000;
    s->phase = (h * 60 + m) * 60'000;
  } else if (std::sscanf(text.c_str(), "%d * * * *", &m) == 1) {
    s->period = 3'600'000;
    s->phase = m * 60'000;
  } else {
    return err(Code::Invalid, "expression: not in the test table: " + text);
  }
  return std::shared_ptr<const SlotSeries>(s);
}

// ---- jobs ----
struct FakeJob {
  JobSummary s;
  json spec, labels, annotations;
  bool suspended = false;
};

class FakeJobStarter final : public JobStarter {
 public:
  explicit FakeJobStarter(Clock& c) : clock_(c) {}
  // Like the JobController, commits `with` in one transaction when the Job is created
  // (its Job lives in `jobs`, which a simulated crash keeps or drops), nothing on failure.
  Result<Token> create(const std::string& name, const json& spec, const std::string& owner, const json& labels,
                       const json& annotations, std::vector<StoreOp> with) override {
    std::lock_guard lk(mu);
    if (on_create) on_create(name);
    if (fail_with) return Error{fail_with->code, fail_with->message};
    if (jobs.count(name)) return err(Code::Conflict, "job/" + name + " already exists");
    Token t = 0;
    if (!with.empty()) t = committer->append_all(std::move(with));
    FakeJob j;
    j.s.name = name;
    j.s.owner = owner;
    j.s.active = 1;
    j.s.start_ms = clock_.now_ms();
    j.spec = spec;
    j.labels = labels;
    j.annotations = annotations;
    jobs[name] = j;
    created.push_back(name);
    return t;
  }
  std::optional<JobSummary> summary(const std::string& name) const override {
    std::lock_guard lk(mu);
    auto it = jobs.find(name);
    if (it == jobs.end()) return std::nullopt;
    return it->second.s;
  }
  std::vector<JobSummary> owned_by(const std::string& owner) const override {
    std::lock_guard lk(mu);
    std::vector<JobSummary> out;
    for (auto& [_, j] : jobs)
      if (j.s.owner == owner) out.push_back(j.s);
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.start_ms < b.start_ms; });
    return out;
  }
  Result<Token> remove(const std::string& name) override {
    std::lock_guard lk(mu);
    if (!jobs.erase(name)) return err(Code::NotFound, "job/" + name + " not found");
    removed.push_back(name);
    return Token{0};
  }
  Result<Token> set_suspended(const std::string& name, bool suspend) override {
    std::lock_guard lk(mu);
    auto it = jobs.find(name);
    if (it == jobs.end()) return err(Code::NotFound, "job/" + name + " not found");
    it->second.suspended = suspend;
    if (suspend) suspended_jobs.push_back(name);
    return Token{0};
  }

  // ---- scripting ----
  void finish(const std::string& name, bool ok) {
    std::lock_guard lk(mu);
    auto& s = jobs.at(name).s;
    s.active = 0;
    s.finished = true;
    s.complete = ok;
    (ok ? s.succeeded : s.failed) = 1;
    s.completion_ms = clock_.now_ms();
  }
  void processes_gone(const std::string& name) {  // after SIGTERM (Replace)
    std::lock_guard lk(mu);
    jobs.at(name).s.active = 0;
  }
  std::vector<std::string> names() const {
    std::lock_guard lk(mu);
    std::vector<std::string> out;
    for (auto& [n, _] : jobs) out.push_back(n);
    return out;
  }

  mutable std::mutex mu;
  std::map<std::string, FakeJob> jobs;
  std::vector<std::string> created, removed, suspended_jobs;
  std::optional<Error> fail_with;
  std::function<void(const std::string&)> on_create;
  Committer* committer = nullptr;  // set by the fixture's open()

 private:
  Clock& clock_;
};

// ---- fixture ----
class SchedTest : public ::testing::Test {
 protected:
  FakeClock clock;
  std::unique_ptr<MemStore> store = std::make_unique<MemStore>();
  std::unique_ptr<Committer> committer;
  std::unique_ptr<Engine> engine;
  FakeJobStarter* jobs = nullptr;  // owned by ctl
  std::unique_ptr<ScheduleController> ctl;
  uint64_t barrier_ = 0;
  std::atomic<bool> woken{false};

  void SetUp() override { open(); }
  void TearDown() override { close(); }

  void open(std::unique_ptr<FakeJobStarter> starter = nullptr) {
    committer = std::make_unique<Committer>(*store);
    committer->start();
    engine = std::make_unique<Engine>(clock, *store, *committer);
    engine->load();
    if (!starter) starter = std::make_unique<FakeJobStarter>(clock);
    jobs = starter.get();
    jobs->committer = committer.get();
    ctl = std::make_unique<ScheduleController>(clock, *committer, *engine, std::move(starter), table_slots);
    ctl->load(store->load_records());
    ctl->on_wakeup([this] { woken = true; });
    ASSERT_TRUE(ctl->start().ok());
    settle();
  }
  void close() {
    settle();
    ctl.reset();
    engine.reset();
    committer->stop();
    committer.reset();
  }
  // ebb restarts on the same store; `starter` keeps (or replaces) the Jobs it knew.
  std::unique_ptr<FakeJobStarter> take_jobs() {
    auto copy = std::make_unique<FakeJobStarter>(clock);
    std::lock_guard lk(jobs->mu);
    copy->jobs = jobs->jobs;
    return copy;
  }
  void restart(bool keep_jobs = true) {
    auto kept = keep_jobs ? take_jobs() : nullptr;
    close();
    open(std::move(kept));
  }

  void settle() {
    for (int i = 0; i < 2; ++i) {
      std::promise<bool> p;
      Token t = committer->append(op::PutMeta{"test.barrier", std::to_string(++barrier_)});
      committer->when_durable(t, [&](bool ok) { p.set_value(ok); });
      ASSERT_TRUE(p.get_future().get());
    }
  }
  void go_to(int64_t wall) { clock.advance(Millis{wall - clock.now_ms()}); }
  int64_t mono() const { return std::chrono::duration_cast<Millis>(clock.mono_now() - MonoTime{}).count(); }
  // The wall instant tick()'s answer stands for (no wall step since).
  // Like the daemon: tick again at once when the controller asked for it (a launch
  // finished after its claim became durable).
  int64_t tick() {
    MonoTime next;
    for (int i = 0; i < 10; ++i) {
      woken = false;
      next = ctl->tick();
      settle();
      if (!woken) break;
    }
    const int64_t d = std::chrono::duration_cast<Millis>(next - clock.mono_now()).count();
    return clock.now_ms() + d;
  }
  // Runs like the daemon until wall instant `end`: ticks at every instant asked for.
  void run_until(int64_t end) {
    for (int guard = 0; guard < 100'000; ++guard) {
      const int64_t next = tick();
      if (next > end) break;
      if (next > clock.now_ms()) go_to(next);
    }
    go_to(end);
    tick();
  }
  void apply(const json& doc, const std::string& want = "") {
    std::vector<std::string> warnings;
    auto r = ctl->apply(doc, warnings);
    ASSERT_TRUE(r.ok()) << r.error().message;
    if (!want.empty()) {
      EXPECT_EQ(r->first, want);
    }
    settle();
  }
  void create_queue(const std::string& name) {
    auto r = engine->create_queue(name, {}, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    settle();
  }

  json get(const std::string& kind, const std::string& name) {
    auto r = ctl->get(kind, name);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : json();
  }
  json runs(const std::string& kind, const std::string& name) { return get(kind, name)["status"]["runs"]; }
  json run_at(const std::string& kind, const std::string& name, int64_t slot) {
    for (auto& r : runs(kind, name))
      if (r["slot"] == rfc3339_s(slot) && !r.contains("manual")) return r;
    return json();
  }
  std::vector<std::string> event_reasons(const std::string& kind, const std::string& name) {
    std::vector<std::string> out;
    auto r = ctl->events(kind, name);
    if (r.ok())
      for (auto& e : (*r)["items"]) out.push_back(e["reason"]);
    return out;
  }
  size_t count_reason(const std::string& kind, const std::string& name, const std::string& reason) {
    size_t n = 0;
    for (auto& r : event_reasons(kind, name)) n += r == reason;
    return n;
  }
};

inline json cronjob(const std::string& name, const std::string& schedule, json extra = json::object()) {
  json container = {{"name", "c"}, {"command", json::array({"true"})}};
  json pod = {{"restartPolicy", "Never"}, {"containers", json::array({container})}};
  json spec = {{"schedule", schedule}, {"jobTemplate", {{"spec", {{"template", {{"spec", pod}}}}}}}};
  for (auto& [k, v] : extra.items()) spec[k] = v;
  return {{"apiVersion", "batch/v1"}, {"kind", "CronJob"}, {"metadata", {{"name", name}}}, {"spec", spec}};
}

inline json schedule(const std::string& name, const std::string& expr, json target, json extra = json::object()) {
  json spec = {{"expression", expr}, {"target", std::move(target)}};
  for (auto& [k, v] : extra.items()) spec[k] = v;
  return {{"apiVersion", "ebb/v1"}, {"kind", "Schedule"}, {"metadata", {{"name", name}}}, {"spec", spec}};
}

inline json task_target() {
  return {{"task", {{"command", json::array({"/bin/report"})}, {"args", json::array({"--x"})}}}};
}

}  // namespace ebb::sched::testing

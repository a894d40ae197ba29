// Test fixture for the ServiceController: FakeClock, MemStore + Committer, a real
// Engine and a FakeRuntime; helpers to drive the controller like the daemon does
// (tick at the instants it asks for) and to act as the tasks' workers (receive and
// delete with a task's access key).
#pragma once
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/crypto.h"
#include "queue/engine.h"
#include "service/service_controller.h"
#include "support/fake_clock.h"
#include "support/mem_store.h"
#include "fake_runtime.h"

namespace ebb::service::testing {

using nlohmann::json;

inline json service_doc(const std::string& name, json scaling, json tmpl = json{{"command", {"worker"}}}) {
  return {{"apiVersion", "ebb/v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}}},
          {"spec", {{"template", std::move(tmpl)}, {"scaling", std::move(scaling)}}}};
}

class ServiceTest : public ::testing::Test {
 protected:
  FakeClock clock;
  MemStore store;
  std::unique_ptr<Committer> committer;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<FakeRuntime> rt;
  std::unique_ptr<ServiceController> ctl;
  ControllerConfig cfg;
  std::string data_dir;
  uint64_t barrier_ = 0;

  void SetUp() override {
    data_dir = (std::filesystem::temp_directory_path() / ("ebb-service-test-" + hex_encode(random_bytes(6)))).string();
    std::filesystem::create_directories(data_dir);
    cfg.data_dir = data_dir;
    cfg.endpoint_url = "http://127.0.0.1:9324";
    committer = std::make_unique<Committer>(store);
    committer->start();
    engine = std::make_unique<Engine>(clock, store, *committer);
    engine->load();
    start_controller();
  }
  void TearDown() override {
    stop_controller();
    engine.reset();
    committer->stop();
    std::error_code ec;
    std::filesystem::remove_all(data_dir, ec);
  }
  // A controller (and runtime) loaded from what the store holds, as after a restart.
  void start_controller(runtime::Reconnected reconnect = {}) {
    rt = std::make_unique<FakeRuntime>(clock);
    rt->reconnect = std::move(reconnect);
    ctl = std::make_unique<ServiceController>(clock, *engine, *committer, *rt, cfg);
    settle();
    ctl->load(store.load_records());
    ASSERT_TRUE(ctl->start().ok());
    engine->on_counts_changed([c = ctl.get()] { c->notify_counts_changed(); });
    settle();
  }
  void stop_controller() {
    engine->on_counts_changed(nullptr);
    settle();
    ctl.reset();
  }

  // Waits until everything appended so far is durable and every durability callback
  // registered before (the controller's launches) has run. One barrier is not enough:
  // its callback may run inline on this thread while the writer thread is still running
  // the callbacks of the batch that covered it. A second barrier, appended once the
  // first is durable, lands in a later batch, which the writer commits only after it
  // has finished the earlier batch's callbacks.
  void settle() {
    for (int i = 0; i < 2; ++i) {
      std::promise<bool> p;
      Token t = committer->append(op::PutMeta{"test.barrier", std::to_string(++barrier_)});
      committer->when_durable(t, [&](bool ok) { p.set_value(ok); });
      ASSERT_TRUE(p.get_future().get());
    }
  }
  int64_t now_ms() const { return std::chrono::duration_cast<Millis>(clock.mono_now() - MonoTime{}).count(); }
  MonoTime tick() {
    MonoTime next = ctl->tick();
    settle();
    return next;
  }
  // Runs the controller like the daemon for `ms`: ticks at every instant it asks for
  // (and at the end), so timers fire exactly when they are due.
  void run_for(int64_t ms) {
    const MonoTime end = clock.mono_now() + Millis{ms};
    for (;;) {
      engine->tick();
      MonoTime next = tick();
      if (next > end) break;
      clock.advance(std::chrono::duration_cast<Millis>(next - clock.mono_now()));
    }
    clock.advance(std::chrono::duration_cast<Millis>(end - clock.mono_now()));
    engine->tick();
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

  // ---- queue helpers ----
  void create_queue(const std::string& name, std::map<std::string, std::string> attrs = {}) {
    auto r = engine->create_queue(name, attrs, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    durable(*r);
  }
  void durable(Token t) {
    std::promise<bool> p;
    engine->when_durable(t, [&](bool ok) { p.set_value(ok); });
    ASSERT_TRUE(p.get_future().get());
  }
  void send(const std::string& q, int n) {
    std::vector<SendEntry> batch;
    for (int i = 0; i < n; ++i) {
      SendEntry e;
      e.body = "m" + std::to_string(i);
      batch.push_back(std::move(e));
      if (batch.size() == 10 || i == n - 1) {
        Token t = 0;
        auto r = engine->send(q, std::move(batch), t);
        ASSERT_TRUE(r.ok()) << r.error().message;
        durable(t);
        batch.clear();
      }
    }
  }
  // A receive signed with a task's access key.
  std::vector<Delivered> receive_as(const std::string& task, const std::string& q, int max, int wait_s = 0,
                                    int visibility = 300) {
    ReceiveOptions o;
    o.max_messages = max;
    o.wait_seconds = wait_s;
    o.visibility = visibility;
    o.consumer = rt->env_of(task, "AWS_ACCESS_KEY_ID");
    std::promise<Result<std::vector<Delivered>>> p;
    engine->receive(q, o, [&](Result<std::vector<Delivered>> r) { p.set_value(std::move(r)); });
    auto f = p.get_future();
    // A hang guard, not a timing assertion: draining receives answer without waiting.
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    auto r = f.get();
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<Delivered>{};
  }
  void remove_messages(const std::string& q, const std::vector<Delivered>& msgs) {
    std::vector<std::string> handles;
    for (auto& m : msgs) handles.push_back(m.receipt_handle);
    if (handles.empty()) return;
    Token t = 0;
    auto r = engine->delete_messages(q, handles, t);
    ASSERT_TRUE(r.ok());
    durable(t);
  }

  // ---- views ----
  json status(const std::string& svc) {
    auto r = ctl->get(svc);
    EXPECT_TRUE(r.ok());
    return r.ok() ? (*r)["status"] : json();
  }
  int64_t desired(const std::string& svc) { return status(svc)["desired"].get<int64_t>(); }
  std::vector<std::string> task_ids(const std::string& svc, const std::string& state) {
    std::vector<std::string> out;
    const json list = ctl->list_tasks("service/" + svc, true);
    for (auto& t : list["items"])
      if (state.empty() || t["status"]["state"] == state) out.push_back(t["metadata"]["name"]);
    return out;
  }
  std::string task_state(const std::string& id) {
    auto r = ctl->get_task(id);
    return r.ok() ? (*r)["status"]["state"].get<std::string>() : "(none)";
  }
  std::vector<std::string> event_reasons(const std::string& svc) {
    std::vector<std::string> out;
    auto r = ctl->events(svc);
    if (r.ok()) {
      for (auto& e : (*r)["items"]) out.push_back(e["reason"]);
    }
    return out;
  }
  size_t count_reason(const std::string& svc, const std::string& reason) {
    size_t n = 0;
    for (auto& r : event_reasons(svc)) n += r == reason;
    return n;
  }
  size_t records_of(const std::string& kind) {
    size_t n = 0;
    for (auto& r : store.load_records()) n += r.kind == kind;
    return n;
  }
};

}  // namespace ebb::service::testing

// AlarmController on a fake clock over a MemStore: sampling the /metrics text,
// state history that survives a restart, webhook signing, retries with back-off and
// giving up, the queue and log actions, references checked at apply.
#include <gtest/gtest.h>

#include <future>
#include <mutex>

#include "alarm/alarm_controller.h"
#include "alarm/webhook.h"
#include "base/crypto.h"
#include "manifest/manifest.h"
#include "queue/engine.h"
#include "support/fake_clock.h"
#include "support/mem_store.h"

namespace ebb::alarm {
namespace {

using nlohmann::json;

// Answers webhooks from a script (one status per attempt; the last repeats).
struct FakeSender final : WebhookSender {
  struct Shared {
    std::mutex mu;
    std::vector<WebhookRequest> sent;
    std::vector<int> statuses{200};
  };
  std::shared_ptr<Shared> s = std::make_shared<Shared>();
  void send(WebhookRequest r, std::function<void(WebhookOutcome)> done) override {
    WebhookOutcome o;
    {
      std::lock_guard<std::mutex> g(s->mu);
      size_t i = std::min(s->sent.size(), s->statuses.size() - 1);
      o.status = s->statuses[i];
      if (o.status == 0) o.error = "Connection refused";
      s->sent.push_back(std::move(r));
    }
    done(o);  // synchronously, as if the worker had answered at once
  }
};

json doc_of(const std::string& yaml) {
  auto docs = manifest::parse_file(yaml, "a.yaml");
  EXPECT_TRUE(docs.ok()) << docs.error().message;
  auto v = manifest::validate_all(*docs);
  EXPECT_TRUE(v.ok()) << v.error().message;
  return (*v)[0].doc;
}

std::string dlq_alarm(const std::string& notify) {
  return "apiVersion: ebb/v1\nkind: Alarm\nmetadata:\n  name: dlq\nspec:\n"
         "  metric: ebb_queue_messages_visible\n  labels: {queue: work-dlq}\n  statistic: Maximum\n"
         "  comparison: GreaterThanThreshold\n  threshold: 0\n  periodSeconds: 10\n  notify:\n" +
         notify;
}

class AlarmControllerTest : public ::testing::Test {
 protected:
  FakeClock clock;
  std::unique_ptr<MemStore> store = std::make_unique<MemStore>();
  std::unique_ptr<Committer> committer;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<AlarmController> ctl;
  std::shared_ptr<FakeSender::Shared> hooks;
  std::mutex mu;
  double dlq_depth = 0;          // what the scrape shows
  bool dlq_present = true;
  std::vector<json> logged;
  std::map<std::string, std::string> env{{"HOOK_KEY", "s3cret"}};
  uint64_t barrier = 0;

  void SetUp() override { open(); }
  void TearDown() override { close(); }

  void open() {
    committer = std::make_unique<Committer>(*store);
    committer->start();
    engine = std::make_unique<Engine>(clock, *store, *committer);
    engine->load();
    auto sender = std::make_unique<FakeSender>();
    if (hooks) sender->s = hooks;
    hooks = sender->s;
    AlarmControllerConfig cfg;
    cfg.data_dir = "/nonexistent-ebb-test-dir";
    cfg.getenv = [this](const std::string& k) -> std::optional<std::string> {
      auto it = env.find(k);
      return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    cfg.log = [this](const std::string& level, const std::string& msg, const json& f) {
      std::lock_guard<std::mutex> g(mu);
      logged.push_back({{"level", level}, {"msg", msg}, {"fields", f}});
    };
    ctl = std::make_unique<AlarmController>(clock, *committer, *engine, nullptr, std::move(sender), cfg);
    ctl->set_scrape([this] {
      std::string page = "# TYPE ebb_queue_messages_visible gauge\n";
      if (dlq_present) page += "ebb_queue_messages_visible{queue=\"work-dlq\"} " + std::to_string(dlq_depth) + "\n";
      page += "ebb_queue_messages_visible{queue=\"other\"} 99\n";
      std::string own;
      ctl->render_metrics(own);  // the real page includes the alarm families
      return page + own;
    });
    ctl->load(store->load_records());
  }
  void close() {
    settle();
    ctl.reset();
    engine.reset();
    committer->stop();
    committer.reset();
  }
  void restart() {
    close();
    open();
  }
  void settle() {
    std::promise<bool> p;
    Token t = committer->append(op::PutMeta{"test.barrier", std::to_string(++barrier)});
    committer->when_durable(t, [&](bool ok) { p.set_value(ok); });
    ASSERT_TRUE(p.get_future().get());
  }
  // One tick, then another once the transitions it recorded are durable.
  int64_t tick() {
    ctl->tick();
    settle();
    MonoTime next = ctl->tick();
    settle();
    return std::chrono::duration_cast<Millis>(next - clock.mono_now()).count();
  }
  // Ticks every `step` seconds for `seconds`.
  void run_for(int64_t seconds, int64_t step = 1) {
    for (int64_t i = 0; i < seconds; i += step) {
      clock.advance_s(step);
      tick();
    }
  }
  json get(const std::string& name) {
    auto g = ctl->get(name);
    EXPECT_TRUE(g.ok());
    return g.ok() ? *g : json();
  }
  std::string apply(const std::string& yaml) {
    std::vector<std::string> w;
    auto r = ctl->apply(doc_of(yaml), w);
    if (!r.ok()) return "error: " + r.error().message;
    settle();
    return r->first;
  }
};

TEST_F(AlarmControllerTest, FiresSignsAndRecordsHistory) {
  ASSERT_EQ(apply(dlq_alarm("    - webhook: {url: \"http://127.0.0.1:9/hook\", secretRef: {env: HOOK_KEY}}\n")),
            "created");
  EXPECT_EQ(get("dlq")["status"]["state"], "INSUFFICIENT_DATA");
  tick();
  run_for(12);
  EXPECT_EQ(get("dlq")["status"]["state"], "OK");
  EXPECT_TRUE(hooks->sent.empty()) << "the default states: [ALARM]";

  dlq_depth = 2;
  run_for(10);
  json a = get("dlq");
  ASSERT_EQ(a["status"]["state"], "ALARM") << a.dump(2);
  ASSERT_EQ(hooks->sent.size(), 1u);
  const WebhookRequest& r = hooks->sent[0];
  json body = json::parse(r.body);
  EXPECT_EQ(body["alarm"], "dlq");
  EXPECT_EQ(body["previousState"], "OK");
  EXPECT_EQ(body["state"], "ALARM");
  EXPECT_EQ(body["condition"]["labels"]["queue"], "work-dlq");
  EXPECT_EQ(body["datapoints"][0]["value"], 2);
  std::map<std::string, std::string> h(r.headers.begin(), r.headers.end());
  EXPECT_EQ(h["X-Ebb-Signature-256"], "sha256=" + hex_encode(hmac_sha256("s3cret", r.body)));
  EXPECT_EQ(h["Content-Type"], "application/json");
  EXPECT_EQ(h["X-Ebb-Delivery"], "dlq/2/0");

  json hist = a["status"]["history"];  // newest first
  ASSERT_GE(hist.size(), 4u);
  EXPECT_EQ(hist[0]["type"], "Action");
  EXPECT_EQ(hist[0]["result"], "success");
  EXPECT_EQ(hist[1]["type"], "StateUpdate");
  EXPECT_EQ(hist[1]["from"], "OK");
  EXPECT_EQ(hist[1]["to"], "ALARM");
  EXPECT_NE(hist[1]["reason"].get<std::string>().find("greater than the threshold (0)"), std::string::npos);
  EXPECT_EQ(hist.back()["summary"], "Alarm created");

  std::string page;
  ctl->render_metrics(page);
  EXPECT_NE(page.find("ebb_alarm_state{alarm=\"dlq\",state=\"ALARM\"} 1\n"), std::string::npos) << page;
  EXPECT_NE(page.find("ebb_alarm_state{alarm=\"dlq\",state=\"OK\"} 0\n"), std::string::npos);
  EXPECT_NE(page.find("ebb_alarm_transitions_total{alarm=\"dlq\",to=\"ALARM\"} 1\n"), std::string::npos);
  EXPECT_NE(page.find("ebb_webhook_deliveries_total{alarm=\"dlq\",result=\"success\"} 1\n"), std::string::npos);

  // The state and its history survive a restart; nothing is re-sent.
  restart();
  a = get("dlq");
  EXPECT_EQ(a["status"]["state"], "ALARM");
  EXPECT_EQ(a["status"]["transitions"], 2);
  EXPECT_EQ(a["status"]["history"].size(), hist.size());
  run_for(12);
  EXPECT_EQ(hooks->sent.size(), 1u);
  dlq_present = false;  // the queue was deleted: no data
  run_for(25);
  EXPECT_EQ(get("dlq")["status"]["state"], "INSUFFICIENT_DATA");
}

TEST_F(AlarmControllerTest, WebhookRetriesWithBackOffThenGivesUp) {
  hooks->statuses = {503, 0, 200};
  ASSERT_EQ(apply(dlq_alarm("    - webhook: {url: \"http://127.0.0.1:9/hook\"}\n")), "created");
  dlq_depth = 1;
  tick();
  clock.advance_s(10);
  tick();
  ASSERT_EQ(get("dlq")["status"]["state"], "ALARM");
  ASSERT_EQ(hooks->sent.size(), 1u);
  EXPECT_EQ(get("dlq")["status"]["pendingNotifications"].size(), 1u);
  clock.advance(Millis(999));
  tick();
  EXPECT_EQ(hooks->sent.size(), 1u) << "the first retry waits 1 s";
  clock.advance(Millis(1));
  tick();
  EXPECT_EQ(hooks->sent.size(), 2u);
  clock.advance(Millis(1999));
  tick();
  EXPECT_EQ(hooks->sent.size(), 2u) << "the second retry waits 2 s";
  clock.advance(Millis(1));
  tick();
  ASSERT_EQ(hooks->sent.size(), 3u);
  std::map<std::string, std::string> h(hooks->sent[2].headers.begin(), hooks->sent[2].headers.end());
  EXPECT_EQ(h["X-Ebb-Attempt"], "3");
  EXPECT_EQ(h.count("X-Ebb-Signature-256"), 0u) << "no secret, no signature";
  json a = get("dlq");
  EXPECT_TRUE(a["status"]["pendingNotifications"].empty());
  EXPECT_EQ(a["status"]["history"][0]["result"], "success");
  std::string page;
  ctl->render_metrics(page);
  EXPECT_NE(page.find("ebb_webhook_deliveries_total{alarm=\"dlq\",result=\"failure\"} 2\n"), std::string::npos) << page;

  // A 4xx other than 408/429 is final; maxAttempts bounds the rest.
  hooks->sent.clear();
  hooks->statuses = {404};
  dlq_depth = 0;
  run_for(25);
  ASSERT_EQ(get("dlq")["status"]["state"], "OK");
  ASSERT_EQ(apply(dlq_alarm("    - states: [OK, ALARM]\n      webhook: {url: \"http://127.0.0.1:9/x\", maxAttempts: 3}\n")),
            "configured");
  dlq_depth = 5;
  run_for(25);
  ASSERT_EQ(hooks->sent.size(), 1u);
  a = get("dlq");
  EXPECT_EQ(a["status"]["history"][0]["result"], "failure");
  EXPECT_NE(a["status"]["history"][0]["summary"].get<std::string>().find("answered 404 (gave up after 1 attempt)"),
            std::string::npos)
      << a["status"]["history"][0].dump();
  hooks->statuses = {500};
  dlq_depth = 0;
  run_for(30);
  EXPECT_EQ(hooks->sent.size(), 4u) << "OK notified: three attempts, 1 s and 2 s apart";
}

TEST_F(AlarmControllerTest, UndeliveredNotificationsResumeAfterRestart) {
  hooks->statuses = {0};
  ASSERT_EQ(apply(dlq_alarm("    - webhook: {url: \"http://127.0.0.1:9/hook\", maxAttempts: 10}\n")), "created");
  dlq_depth = 1;
  run_for(12);
  ASSERT_EQ(hooks->sent.size(), 2u);
  hooks->statuses = {204};
  restart();
  tick();
  ASSERT_EQ(hooks->sent.size(), 3u) << "resumed at once";
  EXPECT_EQ(json::parse(hooks->sent.back().body)["state"], "ALARM");
  EXPECT_TRUE(get("dlq")["status"]["pendingNotifications"].empty());
}

TEST_F(AlarmControllerTest, QueueAndLogActions) {
  ASSERT_TRUE(engine->create_queue("alerts", {}, {}).ok());
  settle();
  ASSERT_EQ(apply(dlq_alarm("    - queue: {name: alerts}\n    - states: [ALARM, OK]\n      log: {level: error}\n")),
            "created");
  dlq_depth = 3;
  run_for(21);
  ASSERT_EQ(get("dlq")["status"]["state"], "ALARM");
  auto msgs = engine->peek("alerts", 10);
  ASSERT_TRUE(msgs.ok());
  ASSERT_EQ(msgs->size(), 1u);
  json body = json::parse((*msgs)[0].body);
  EXPECT_EQ(body["state"], "ALARM");
  EXPECT_EQ(body["previousState"], "INSUFFICIENT_DATA");
  bool attr = false;
  for (auto& a : (*msgs)[0].attrs) attr = attr || (a.name == "ebb.alarm" && a.value == "dlq");
  EXPECT_TRUE(attr);
  std::lock_guard<std::mutex> g(mu);
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0]["level"], "error");
  EXPECT_EQ(logged[0]["fields"]["state"], "ALARM");
}

TEST_F(AlarmControllerTest, ReferencesAreCheckedAtApply) {
  EXPECT_EQ(apply(dlq_alarm("    - queue: {name: nowhere}\n")),
            "error: spec.notify[0].queue.name: queue nowhere does not exist");
  EXPECT_EQ(apply(dlq_alarm("    - webhook: {url: \"http://h/x\", secretRef: {env: NOPE}}\n")),
            "error: spec.notify[0].webhook.secretRef: environment variable NOPE is not set in ebbd's environment");
  EXPECT_NE(apply(dlq_alarm("    - webhook: {url: \"http://h/x\", secretRef: {name: signing-key}}\n")).find("secret signing-key not found"),
            std::string::npos);
  EXPECT_NE(apply(dlq_alarm("    - task: {command: [/bin/true]}\n")).find("tasks are not available"), std::string::npos);
  EXPECT_TRUE(ctl->list()["items"].empty());
  ASSERT_EQ(apply(dlq_alarm("    - log: {}\n")), "created");
  EXPECT_EQ(apply(dlq_alarm("    - log: {}\n")), "unchanged");
  auto t = ctl->remove("dlq");
  ASSERT_TRUE(t.ok());
  settle();
  EXPECT_EQ(ctl->get("dlq").error().code, Code::NotFound);
  restart();
  EXPECT_TRUE(ctl->list()["items"].empty());
}

TEST(WebhookBackOff, DoublesUpToAMinute) {
  EXPECT_EQ(retry_delay_ms(1), 1000);
  EXPECT_EQ(retry_delay_ms(2), 2000);
  EXPECT_EQ(retry_delay_ms(6), 32000);
  EXPECT_EQ(retry_delay_ms(7), 60000);
  EXPECT_EQ(retry_delay_ms(100), 60000);
}

}  // namespace
}  // namespace ebb::alarm

// Queue semantics on a fake clock (sqs-api.md §9, reliability.md §2.2–2.3).
#include <atomic>
#include <future>

#include <gtest/gtest.h>

#include "queue/engine.h"
#include "support/fake_clock.h"
#include "support/mem_store.h"

namespace ebb {
namespace {

using Attrs = std::map<std::string, std::string>;

class EngineTest : public ::testing::Test {
 protected:
  FakeClock clock;
  MemStore store;
  std::unique_ptr<Committer> committer;
  std::unique_ptr<Engine> engine;

  void SetUp() override { start(); }
  void TearDown() override { stop(); }
  void start() {
    committer = std::make_unique<Committer>(store);
    committer->start();
    engine = std::make_unique<Engine>(clock, store, *committer);
    engine->load();
  }
  void stop() {
    engine.reset();
    if (committer) committer->stop();
    committer.reset();
  }
  void restart() { stop(); start(); }

  void durable(Token t) {
    std::promise<bool> p;
    engine->when_durable(t, [&](bool ok) { p.set_value(ok); });
    ASSERT_TRUE(p.get_future().get());
  }
  void create(const std::string& name, Attrs attrs = {}) {
    auto r = engine->create_queue(name, attrs, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    durable(*r);
  }
  Result<SendResult> send(const std::string& q, const std::string& body, std::optional<int> delay = {},
                          std::string group = "", std::string dedup = "") {
    SendEntry e;
    e.body = body;
    e.delay_seconds = delay;
    e.group_id = group;
    e.dedup_id = dedup;
    Token t = 0;
    auto r = engine->send(q, {e}, t);
    if (!r.ok()) return r.error();
    durable(t);
    return (*r)[0];
  }
  // A receive that must answer at once (short poll).
  std::vector<Delivered> recv(const std::string& q, int max = 10, std::optional<int> vis = {}) {
    auto r = recv_result(q, max, vis);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<Delivered>{};
  }
  Result<std::vector<Delivered>> recv_result(const std::string& q, int max = 10, std::optional<int> vis = {},
                                            std::string attempt = "") {
    ReceiveOptions o;
    o.max_messages = max;
    o.visibility = vis;
    o.wait_seconds = 0;
    o.attempt_id = attempt;
    std::promise<Result<std::vector<Delivered>>> p;
    engine->receive(q, o, [&](Result<std::vector<Delivered>> r) { p.set_value(std::move(r)); });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    return f.get();
  }
  Result<std::vector<Delivered>> recv_as(const std::string& q, const std::string& consumer, int max = 10,
                                         int wait = 0) {
    ReceiveOptions o;
    o.max_messages = max;
    o.wait_seconds = wait;
    o.consumer = consumer;
    std::promise<Result<std::vector<Delivered>>> p;
    engine->receive(q, o, [&](Result<std::vector<Delivered>> r) { p.set_value(std::move(r)); });
    auto f = p.get_future();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
    return f.get();
  }
  Status del(const std::string& q, const std::string& h) {
    Token t = 0;
    auto r = engine->delete_messages(q, {h}, t);
    if (!r.ok()) return r.error();
    durable(t);
    return (*r)[0];
  }
  Status chvis(const std::string& q, const std::string& h, int v) {
    Token t = 0;
    auto r = engine->change_visibility(q, {{h, v}}, t);
    if (!r.ok()) return r.error();
    durable(t);
    return (*r)[0];
  }
  std::string attr(const std::string& q, const std::string& name) {
    auto r = engine->get_attributes(q, {name});
    EXPECT_TRUE(r.ok());
    for (auto& [k, v] : *r)
      if (k == name) return v;
    return "";
  }
  std::string arn(const std::string& q) { return engine->queue_arn(q); }
};

TEST_F(EngineTest, VisibilityTimeoutExpiresAndRedelivers) {
  create("q", {{"VisibilityTimeout", "30"}});
  ASSERT_TRUE(send("q", "hello").ok());
  auto a = recv("q");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].receive_count, 1);
  EXPECT_TRUE(recv("q").empty());  // in flight
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessagesNotVisible"), "1");
  clock.advance_s(29);
  EXPECT_TRUE(recv("q").empty());
  clock.advance_s(1);
  auto b = recv("q");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].message_id, a[0].message_id);
  EXPECT_EQ(b[0].receive_count, 2);
  EXPECT_NE(b[0].receipt_handle, a[0].receipt_handle);
  EXPECT_EQ(b[0].first_receive_ms, a[0].first_receive_ms);
}

TEST_F(EngineTest, ReceiveVisibilityOverridesQueueDefault) {
  create("q");
  send("q", "x");
  ASSERT_EQ(recv("q", 1, 5).size(), 1u);
  clock.advance_s(5);
  EXPECT_EQ(recv("q").size(), 1u);
}

TEST_F(EngineTest, DelayedMessagesBecomeVisible) {
  create("q", {{"DelaySeconds", "20"}});
  send("q", "queue-default-delay");
  send("q", "own-delay", 5);
  send("q", "no-delay", 0);
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessagesDelayed"), "2");
  auto r = recv("q");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].body, "no-delay");
  clock.advance_s(5);
  r = recv("q");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].body, "own-delay");
  clock.advance_s(15);
  r = recv("q");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].body, "queue-default-delay");
}

TEST_F(EngineTest, RetentionExpiresVisibleAndInFlightMessages) {
  create("q", {{"MessageRetentionPeriod", "60"}});
  send("q", "a");
  send("q", "b");
  ASSERT_EQ(recv("q", 1).size(), 1u);  // one in flight
  clock.advance_s(60);
  engine->tick();
  EXPECT_TRUE(recv("q").empty());
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessagesNotVisible"), "0");
  engine->when_durable(0, [](bool) {});
}

TEST_F(EngineTest, LoweringRetentionAppliesToExistingMessages) {
  create("q");
  send("q", "a");
  clock.advance_s(120);
  Token t = *engine->set_attributes("q", {{"MessageRetentionPeriod", "60"}});
  durable(t);
  EXPECT_TRUE(recv("q").empty());
}

TEST_F(EngineTest, RedriveMovesOnTheAttemptThatExceedsMaxReceiveCount) {
  create("dlq");
  create("q", {{"VisibilityTimeout", "1"},
               {"RedrivePolicy", "{\"deadLetterTargetArn\":\"" + arn("dlq") + "\",\"maxReceiveCount\":\"2\"}"}});
  EXPECT_EQ(attr("q", "RedrivePolicy"), "{\"deadLetterTargetArn\":\"" + arn("dlq") + "\",\"maxReceiveCount\":2}");
  auto sent = send("q", "poison");
  ASSERT_EQ(recv("q").size(), 1u);
  clock.advance_s(1);
  ASSERT_EQ(recv("q").size(), 1u);
  clock.advance_s(1);
  EXPECT_TRUE(recv("q").empty());  // third attempt moves it
  auto d = recv("dlq");
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message_id, sent->message_id);
  EXPECT_EQ(d[0].receive_count, 3);  // continues counting
  EXPECT_EQ(d[0].dlq_source_arn, arn("q"));
  auto src = engine->dead_letter_sources("dlq");
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(*src, std::vector<std::string>{"q"});
}

TEST_F(EngineTest, MaxReceiveCountOneDeliversOnce) {
  create("dlq");
  create("q", {{"RedrivePolicy", "{\"deadLetterTargetArn\":\"" + arn("dlq") + "\",\"maxReceiveCount\":1}"}});
  send("q", "m");
  ASSERT_EQ(recv("q", 1, 0).size(), 1u);
  EXPECT_TRUE(recv("q").empty());
  EXPECT_EQ(attr("dlq", "ApproximateNumberOfMessages"), "1");
}

TEST_F(EngineTest, RedrivePolicyValidation) {
  create("std");
  create("f.fifo", {{"FifoQueue", "true"}});
  auto bad = [&](const std::string& p) {
    auto r = engine->create_queue("src", {{"RedrivePolicy", p}}, {});
    return r.ok() ? std::string("ok") : r.error().message;
  };
  EXPECT_NE(bad("not json").find("Invalid"), std::string::npos);
  EXPECT_NE(bad("{\"deadLetterTargetArn\":\"" + arn("std") + "\",\"maxReceiveCount\":0}").find("valid values are from 1 to 1000"), std::string::npos);
  EXPECT_NE(bad("{\"deadLetterTargetArn\":\"" + arn("std") + "\",\"maxReceiveCount\":1001}").find("valid values"), std::string::npos);
  EXPECT_NE(bad("{\"deadLetterTargetArn\":\"" + arn("nope") + "\",\"maxReceiveCount\":3}").find("does not exist"), std::string::npos);
  EXPECT_NE(bad("{\"deadLetterTargetArn\":\"" + arn("f.fifo") + "\",\"maxReceiveCount\":3}").find("same type"), std::string::npos);
  EXPECT_NE(bad("{\"maxReceiveCount\":3}").find("deadLetterTargetArn"), std::string::npos);
  auto self = engine->create_queue("std", {{"RedrivePolicy", "{\"deadLetterTargetArn\":\"" + arn("std") + "\",\"maxReceiveCount\":3}"}}, {});
  EXPECT_FALSE(self.ok());
}

TEST_F(EngineTest, RedriveAllowPolicyDenies) {
  create("dlq", {{"RedriveAllowPolicy", "{\"redrivePermission\":\"denyAll\"}"}});
  auto r = engine->create_queue("q", {{"RedrivePolicy", "{\"deadLetterTargetArn\":\"" + arn("dlq") + "\",\"maxReceiveCount\":3}"}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Code::InvalidParameterValue);
  create("dlq2", {{"RedriveAllowPolicy", "{\"redrivePermission\":\"byQueue\",\"sourceQueueArns\":[\"" + arn("q") + "\"]}"}});
  create("q", {{"RedrivePolicy", "{\"deadLetterTargetArn\":\"" + arn("dlq2") + "\",\"maxReceiveCount\":3}"}});
}

TEST_F(EngineTest, FifoOrderingAndGroupBlocking) {
  create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  send("f.fifo", "a1", {}, "g1");
  send("f.fifo", "a2", {}, "g1");
  send("f.fifo", "b1", {}, "g2");
  auto r = recv("f.fifo", 1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].body, "a1");
  auto r2 = recv("f.fifo", 1);
  ASSERT_EQ(r2.size(), 1u);
  EXPECT_EQ(r2[0].body, "b1");  // g1 is blocked while a1 is in flight
  EXPECT_TRUE(recv("f.fifo").empty());
  EXPECT_EQ(attr("f.fifo", "ApproximateNumberOfMessages"), "1");  // a2 waits behind a1
  ASSERT_TRUE(del("f.fifo", r[0].receipt_handle).ok());
  auto r3 = recv("f.fifo");
  ASSERT_EQ(r3.size(), 1u);
  EXPECT_EQ(r3[0].body, "a2");
  EXPECT_GT(r3[0].sequence_number, r[0].sequence_number);
}

TEST_F(EngineTest, FifoReceiveTakesConsecutiveMessagesOfOneGroupThenTheNext) {
  create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  send("f.fifo", "a1", {}, "g1");
  send("f.fifo", "b1", {}, "g2");
  send("f.fifo", "a2", {}, "g1");
  auto r = recv("f.fifo", 10);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].body, "a1");
  EXPECT_EQ(r[1].body, "a2");
  EXPECT_EQ(r[2].body, "b1");
}

TEST_F(EngineTest, FifoGroupUnblocksOnlyWhenNothingInFlight) {
  create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}, {"VisibilityTimeout", "10"}});
  send("f.fifo", "a1", {}, "g");
  send("f.fifo", "a2", {}, "g");
  send("f.fifo", "a3", {}, "g");
  auto r = recv("f.fifo", 2);
  ASSERT_EQ(r.size(), 2u);
  ASSERT_TRUE(chvis("f.fifo", r[0].receipt_handle, 0).ok());
  EXPECT_TRUE(recv("f.fifo").empty());  // a2 still in flight
  clock.advance_s(10);
  auto again = recv("f.fifo", 10);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0].body, "a1");  // restarts at the lowest sequence number
}

TEST_F(EngineTest, FifoDeduplicationWindowSurvivesDeleteAndRestart) {
  create("f.fifo", {{"FifoQueue", "true"}});
  auto a = send("f.fifo", "x", {}, "g", "d1");
  ASSERT_TRUE(a.ok());
  auto b = send("f.fifo", "other body", {}, "g", "d1");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(a->message_id, b->message_id);
  EXPECT_EQ(a->sequence_number, b->sequence_number);
  auto r = recv("f.fifo");
  ASSERT_EQ(r.size(), 1u);
  ASSERT_TRUE(del("f.fifo", r[0].receipt_handle).ok());
  restart();
  clock.advance_s(299);
  auto c = send("f.fifo", "x", {}, "g", "d1");
  EXPECT_EQ(c->message_id, a->message_id);
  EXPECT_TRUE(recv("f.fifo").empty());
  clock.advance_s(1);
  auto d = send("f.fifo", "x", {}, "g", "d1");
  EXPECT_NE(d->message_id, a->message_id);
  EXPECT_GT(d->sequence_number, a->sequence_number);
}

TEST_F(EngineTest, ContentBasedDeduplicationAndRules) {
  create("f.fifo", {{"FifoQueue", "true"}});
  auto no_dedup = send("f.fifo", "x", {}, "g");
  ASSERT_FALSE(no_dedup.ok());
  EXPECT_EQ(no_dedup.error().code, Code::InvalidParameterValue);
  auto no_group = send("f.fifo", "x", {}, "", "d");
  EXPECT_EQ(no_group.error().code, Code::MissingParameter);
  auto delay = send("f.fifo", "x", 5, "g", "d");
  EXPECT_EQ(delay.error().code, Code::InvalidParameterValue);
  create("c.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  auto a = send("c.fifo", "same", {}, "g1");
  auto b = send("c.fifo", "same", {}, "g2");
  EXPECT_EQ(a->message_id, b->message_id);
  create("s.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}, {"DeduplicationScope", "messageGroup"}});
  auto c = send("s.fifo", "same", {}, "g1");
  auto d = send("s.fifo", "same", {}, "g2");
  EXPECT_NE(c->message_id, d->message_id);
  create("std");
  EXPECT_EQ(send("std", "x", {}, "", "d").error().code, Code::InvalidParameterValue);
}

TEST_F(EngineTest, ReceiptHandleRulesStandard) {
  create("q", {{"VisibilityTimeout", "10"}});
  create("other");
  send("q", "m");
  send("other", "o");
  auto r = recv("q");
  auto o = recv("other");
  EXPECT_EQ(del("q", "garbage").error().code, Code::ReceiptHandleIsInvalid);
  EXPECT_EQ(del("q", o[0].receipt_handle).error().code, Code::ReceiptHandleIsInvalid);  // another queue's
  std::string forged = r[0].receipt_handle;
  forged[forged.size() - 2] = forged[forged.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(del("q", forged).error().code, Code::ReceiptHandleIsInvalid);
  // lease expired, nobody received it since: the delete still succeeds
  clock.advance_s(10);
  auto first = r[0].receipt_handle;
  // superseded: received again since
  auto again = recv("q");
  ASSERT_EQ(again.size(), 1u);
  std::vector<std::string> stale_seen;
  engine->on_stale_receipt([&](const std::string& q) { stale_seen.push_back(q); });
  EXPECT_EQ(engine->stats("q")->stale_receipts, 0u);  // the expired-lease delete above is not stale
  EXPECT_TRUE(del("q", first).ok());  // 200, no effect
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessagesNotVisible"), "1");
  EXPECT_EQ(engine->stats("q")->stale_receipts, 1u);  // ebb_stale_receipt_total (reliability.md §2.2)
  EXPECT_EQ(stale_seen, std::vector<std::string>{"q"});
  EXPECT_EQ(chvis("q", first, 5).error().code, Code::InvalidParameterValue);
  EXPECT_TRUE(del("q", again[0].receipt_handle).ok());
  EXPECT_TRUE(del("q", again[0].receipt_handle).ok());  // deleting twice is 200
  EXPECT_EQ(chvis("q", again[0].receipt_handle, 5).error().code, Code::InvalidParameterValue);
  EXPECT_EQ(engine->stats("q")->stale_receipts, 1u);  // gone (deleted) and invalid handles are not stale ones
  EXPECT_EQ(engine->stats("other")->stale_receipts, 0u);
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessagesNotVisible"), "0");
}

TEST_F(EngineTest, ExpiredLeaseDeleteSucceedsOnStandardFailsOnFifo) {
  create("q", {{"VisibilityTimeout", "5"}});
  create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}, {"VisibilityTimeout", "5"}});
  send("q", "m");
  send("f.fifo", "m", {}, "g");
  auto a = recv("q");
  auto b = recv("f.fifo");
  clock.advance_s(6);
  EXPECT_TRUE(del("q", a[0].receipt_handle).ok());
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessages"), "0");
  auto e = del("f.fifo", b[0].receipt_handle);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, Code::InvalidParameterValue);
  EXPECT_NE(e.error().message.find("expired"), std::string::npos);
}

TEST_F(EngineTest, ChangeVisibilityRules) {
  create("q", {{"VisibilityTimeout", "30"}});
  send("q", "m");
  auto r = recv("q");
  ASSERT_TRUE(chvis("q", r[0].receipt_handle, 100).ok());
  clock.advance_s(99);
  EXPECT_TRUE(recv("q").empty());
  ASSERT_TRUE(chvis("q", r[0].receipt_handle, 0).ok());
  auto again = recv("q");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].receive_count, 2);
  // 12-hour cap counted from the delivery
  clock.advance_s(43000);
  EXPECT_EQ(chvis("q", again[0].receipt_handle, 201).error().code, Code::InvalidParameterValue);
}

TEST_F(EngineTest, ExpiredStandardLeaseCanBeRenewedByChangeVisibility) {
  create("q", {{"VisibilityTimeout", "5"}});
  send("q", "m");
  auto r = recv("q");
  clock.advance_s(6);
  ASSERT_TRUE(chvis("q", r[0].receipt_handle, 30).ok());
  EXPECT_TRUE(recv("q").empty());
}

TEST_F(EngineTest, LongPollWakesOnSendAndTimesOut) {
  create("q");
  ReceiveOptions o;
  o.wait_seconds = 20;
  std::promise<Result<std::vector<Delivered>>> p;
  engine->receive("q", o, [&](Result<std::vector<Delivered>> r) { p.set_value(std::move(r)); });
  auto f = p.get_future();
  EXPECT_EQ(f.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  send("q", "wake");
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto r = f.get();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].body, "wake");

  std::promise<Result<std::vector<Delivered>>> p2;
  engine->receive("q", o, [&](Result<std::vector<Delivered>> r) { p2.set_value(std::move(r)); });
  auto f2 = p2.get_future();
  clock.advance_s(19);
  engine->tick();
  EXPECT_EQ(f2.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
  clock.advance_s(1);
  engine->tick();
  ASSERT_EQ(f2.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(f2.get()->empty());
}

TEST_F(EngineTest, LongPollWakesOnDelayEndAndLeaseExpiryInArrivalOrder) {
  create("q", {{"VisibilityTimeout", "5"}});
  send("q", "d", 3);
  ReceiveOptions o;
  o.wait_seconds = 20;
  std::promise<std::string> p1, p2;
  engine->receive("q", o, [&](Result<std::vector<Delivered>> r) { p1.set_value(r->empty() ? "" : (*r)[0].body); });
  engine->receive("q", o, [&](Result<std::vector<Delivered>> r) { p2.set_value(r->empty() ? "" : (*r)[0].body); });
  MonoTime next = engine->tick();
  EXPECT_LE(next - clock.mono_now(), std::chrono::seconds(3));
  clock.advance_s(3);
  engine->tick();
  auto f1 = p1.get_future();
  ASSERT_EQ(f1.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f1.get(), "d");  // first parked receiver gets it
  auto f2 = p2.get_future();
  EXPECT_EQ(f2.wait_for(std::chrono::milliseconds(20)), std::future_status::timeout);
  clock.advance_s(5);  // lease expires
  engine->tick();
  ASSERT_EQ(f2.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f2.get(), "d");
}

TEST_F(EngineTest, DeleteQueueAnswersParkedReceivesEmpty) {
  create("q");
  ReceiveOptions o;
  o.wait_seconds = 20;
  std::promise<size_t> p;
  engine->receive("q", o, [&](Result<std::vector<Delivered>> r) { p.set_value(r.ok() ? r->size() : 99); });
  ASSERT_TRUE(engine->delete_queue("q").ok());
  auto f = p.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(f.get(), 0u);
  EXPECT_EQ(engine->queue_exists("q").error().code, Code::NonExistentQueue);
}

TEST_F(EngineTest, RestartRestoresVisibleDelayedAndInFlight) {
  create("q", {{"VisibilityTimeout", "60"}});
  create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  send("q", "leased");
  auto r = recv("q");
  send("q", "visible");
  send("q", "delayed", 30);
  auto s1 = send("f.fifo", "one", {}, "g");
  restart();
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessages"), "1");
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessagesNotVisible"), "1");
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessagesDelayed"), "1");
  // the old handle still works after the restart
  EXPECT_TRUE(chvis("q", r[0].receipt_handle, 0).ok());
  auto again = recv("q", 10);
  ASSERT_EQ(again.size(), 2u);
  for (auto& m : again)
    if (m.body == "leased") EXPECT_EQ(m.receive_count, 2);
  auto s2 = send("f.fifo", "two", {}, "g");
  EXPECT_GT(s2->sequence_number, s1->sequence_number);
}

TEST_F(EngineTest, PurgeRemovesEverythingAndKillsHandles) {
  create("q");
  send("q", "a");
  send("q", "b", 100);
  auto r = recv("q");
  Token t = *engine->purge_queue("q");
  durable(t);
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessagesDelayed"), "0");
  EXPECT_TRUE(del("q", r[0].receipt_handle).ok());
  restart();
  EXPECT_TRUE(recv("q").empty());
  EXPECT_EQ(store.message_count(), 0u);
}

TEST_F(EngineTest, MoveTaskReturnsMessagesToTheirOriginWithCountReset) {
  create("dlq");
  create("a", {{"RedrivePolicy", "{\"deadLetterTargetArn\":\"" + arn("dlq") + "\",\"maxReceiveCount\":1}"}});
  create("b", {{"RedrivePolicy", "{\"deadLetterTargetArn\":\"" + arn("dlq") + "\",\"maxReceiveCount\":1}"}});
  send("a", "from-a");
  send("b", "from-b");
  recv("a", 10, 0);
  recv("b", 10, 0);
  EXPECT_TRUE(recv("a").empty());
  EXPECT_TRUE(recv("b").empty());
  EXPECT_EQ(attr("dlq", "ApproximateNumberOfMessages"), "2");
  Token t = 0;
  auto h = engine->start_move_task(arn("dlq"), "", std::nullopt, t);
  ASSERT_TRUE(h.ok()) << h.error().message;
  auto dup = engine->start_move_task(arn("dlq"), "", std::nullopt, t);
  EXPECT_EQ(dup.error().code, Code::InvalidParameterValue);
  engine->tick();
  auto la = recv("a");
  auto lb = recv("b");
  ASSERT_EQ(la.size(), 1u);
  ASSERT_EQ(lb.size(), 1u);
  EXPECT_EQ(la[0].body, "from-a");
  EXPECT_EQ(la[0].receive_count, 1);
  EXPECT_TRUE(la[0].dlq_source_arn.empty());
  auto list = engine->list_move_tasks(arn("dlq"), 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].status, "COMPLETED");
  EXPECT_EQ((*list)[0].moved, 2);
  // ebb_queue_messages_redriven_total{queue="dlq",destination=...}: one to each origin.
  EXPECT_EQ(engine->stats("dlq")->redriven, (std::map<std::string, uint64_t>{{"a", 1}, {"b", 1}}));
  EXPECT_TRUE(engine->stats("a")->redriven.empty());
  EXPECT_TRUE((*list)[0].task_handle.empty());
  Token t2 = 0;
  EXPECT_EQ(engine->cancel_move_task(*h, t2).error().code, Code::ResourceNotFound);
  EXPECT_EQ(engine->cancel_move_task("garbage!", t2).error().code, Code::InvalidParameterValue);
}

TEST_F(EngineTest, MoveTaskErrors) {
  create("plain");
  Token t = 0;
  EXPECT_EQ(engine->start_move_task("not-an-arn", "", {}, t).error().code, Code::InvalidParameterValue);
  EXPECT_EQ(engine->start_move_task(arn("missing"), "", {}, t).error().code, Code::ResourceNotFound);
  EXPECT_EQ(engine->start_move_task(arn("plain"), "", {}, t).error().code, Code::InvalidParameterValue);
}

TEST_F(EngineTest, MoveTaskWithRateAndDestination) {
  create("dlq");
  create("src", {{"RedrivePolicy", "{\"deadLetterTargetArn\":\"" + arn("dlq") + "\",\"maxReceiveCount\":1}"}});
  create("dest");
  for (int i = 0; i < 10; ++i) send("src", "m" + std::to_string(i));
  recv("src", 10, 0);
  recv("src", 10, 0);
  ASSERT_EQ(attr("dlq", "ApproximateNumberOfMessages"), "10");
  Token t = 0;
  ASSERT_TRUE(engine->start_move_task(arn("dlq"), arn("dest"), 2, t).ok());
  engine->tick();
  clock.advance(Millis(1000));
  engine->tick();
  EXPECT_EQ(attr("dest", "ApproximateNumberOfMessages"), "2");
  for (int i = 0; i < 40; ++i) {  // 4 more seconds at 2 msg/s
    clock.advance(Millis(100));
    engine->tick();
  }
  EXPECT_EQ(attr("dest", "ApproximateNumberOfMessages"), "10");
  EXPECT_EQ(engine->stats("dlq")->redriven, (std::map<std::string, uint64_t>{{"dest", 10}}));
}

TEST_F(EngineTest, SentMessageSizesAreCountedPerBucket) {
  create("q");
  send("q", std::string(10, 'x'));     // <= 256
  send("q", std::string(256, 'x'));    // <= 256 (bounds are inclusive)
  send("q", std::string(257, 'x'));    // <= 1024
  SendEntry with_attr;
  with_attr.body = std::string(1010, 'x');
  with_attr.attrs.push_back(MsgAttr{"k", "String", "abcdefghij", false});  // + 1 + 6 + 10 = 1,027 bytes
  Token t = 0;
  ASSERT_TRUE(engine->send("q", {with_attr}, t).ok());
  durable(t);
  auto s = engine->stats("q");
  ASSERT_TRUE(s.ok());
  SentSizeCounts want{};
  want[0] = 2;
  want[1] = 1;
  want[2] = 1;  // the attributes count: 1,027 > 1,024
  EXPECT_EQ(s->sent, 4u);
  EXPECT_EQ(s->sent_size_sum, 10.0 + 256 + 257 + 1027);
  EXPECT_EQ(s->sent_sizes, want);
}

TEST_F(EngineTest, CreateQueueIdempotencyComparesOnlyGivenAttributes) {
  create("q", {{"VisibilityTimeout", "60"}});
  EXPECT_TRUE(engine->create_queue("q", {{"VisibilityTimeout", "60"}}, {}).ok());
  EXPECT_TRUE(engine->create_queue("q", {}, {}).ok());
  auto e = engine->create_queue("q", {{"VisibilityTimeout", "61"}}, {});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().code, Code::QueueAlreadyExists);
  EXPECT_EQ(e.error().message, "A queue already exists with the same name and a different value for attribute VisibilityTimeout");
}

TEST_F(EngineTest, QueueAttributeValidation) {
  auto code = [&](Attrs a, std::string name = "v") {
    auto r = engine->create_queue(name, a, {});
    return r.ok() ? Code::Conflict : r.error().code;
  };
  EXPECT_EQ(code({{"MessageRetentionPeriod", "59"}}), Code::InvalidAttributeValue);
  EXPECT_EQ(code({{"MessageRetentionPeriod", "1209601"}}), Code::InvalidAttributeValue);
  EXPECT_EQ(code({{"MaximumMessageSize", "1023"}}), Code::InvalidAttributeValue);
  EXPECT_EQ(code({{"ReceiveMessageWaitTimeSeconds", "21"}}), Code::InvalidAttributeValue);
  EXPECT_EQ(code({{"VisibilityTimeout", "abc"}}), Code::InvalidAttributeValue);
  EXPECT_EQ(code({{"Bogus", "1"}}), Code::InvalidAttributeName);
  EXPECT_EQ(code({{"QueueArn", "x"}}), Code::InvalidAttributeName);
  EXPECT_EQ(code({{"ContentBasedDeduplication", "true"}}), Code::InvalidAttributeName);
  EXPECT_EQ(code({{"DeduplicationScope", "queue"}}), Code::InvalidAttributeName);
  EXPECT_EQ(code({{"FifoQueue", "true"}}, "nofifo"), Code::InvalidParameterValue);
  EXPECT_EQ(code({}, "x.fifo"), Code::InvalidParameterValue);
  EXPECT_EQ(code({}, std::string(81, 'a')), Code::InvalidParameterValue);
  EXPECT_EQ(code({}, "bad name"), Code::InvalidParameterValue);
  create("f.fifo", {{"FifoQueue", "true"}});
  auto r = engine->set_attributes("f.fifo", {{"FifoQueue", "false"}});
  EXPECT_EQ(r.error().code, Code::InvalidAttributeValue);
  // all-or-nothing
  create("q");
  EXPECT_FALSE(engine->set_attributes("q", {{"VisibilityTimeout", "10"}, {"DelaySeconds", "901"}}).ok());
  EXPECT_EQ(attr("q", "VisibilityTimeout"), "30");
}

TEST_F(EngineTest, GetQueueAttributesAllAndUnknown) {
  create("q");
  auto all = engine->get_attributes("q", {"All"});
  ASSERT_TRUE(all.ok());
  std::vector<std::string> names;
  for (auto& [k, v] : *all) names.push_back(k);
  EXPECT_EQ(names, (std::vector<std::string>{"QueueArn", "ApproximateNumberOfMessages",
                                             "ApproximateNumberOfMessagesNotVisible",
                                             "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp",
                                             "LastModifiedTimestamp", "VisibilityTimeout", "MaximumMessageSize",
                                             "MessageRetentionPeriod", "DelaySeconds", "ReceiveMessageWaitTimeSeconds",
                                             "SqsManagedSseEnabled"}));
  EXPECT_EQ(engine->get_attributes("q", {"ApproximateAgeOfOldestMessage"}).error().code, Code::InvalidAttributeName);
  auto fifo_on_std = engine->get_attributes("q", {"FifoQueue"});
  ASSERT_TRUE(fifo_on_std.ok());
  EXPECT_TRUE(fifo_on_std->empty());
}

TEST_F(EngineTest, MessageSizeAgainstQueueMaximum) {
  create("q", {{"MaximumMessageSize", "1024"}});
  EXPECT_TRUE(send("q", std::string(1024, 'x')).ok());
  auto r = send("q", std::string(1025, 'x'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.");
}

TEST_F(EngineTest, FifoReceiveRequestAttemptIdReplays) {
  create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  send("f.fifo", "a", {}, "g");
  auto r1 = recv_result("f.fifo", 10, {}, "attempt-1");
  ASSERT_TRUE(r1.ok());
  ASSERT_EQ(r1->size(), 1u);
  auto r2 = recv_result("f.fifo", 10, {}, "attempt-1");
  ASSERT_EQ(r2->size(), 1u);
  EXPECT_EQ((*r2)[0].receipt_handle, (*r1)[0].receipt_handle);
  create("std");
  EXPECT_EQ(recv_result("std", 1, {}, "x").error().code, Code::InvalidParameterValue);
}

TEST_F(EngineTest, FailedCommitIsNotAcknowledged) {
  create("q");
  store.fail_next();
  SendEntry e;
  e.body = "x";
  Token t = 0;
  ASSERT_TRUE(engine->send("q", {e}, t).ok());
  std::promise<bool> p;
  engine->when_durable(t, [&](bool ok) { p.set_value(ok); });
  EXPECT_FALSE(p.get_future().get());
}

TEST_F(EngineTest, ReceiveCostDoesNotScanBlockedOrInFlightMessages) {
  // 10,000 messages in flight and a handful visible: a receive only touches the visible ones.
  create("q", {{"VisibilityTimeout", "600"}});
  std::vector<SendEntry> batch(10);
  for (int i = 0; i < 1000; ++i) {
    for (auto& e : batch) e.body = "m";
    Token t = 0;
    ASSERT_TRUE(engine->send("q", batch, t).ok());
  }
  for (int i = 0; i < 999; ++i) ASSERT_EQ(recv("q", 10).size(), 10u);
  EXPECT_EQ(attr("q", "ApproximateNumberOfMessages"), "10");
  EXPECT_EQ(recv("q", 10).size(), 10u);
  EXPECT_TRUE(recv("q", 10).empty());
}

}  // namespace
}  // namespace ebb

namespace ebb {
namespace {

// Two long polls parked on a FIFO queue whose only group is blocked; when the lease
// ends, the group goes to exactly one of them (reliability.md P-F2).
TEST_F(EngineTest, FifoGroupGoesToOneParkedReceiverWhenLeaseExpires) {
  create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}, {"VisibilityTimeout", "5"}});
  for (int i = 0; i < 25; ++i) send("f.fifo", "m" + std::to_string(i), {}, "g");
  auto first = recv("f.fifo", 10);
  ASSERT_EQ(first.size(), 10u);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(del("f.fifo", first[i].receipt_handle).ok());
  clock.advance(Millis(2000));
  restart();
  ReceiveOptions o;
  o.max_messages = 10;
  o.wait_seconds = 1;
  std::promise<std::vector<std::string>> p1, p2;
  auto grab = [](std::promise<std::vector<std::string>>& p) {
    return [&p](Result<std::vector<Delivered>> r) {
      std::vector<std::string> b;
      for (auto& d : *r) b.push_back(d.body);
      p.set_value(b);
    };
  };
  engine->receive("f.fifo", o, grab(p1));
  engine->receive("f.fifo", o, grab(p2));
  clock.advance(Millis(3000));
  engine->tick();
  clock.advance(Millis(1000));
  engine->tick();
  auto a = p1.get_future().get();
  auto b = p2.get_future().get();
  EXPECT_EQ(a.size(), 10u);
  EXPECT_TRUE(b.empty()) << "second receiver got " << b.size() << " messages of a blocked group";
}

// ---- consumers: leases attributed to tasks (autoscaling.md §5.2–5.3) ----

TEST_F(EngineTest, TrackedConsumerLeasesFollowGrantsDeletesAndExpiry) {
  create("q", {{"VisibilityTimeout", "30"}});
  for (int i = 0; i < 3; i++) ASSERT_TRUE(send("q", "m" + std::to_string(i)).ok());
  EXPECT_FALSE(engine->consumer_leases("K1").has_value());
  engine->track_consumer("K1", true);
  auto got = recv_as("q", "K1", 2);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 2u);
  auto l = engine->consumer_leases("K1");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->leases, 2);
  EXPECT_EQ(l->received, 2);
  EXPECT_GT(l->first_receive_ms, 0);
  EXPECT_EQ(l->soonest_deadline_ms, clock.now_ms() + 30'000);
  // An untracked consumer's leases are not counted anywhere.
  ASSERT_EQ(recv_as("q", "OTHER", 1)->size(), 1u);
  EXPECT_EQ(engine->consumer_leases("K1")->leases, 2);
  ASSERT_TRUE(del("q", (*got)[0].receipt_handle).ok());
  EXPECT_EQ(engine->consumer_leases("K1")->leases, 1);
  // Extending keeps the lease with its holder, with the new deadline.
  ASSERT_TRUE(chvis("q", (*got)[1].receipt_handle, 100).ok());
  EXPECT_EQ(engine->consumer_leases("K1")->leases, 1);
  EXPECT_EQ(engine->consumer_leases("K1")->latest_deadline_ms, clock.now_ms() + 100'000);
  clock.advance(std::chrono::seconds(101));
  engine->tick();
  l = engine->consumer_leases("K1");
  EXPECT_EQ(l->leases, 0);
  EXPECT_EQ(l->idle_since_ms, clock.now_ms());
}

TEST_F(EngineTest, DrainingConsumerGetsNothingAndDoesNotWait) {
  create("q");
  ASSERT_TRUE(send("q", "a").ok());
  engine->set_consumer_draining("K1", true);
  auto got = recv_as("q", "K1", 10, /*wait=*/20);  // answered at once, not parked
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  engine->set_consumer_draining("K1", false);
  EXPECT_EQ(recv_as("q", "K1")->size(), 1u);
}

TEST_F(EngineTest, DrainingEndsAParkedLongPoll) {
  create("q");
  engine->track_consumer("K1", true);
  ReceiveOptions o;
  o.wait_seconds = 20;
  o.consumer = "K1";
  std::promise<Result<std::vector<Delivered>>> p;
  engine->receive("q", o, [&](Result<std::vector<Delivered>> r) { p.set_value(std::move(r)); });
  auto f = p.get_future();
  EXPECT_EQ(f.wait_for(std::chrono::milliseconds(0)), std::future_status::timeout);
  engine->set_consumer_draining("K1", true);
  ASSERT_EQ(f.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_TRUE(f.get()->empty());
}

TEST_F(EngineTest, PurgeAndDeleteQueueReleaseConsumerLeases) {
  create("q");
  create("r");
  ASSERT_TRUE(send("q", "a").ok());
  ASSERT_TRUE(send("r", "b").ok());
  engine->track_consumer("K1", true);
  ASSERT_EQ(recv_as("q", "K1")->size(), 1u);
  ASSERT_EQ(recv_as("r", "K1")->size(), 1u);
  EXPECT_EQ(engine->consumer_leases("K1")->leases, 2);
  durable(*engine->purge_queue("q"));
  EXPECT_EQ(engine->consumer_leases("K1")->leases, 1);
  durable(*engine->delete_queue("r"));
  EXPECT_EQ(engine->consumer_leases("K1")->leases, 0);
}

TEST_F(EngineTest, CountsAndChangeNotifications) {
  create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  std::atomic<int> notices{0};
  engine->on_counts_changed([&] { notices++; });
  ASSERT_TRUE(send("f.fifo", "1", {}, "g1").ok());
  ASSERT_TRUE(send("f.fifo", "2", {}, "g1").ok());
  ASSERT_TRUE(send("f.fifo", "3", {}, "g2").ok());
  EXPECT_GE(notices.load(), 3);
  auto c = engine->counts("f.fifo");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->visible, 3);
  EXPECT_EQ(c->active_groups, 2);
  auto got = recv("f.fifo", 1);
  ASSERT_EQ(got.size(), 1u);
  c = engine->counts("f.fifo");
  EXPECT_EQ(c->visible, 2);
  EXPECT_EQ(c->inflight, 1);
  EXPECT_EQ(c->active_groups, 2);
  int before = notices.load();
  ASSERT_TRUE(del("f.fifo", got[0].receipt_handle).ok());
  EXPECT_GT(notices.load(), before);
  EXPECT_FALSE(engine->counts("missing").ok());
}

TEST_F(EngineTest, SendWithAlsoCommitsTheExtraOpsInTheSameTransaction) {
  create("q");
  int commits_before = store.commits();
  SendEntry e;
  e.body = "file.jpg";
  Token t = 0;
  auto r = engine->send("q", {e}, t, {op::PutRecord{"seen", "src/file.jpg", "{}"}});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE((*r)[0].ok());
  durable(t);
  EXPECT_EQ(store.commits(), commits_before + 1);
  EXPECT_EQ(store.record_count(), 1u);
  EXPECT_EQ(store.message_count(), 1u);
  // A send that fails entirely does not write the extra ops.
  SendEntry big;
  big.body = std::string(2'000'000, 'x');  // over MaximumMessageSize
  Token t2 = 0;
  auto r2 = engine->send("q", {big}, t2, {op::PutRecord{"seen", "src/big", "{}"}});
  ASSERT_TRUE(r2.ok());
  EXPECT_FALSE((*r2)[0].ok());
  EXPECT_EQ(store.record_count(), 1u);
}

}  // namespace
}  // namespace ebb

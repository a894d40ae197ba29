// Committer (group commit) against a fake Store that records batches and can be held
// inside commit() or made to fail. No sleeps: every wait is on a condition.
#include "store/committer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <string>
#include <thread>

namespace ebb {
namespace {

class RecordingStore final : public Store {
 public:
  LoadedState load() override { return {}; }
  std::vector<RecordRow> load_records() override { return {}; }

  void commit(std::span<const StoreOp> ops) override {
    std::unique_lock lk(mu_);
    entered_++;
    cv_.notify_all();
    cv_.wait(lk, [&] { return !hold_; });
    if (fail_) throw StoreError("disk on fire");
    batches_.emplace_back(ops.begin(), ops.end());
  }

  // While held, commit() blocks after announcing that it was entered.
  void hold() { std::lock_guard lk(mu_); hold_ = true; }
  void release() {
    std::lock_guard lk(mu_);
    hold_ = false;
    cv_.notify_all();
  }
  void fail_commits() { std::lock_guard lk(mu_); fail_ = true; }
  void wait_entered(int n) {
    std::unique_lock lk(mu_);
    cv_.wait(lk, [&] { return entered_ >= n; });
  }

  // Keys of the PutMeta ops, batch by batch.
  std::vector<std::vector<std::string>> keys() {
    std::lock_guard lk(mu_);
    std::vector<std::vector<std::string>> out;
    for (auto& b : batches_) {
      auto& v = out.emplace_back();
      for (auto& op : b) v.push_back(std::get<op::PutMeta>(op).key);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool hold_ = false, fail_ = false;
  int entered_ = 0;
  std::vector<std::vector<StoreOp>> batches_;
};

StoreOp meta(const std::string& k) { return op::PutMeta{k, ""}; }

std::vector<std::string> flat(const std::vector<std::vector<std::string>>& batches) {
  std::vector<std::string> out;
  for (auto& b : batches) out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Records a when_durable callback: its result and the thread it ran on.
struct Outcome {
  std::promise<bool> ok;
  std::future<bool> fut = ok.get_future();
  std::atomic<bool> ran{false};
  Committer::Done done() {
    return [this](bool v) {
      ran = true;
      ok.set_value(v);
    };
  }
};

TEST(Committer, CommitsOpsInAppendOrder) {
  RecordingStore store;
  Committer c(store);
  c.start();
  std::vector<std::string> want;
  for (int i = 0; i < 100; i++) {
    want.push_back(std::to_string(i));
    c.append(meta(want.back()));
  }
  c.stop();
  EXPECT_EQ(flat(store.keys()), want);
  EXPECT_EQ(c.committed_ops(), 100u);
}

TEST(Committer, WhenDurableWaitsForTheCommitThatCoversTheToken) {
  RecordingStore store;
  store.hold();
  Committer c(store);
  c.start();
  Token t = c.append(meta("a"));
  store.wait_entered(1);  // "a" is inside commit(), not yet durable
  Outcome o;
  c.when_durable(t, o.done());
  EXPECT_FALSE(o.ran);
  store.release();
  EXPECT_TRUE(o.fut.get());
  c.stop();
}

TEST(Committer, WhenDurableAfterCommitRunsAtOnce) {
  RecordingStore store;
  Committer c(store);
  c.start();
  Token t = c.append(meta("a"));
  Outcome first;
  c.when_durable(t, first.done());
  ASSERT_TRUE(first.fut.get());
  Outcome again;
  c.when_durable(t, again.done());
  EXPECT_TRUE(again.ran);  // synchronously, on this thread
  Outcome nothing;
  c.when_durable(0, nothing.done());  // token 0: nothing to wait for
  EXPECT_TRUE(nothing.ran);
  EXPECT_TRUE(nothing.fut.get());
  c.stop();
}

TEST(Committer, AppendsDuringACommitGoIntoOneNextBatch) {
  RecordingStore store;
  store.hold();
  Committer c(store);
  c.start();
  c.append(meta("first"));
  store.wait_entered(1);
  constexpr int kThreads = 4, kPerThread = 250;
  std::vector<std::thread> threads;
  std::vector<Token> last(kThreads);
  for (int t = 0; t < kThreads; t++)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; i++) last[t] = c.append(meta(std::to_string(t) + ":" + std::to_string(i)));
    });
  for (auto& th : threads) th.join();
  std::vector<Outcome> outcomes(kThreads);
  for (int t = 0; t < kThreads; t++) c.when_durable(last[t], outcomes[t].done());
  store.release();
  for (auto& o : outcomes) EXPECT_TRUE(o.fut.get());
  c.stop();

  auto batches = store.keys();
  ASSERT_EQ(batches.size(), 2u);  // "first", then everything appended while it committed
  EXPECT_EQ(batches[1].size(), size_t(kThreads * kPerThread));
  // Each thread's ops keep that thread's order.
  std::vector<int> next(kThreads, 0);
  for (auto& k : batches[1]) {
    int t = std::stoi(k.substr(0, k.find(':')));
    EXPECT_EQ(std::stoi(k.substr(k.find(':') + 1)), next[t]++);
  }
  EXPECT_EQ(c.commits(), 2u);
}

TEST(Committer, SplitsBatchesAtMaxBatch) {
  RecordingStore store;
  store.hold();
  Committer c(store, 10);
  c.start();
  c.append(meta("x"));
  store.wait_entered(1);
  Token t = 0;
  for (int i = 0; i < 25; i++) t = c.append(meta(std::to_string(i)));
  Outcome o;
  c.when_durable(t, o.done());
  store.release();
  EXPECT_TRUE(o.fut.get());
  c.stop();
  auto batches = store.keys();
  ASSERT_EQ(batches.size(), 4u);
  EXPECT_EQ(batches[1].size(), 10u);
  EXPECT_EQ(batches[2].size(), 10u);
  EXPECT_EQ(batches[3].size(), 5u);
}

TEST(Committer, WaiterOfAnEarlierBatchDoesNotWaitForALaterOne) {
  RecordingStore store;
  store.hold();
  Committer c(store, 1);
  c.start();
  Token a = c.append(meta("a"));
  Token b = c.append(meta("b"));
  store.wait_entered(1);
  Outcome oa, ob;
  c.when_durable(a, oa.done());
  c.when_durable(b, ob.done());
  store.release();
  EXPECT_TRUE(oa.fut.get());
  EXPECT_TRUE(ob.fut.get());
  c.stop();
  EXPECT_EQ(store.keys().size(), 2u);
}

TEST(Committer, StopCommitsWhatIsPending) {
  RecordingStore store;
  Committer c(store);
  c.start();
  for (int i = 0; i < 50; i++) c.append(meta(std::to_string(i)));
  c.stop();
  EXPECT_EQ(flat(store.keys()).size(), 50u);
}

TEST(Committer, FailedCommitFailsEveryWaiterAndCallsOnFatal) {
  RecordingStore store;
  store.hold();
  store.fail_commits();
  Committer c(store, 1);
  std::promise<std::string> fatal;
  c.on_fatal([&](const std::string& why) { fatal.set_value(why); });
  c.start();
  Token a = c.append(meta("a"));
  store.wait_entered(1);
  Token b = c.append(meta("b"));  // pending behind the failing commit
  Outcome oa, ob;
  c.when_durable(a, oa.done());
  c.when_durable(b, ob.done());
  store.release();
  EXPECT_FALSE(oa.fut.get());
  EXPECT_FALSE(ob.fut.get());
  EXPECT_NE(fatal.get_future().get().find("disk on fire"), std::string::npos);

  // Fail-stop: later appends are never reported durable.
  Token later = c.append(meta("c"));
  Outcome ol;
  c.when_durable(later, ol.done());
  EXPECT_TRUE(ol.ran);
  EXPECT_FALSE(ol.fut.get());
  c.stop();
  EXPECT_TRUE(store.keys().empty());
  EXPECT_EQ(c.commits(), 0u);
}

// append_all: a group is never split across commits even when it straddles max_batch.
TEST(Committer, AppendAllGroupIsNeverSplit) {
  RecordingStore store;
  store.hold();
  Committer c(store, /*max_batch=*/3);
  c.start();
  c.append(meta("x"));
  store.wait_entered(1);  // "x" is being committed; the rest queues up behind it
  c.append(meta("a"));
  c.append(meta("b"));
  Token t = c.append_all({meta("g1"), meta("g2"), meta("g3")});
  c.append(meta("z"));
  store.release();
  Outcome o;
  c.when_durable(t, o.done());
  EXPECT_TRUE(o.fut.get());
  c.stop();
  auto batches = store.keys();
  EXPECT_EQ(flat(batches), (std::vector<std::string>{"x", "a", "b", "g1", "g2", "g3", "z"}));
  for (auto& b : batches) {
    bool has_first = std::find(b.begin(), b.end(), "g1") != b.end();
    bool has_last = std::find(b.begin(), b.end(), "g3") != b.end();
    EXPECT_EQ(has_first, has_last) << "group split across commits";
  }
  EXPECT_EQ(c.append_all({}), 0u);
}

}  // namespace
}  // namespace ebb

// Randomised FIFO exclusivity check (reliability.md P-F1/P-F2) on a fake clock:
// sends, short and long polls, deletes, visibility changes, lease expiries and
// restarts in random order; an oracle of live leases checks every delivery.
#include <future>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "queue/engine.h"
#include "support/fake_clock.h"
#include "support/mem_store.h"

namespace ebb {
namespace {

struct Lease {
  std::string group;
  int64_t until_ms;
  std::string handle;
};

class FifoStress : public ::testing::TestWithParam<int> {};

TEST_P(FifoStress, NoGroupIsLeasedTwice) {
  std::mt19937 rng(GetParam());
  FakeClock clock;
  MemStore store;
  auto committer = std::make_unique<Committer>(store);
  committer->start();
  auto engine = std::make_unique<Engine>(clock, store, *committer);
  engine->load();
  auto durable = [&](Token t) {
    std::promise<bool> p;
    engine->when_durable(t, [&](bool ok) { p.set_value(ok); });
    ASSERT_TRUE(p.get_future().get());
  };
  ASSERT_TRUE(engine->create_queue("f.fifo", {{"FifoQueue", "true"}, {"VisibilityTimeout", "5"}}, {}).ok());
  std::map<std::string, Lease> leases;  // message id -> live lease (oracle)
  std::map<std::string, std::string> group_of;
  int sent = 0;
  using Pending = std::future<Result<std::vector<Delivered>>>;
  std::vector<Pending> parked;

  auto check_delivery = [&](const std::vector<Delivered>& got) {
    int64_t now = clock.now_ms();
    for (auto& d : got) {
      for (auto& [mid, l] : leases) {
        if (mid == d.message_id || l.until_ms <= now) continue;
        bool same_call = false;
        for (auto& o : got) same_call |= o.message_id == mid;
        ASSERT_FALSE(l.group == d.group_id && !same_call)
            << "seed " << GetParam() << ": " << d.message_id << " of group " << d.group_id << " delivered while "
            << mid << " is leased until " << l.until_ms << " (now " << now << ")";
      }
    }
    for (auto& d : got) leases[d.message_id] = Lease{d.group_id, now + 5000, d.receipt_handle};
  };
  auto collect_parked = [&] {
    for (auto it = parked.begin(); it != parked.end();) {
      if (it->wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
        ++it;
        continue;
      }
      auto r = it->get();
      ASSERT_TRUE(r.ok());
      check_delivery(*r);
      it = parked.erase(it);
    }
  };

  for (int step = 0; step < 3000; ++step) {
    int op = int(rng() % 100);
    if (op < 30) {
      SendEntry e;
      e.body = "m" + std::to_string(sent);
      e.group_id = "g" + std::to_string(rng() % 3);
      e.dedup_id = "d" + std::to_string(sent++);
      Token t = 0;
      ASSERT_TRUE(engine->send("f.fifo", {e}, t).ok());
      durable(t);
    } else if (op < 50) {
      ReceiveOptions o;
      o.max_messages = 1 + int(rng() % 10);
      o.wait_seconds = int(rng() % 3);
      auto p = std::make_shared<std::promise<Result<std::vector<Delivered>>>>();
      parked.push_back(p->get_future());
      engine->receive("f.fifo", o, [p](Result<std::vector<Delivered>> r) { p->set_value(std::move(r)); });
      // give the committer a moment so answered receives are collected in order
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    } else if (op < 65 && !leases.empty()) {
      auto it = leases.begin();
      std::advance(it, rng() % leases.size());
      Token t = 0;
      auto r = engine->delete_messages("f.fifo", {it->second.handle}, t);
      ASSERT_TRUE(r.ok());
      durable(t);
      if ((*r)[0].ok() && it->second.until_ms > clock.now_ms()) leases.erase(it);
    } else if (op < 72 && !leases.empty()) {
      auto it = leases.begin();
      std::advance(it, rng() % leases.size());
      int v = int(rng() % 10);
      Token t = 0;
      auto r = engine->change_visibility("f.fifo", {{it->second.handle, v}}, t);
      ASSERT_TRUE(r.ok());
      durable(t);
      if ((*r)[0].ok()) it->second.until_ms = clock.now_ms() + v * 1000;
    } else if (op < 97) {
      clock.advance(Millis(100 + rng() % 1500));
      engine->tick();
    } else {
      // restart: parked receives are lost with the process (their grants, if any, were
      // answered first); drop the ones not answered.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      collect_parked();
      engine.reset();
      committer->stop();
      committer = std::make_unique<Committer>(store);
      committer->start();
      engine = std::make_unique<Engine>(clock, store, *committer);
      engine->load();
      parked.clear();
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    collect_parked();
    if (HasFatalFailure()) return;
  }
  engine->release_all_waiters();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  collect_parked();
  engine.reset();
  committer->stop();
}

INSTANTIATE_TEST_SUITE_P(Seeds, FifoStress, ::testing::Values(1, 2, 3, 4, 5));

}  // namespace
}  // namespace ebb

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
#include "store/store.h"

#include <cstdlib>
#include <unistd.h>

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
  // Odd seeds use the real SQLite store (reopened on restart), even seeds MemStore.
  std::string dir;
  std::unique_ptr<Store> owned;
  auto open_store = [&]() -> Store& {
    if (GetParam() % 2 == 0) {
      if (!owned) owned = std::make_unique<MemStore>();
      return *owned;
    }
    if (dir.empty()) {
      char tmpl[] = "/tmp/ebb-stress-XXXXXX";
      dir = mkdtemp(tmpl);
    }
    owned.reset();
    owned = open_sqlite_store(dir + "/ebb.db");
    return *owned;
  };
  Store* storep = &open_store();
  auto committer = std::make_unique<Committer>(*storep);
  committer->start();
  auto engine = std::make_unique<Engine>(clock, *storep, *committer);
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
  // A receive's leases start when it is granted, at or after the call: the oracle uses
  // the call's time as a floor (as the kill -9 soak's checker does), never later.
  struct Pending {
    std::future<Result<std::vector<Delivered>>> f;
    int64_t called_ms;
    std::future_status wait_for(std::chrono::milliseconds d) { return f.wait_for(d); }
    Result<std::vector<Delivered>> get() { return f.get(); }
  };
  std::vector<Pending> parked;

  std::vector<std::string> trace;
  auto dump = [&](const std::string& a, const std::string& b) {
    std::string out;
    for (auto& t : trace)
      if (t.find(a) != std::string::npos || t.find(b) != std::string::npos || t.rfind("restart", 0) == 0)
        out += t + "\n";
    return out;
  };
  auto check_delivery = [&](const std::vector<Delivered>& got, int64_t called_ms) {
    int64_t now = clock.now_ms();
    for (auto& d : got) {
      for (auto& [mid, l] : leases) {
        if (mid == d.message_id || l.until_ms <= now) continue;
        bool same_call = false;
        for (auto& o : got) same_call |= o.message_id == mid;
        ASSERT_FALSE(l.group == d.group_id && !same_call)
            << "seed " << GetParam() << ": " << d.message_id << " of group " << d.group_id << " delivered while "
            << mid << " is leased until " << l.until_ms << " (now " << now << ")\n" << dump(d.message_id, mid);
      }
    }
    for (auto& d : got) {
      leases[d.message_id] = Lease{d.group_id, called_ms + 5000, d.receipt_handle};
      trace.push_back("deliver " + d.message_id + " " + d.group_id + " rc=" + std::to_string(d.receive_count) +
                      " now=" + std::to_string(now));
    }
  };
  auto collect_parked = [&] {
    for (auto it = parked.begin(); it != parked.end();) {
      if (it->wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
        ++it;
        continue;
      }
      int64_t called = it->called_ms;
      auto r = it->get();
      ASSERT_TRUE(r.ok());
      check_delivery(*r, called);
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
      parked.push_back(Pending{p->get_future(), clock.now_ms()});
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
      trace.push_back("delete " + it->first + ((*r)[0].ok() ? " ok" : " err") + " now=" + std::to_string(clock.now_ms()));
      if ((*r)[0].ok() && it->second.until_ms > clock.now_ms()) leases.erase(it);
    } else if (op < 72 && !leases.empty()) {
      auto it = leases.begin();
      std::advance(it, rng() % leases.size());
      int v = int(rng() % 10);
      Token t = 0;
      auto r = engine->change_visibility("f.fifo", {{it->second.handle, v}}, t);
      ASSERT_TRUE(r.ok());
      durable(t);
      trace.push_back("cmv " + it->first + " v=" + std::to_string(v) + ((*r)[0].ok() ? " ok" : " err") + " now=" + std::to_string(clock.now_ms()));
      if ((*r)[0].ok()) it->second.until_ms = clock.now_ms() + v * 1000;
    } else if (op < 97) {
      clock.advance(Millis(100 + rng() % 1500));
      engine->tick();
    } else {
      // restart: parked receives are lost with the process (their grants, if any, were
      // answered first); drop the ones not answered.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      collect_parked();
      trace.push_back("restart now=" + std::to_string(clock.now_ms()) + " parked=" + std::to_string(parked.size()));
      engine.reset();
      committer->stop();
      committer.reset();
      storep = &open_store();
      committer = std::make_unique<Committer>(*storep);
      committer->start();
      engine = std::make_unique<Engine>(clock, *storep, *committer);
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
  if (!dir.empty()) std::system(("rm -rf " + dir).c_str());
}

INSTANTIATE_TEST_SUITE_P(Seeds, FifoStress, ::testing::Values(1, 2, 3, 4, 5, 7, 9));

}  // namespace
}  // namespace ebb

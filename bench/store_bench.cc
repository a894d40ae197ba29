// store_bench: throughput of the SQLite store on the hot path, and start-up cost.
//   store_bench <empty-dir> [--with-queue-index] [--inserts-only]
// Prints, for 256-byte messages: durable inserts/s at 10/100/500 messages per commit,
// a full message lifecycle (send, receive grant, delete) per second, then for 1,000,000
// messages: reopen time (quick_check), load() time and RSS, PurgeQueue time.
// --with-queue-index adds an index on messages(queue_id) to measure what it costs.
// --inserts-only stops after the insert rates (for quick A/B runs on a noisy machine).
#include <sqlite3.h>

#include <time.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "store/store.h"

using namespace ebb;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// CPU seconds of this process: unlike wall time it does not swing with fsync latency
// on a shared disk, so it shows what the code itself costs per message.
double cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

Message make_message(int64_t id, int64_t queue_id) {
  Message m;
  m.id = id;
  m.queue_id = queue_id;
  m.message_id = "0b5f6a8e-3c1d-4e2f-9a7b-" + std::to_string(100000000000 + id);
  m.body.assign(256, 'x');
  m.sent_ms = 1700000000000 + id;
  m.visible_at_ms = m.sent_ms;
  m.sender_id = "000000000000";
  return m;
}

// A fresh store file in `dir`, optionally with an index on messages(queue_id).
std::unique_ptr<Store> fresh_store(const std::string& path, bool with_index) {
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
  open_sqlite_store(path);  // create the schema, close
  if (with_index) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, "CREATE INDEX messages_by_queue ON messages(queue_id)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  auto s = open_sqlite_store(path);
  std::vector<StoreOp> ops;
  for (int q = 1; q <= 10; q++)
    ops.push_back(op::PutQueue{QueueRow{.id = q, .name = "q" + std::to_string(q), .attrs_json = "{}",
                                        .tags_json = "{}", .created_s = 1, .modified_s = 1}});
  s->commit(ops);
  return s;
}

// Inserts `total` messages (round-robin over 10 queues) in commits of `batch`.
double insert(Store& s, int64_t first_id, int64_t total, int batch) {
  std::vector<StoreOp> ops;
  ops.reserve(batch);
  auto t0 = Clock::now();
  for (int64_t i = 0; i < total; i += batch) {
    ops.clear();
    for (int j = 0; j < batch && i + j < total; j++) {
      int64_t id = first_id + i + j;
      ops.push_back(op::PutMessage{make_message(id, 1 + id % 10)});
    }
    s.commit(ops);
  }
  return seconds_since(t0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: store_bench <empty-dir> [--with-queue-index] [--inserts-only]\n");
    return 2;
  }
  std::string path = std::string(argv[1]) + "/bench.db";
  bool with_index = false, inserts_only = false;
  for (int i = 2; i < argc; i++) {
    with_index |= std::string(argv[i]) == "--with-queue-index";
    inserts_only |= std::string(argv[i]) == "--inserts-only";
  }
  std::printf("index on messages(queue_id): %s\n", with_index ? "yes" : "no");

  for (int batch : {10, 100, 500}) {
    int64_t total = batch == 10 ? 50000 : 300000;
    auto s = fresh_store(path, with_index);
    double cpu0 = cpu_seconds();
    double t = insert(*s, 1, total, batch);
    double cpu = cpu_seconds() - cpu0;
    std::printf("insert batch=%-4d %7lld msgs %6.2f s  %8.0f msgs/s  %6.0f commits/s  cpu %.2f us/msg\n", batch,
                (long long)total, t, total / t, total / batch / t, cpu / double(total) * 1e6);
  }

  if (inserts_only) return 0;

  {  // lifecycle: each message is sent, granted, deleted; ops of 100 messages per commit.
    auto s = fresh_store(path, with_index);
    const int64_t n = 200000, per = 100;
    std::vector<StoreOp> ops;
    auto t0 = Clock::now();
    for (int64_t i = 0; i < n; i += per) {
      ops.clear();
      for (int64_t id = i + 1; id <= i + per; id++) ops.push_back(op::PutMessage{make_message(id, 1)});
      s->commit(ops);
      ops.clear();
      for (int64_t id = i + 1; id <= i + per; id++)
        ops.push_back(op::UpdateMessage{id, 1, true, 1, 1, 1, 1});
      s->commit(ops);
      ops.clear();
      for (int64_t id = i + 1; id <= i + per; id++) ops.push_back(op::DeleteMessage{id});
      s->commit(ops);
    }
    double t = seconds_since(t0);
    std::printf("lifecycle (put, grant, delete; 100/commit) %lld msgs %.2f s  %.0f msgs/s\n", (long long)n, t,
                n / t);
  }

  {  // 1M messages: start-up cost.
    const int64_t n = 1000000;
    {
      auto s = fresh_store(path, with_index);
      double t = insert(*s, 1, n, 500);
      std::printf("insert 1M batch=500 %.2f s  %.0f msgs/s\n", t, n / t);
    }
    long rss0 = rss_kib();
    auto t0 = Clock::now();
    auto s = open_sqlite_store(path);
    double t_open = seconds_since(t0);
    t0 = Clock::now();
    LoadedState st = s->load();
    double t_load = seconds_since(t0);
    long rss1 = rss_kib();
    std::printf("1M: open+quick_check %.2f s  load %.2f s (%zu msgs)  RSS +%ld MiB (total %ld MiB)\n", t_open,
                t_load, st.messages.size(), (rss1 - rss0) / 1024, rss1 / 1024);
    st = {};
    std::vector<StoreOp> ops{op::PutMessage{make_message(n + 1, 11)}};
    s->commit(ops);
    ops = {op::PurgeQueue{11}};
    t0 = Clock::now();
    s->commit(ops);
    std::printf("PurgeQueue of 1 of 1M messages: %.3f s\n", seconds_since(t0));
    ops = {op::PurgeQueue{3}};
    t0 = Clock::now();
    s->commit(ops);
    std::printf("PurgeQueue of 100k of 1M messages (every 10th row): %.3f s\n", seconds_since(t0));
  }
  return 0;
}

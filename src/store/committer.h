// Group commit (reliability.md P-D1..P-D3). Callers append ops in the order they
// changed memory (the engine holds its lock while appending), a single writer thread
// commits everything pending in one transaction, and callbacks waiting on a token run
// only after the commit that covers it. A failed commit is fail-stop: every waiting
// and later callback gets ok=false and on_fatal runs (the server exits; P-D4).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"

namespace ebb {

using Token = uint64_t;  // sequence number of an appended op; 0 = nothing to wait for

class Committer {
 public:
  using Done = std::function<void(bool ok)>;

  // max_batch: a commit takes at most this many ops, except that ops appended together
  // with append_all() are never split across commits.
  explicit Committer(Store& store, size_t max_batch = 4096);
  ~Committer();
  void start();
  void stop();  // commits what is pending, then joins

  Token append(StoreOp op);
  // Appends ops that must commit in the same transaction (all or none); returns the
  // token of the last one (0 when `ops` is empty).
  Token append_all(std::vector<StoreOp> ops);
  // Runs done(ok) once the commit covering `t` returned (at once if already durable).
  // Callbacks run on the writer thread: keep them short (post to an executor).
  void when_durable(Token t, Done done);
  // Runs on the writer thread after a failed commit; must not call stop() itself.
  void on_fatal(std::function<void(const std::string&)> f) { fatal_ = std::move(f); }

  uint64_t commits() const { return commits_; }
  uint64_t committed_ops() const { return committed_ops_; }

 private:
  void run();

  Store& store_;
  size_t max_batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<StoreOp> pending_;
  std::vector<size_t> group_ends_;  // pending_ indexes where an append_all group ends (exclusive)
  Token next_ = 1;          // token of the next appended op
  Token durable_ = 0;       // every op <= durable_ is committed
  bool failed_ = false;
  bool stopping_ = false;
  bool stopped_ = false;  // writer gone: nothing appended from now on becomes durable
  std::multimap<Token, Done> waiters_;
  std::thread thread_;
  std::function<void(const std::string&)> fatal_;
  std::atomic<uint64_t> commits_{0}, committed_ops_{0};
};

}  // namespace ebb

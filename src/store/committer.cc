#include "store/committer.h"

namespace ebb {

Committer::Committer(Store& store, size_t max_batch) : store_(store), max_batch_(max_batch) {}

Committer::~Committer() { stop(); }

void Committer::start() {
  thread_ = std::thread([this] { run(); });
}

void Committer::stop() {
  if (thread_.joinable() && thread_.get_id() == std::this_thread::get_id()) return;
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::vector<Done> orphans;
  {
    std::lock_guard lk(mu_);
    stopped_ = true;
    for (auto& [_, d] : waiters_) orphans.push_back(std::move(d));
    waiters_.clear();
    pending_.clear();
    group_ends_.clear();
  }
  for (auto& d : orphans) d(false);
}

Token Committer::append(StoreOp op) {
  std::lock_guard lk(mu_);
  if (failed_ || stopped_) return next_++;  // will never be durable; when_durable answers false
  pending_.push_back(std::move(op));
  Token t = next_++;
  if (pending_.size() == 1) cv_.notify_one();
  return t;
}

Token Committer::append_all(std::vector<StoreOp> ops) {
  if (ops.empty()) return 0;
  std::lock_guard lk(mu_);
  Token last = next_ + ops.size() - 1;
  next_ += ops.size();
  if (failed_ || stopped_) return last;
  bool was_empty = pending_.empty();
  for (auto& op : ops) pending_.push_back(std::move(op));
  group_ends_.push_back(pending_.size());
  if (was_empty) cv_.notify_one();
  return last;
}

void Committer::when_durable(Token t, Done done) {
  bool now_ok;
  {
    std::lock_guard lk(mu_);
    if (failed_ || (stopped_ && t > durable_)) {
      now_ok = false;
    } else if (t <= durable_) {
      now_ok = true;
    } else {
      waiters_.emplace(t, std::move(done));
      return;
    }
  }
  done(now_ok);
}

void Committer::run() {
  std::vector<StoreOp> batch;
  for (;;) {
    Token last;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return !pending_.empty() || stopping_; });
      if (pending_.empty() && stopping_) return;
      size_t take = std::min(pending_.size(), max_batch_);
      // Never split an append_all group: a cut that may fall inside one moves to the
      // end of the first group ending after it (conservative: starts are not kept).
      for (size_t end : group_ends_) {
        if (end > take) {
          take = end;
          break;
        }
      }
      if (take == pending_.size()) {
        batch.swap(pending_);
        group_ends_.clear();
      } else {
        batch.assign(std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.begin() + take));
        pending_.erase(pending_.begin(), pending_.begin() + take);
        std::erase_if(group_ends_, [&](size_t e) { return e <= take; });
        for (auto& e : group_ends_) e -= take;
      }
      last = next_ - 1 - pending_.size();
    }
    std::string error;
    try {
      store_.commit(batch);
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "unknown store failure";
    }
    std::vector<Done> ready;
    {
      std::lock_guard lk(mu_);
      if (error.empty()) {
        durable_ = last;
        commits_++;
        committed_ops_ += batch.size();
        auto end = waiters_.upper_bound(last);
        for (auto it = waiters_.begin(); it != end; ++it) ready.push_back(std::move(it->second));
        waiters_.erase(waiters_.begin(), end);
      } else {
        failed_ = true;
        for (auto& [_, d] : waiters_) ready.push_back(std::move(d));
        waiters_.clear();
        pending_.clear();
        group_ends_.clear();
      }
    }
    batch.clear();
    for (auto& d : ready) d(error.empty());
    if (!error.empty()) {
      if (fatal_) fatal_(error);
      std::unique_lock lk(mu_);
      // Fail-stop: refuse everything from now on.
      cv_.wait(lk, [&] { return stopping_; });
      return;
    }
  }
}

}  // namespace ebb

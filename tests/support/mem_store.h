// MemStore: a Store that keeps committed state in memory and can be "reopened"
// (load() returns exactly what was committed), so engine tests can check restart
// behaviour without disk. Not a stand-in for the SQLite store's own tests.
#pragma once
#include <map>
#include <mutex>
#include <type_traits>

#include "store/store.h"

namespace ebb {

class MemStore final : public Store {
 public:
  LoadedState load() override {
    std::lock_guard lk(mu_);
    LoadedState s;
    for (auto& [_, q] : queues_) s.queues.push_back(q);
    for (auto& [_, m] : msgs_) s.messages.push_back(m);
    for (auto& [_, d] : dedup_) s.dedup.push_back(d);
    for (auto& [_, t] : tasks_) s.move_tasks.push_back(t);
    for (auto& kv : meta_) s.meta.push_back(kv);
    return s;
  }
  std::vector<RecordRow> load_records() override {
    std::lock_guard lk(mu_);
    std::vector<RecordRow> out;
    for (auto& [k, v] : records_) out.push_back({k.first, k.second, v});
    return out;
  }
  size_t record_count() { std::lock_guard lk(mu_); return records_.size(); }
  void commit(std::span<const StoreOp> ops) override {
    std::lock_guard lk(mu_);
    if (fail_next_) {
      fail_next_ = false;
      throw StoreError("injected failure");
    }
    for (auto& o : ops) std::visit([this](auto& x) { apply(x); }, o);
    commits_++;
  }
  void fail_next() { fail_next_ = true; }
  size_t message_count() { std::lock_guard lk(mu_); return msgs_.size(); }
  int commits() const { return commits_; }

 private:
  void apply(const op::PutQueue& o) { queues_[o.q.id] = o.q; }
  void apply(const op::DeleteQueue& o) {
    queues_.erase(o.queue_id);
    std::erase_if(msgs_, [&](auto& kv) { return kv.second.queue_id == o.queue_id; });
    std::erase_if(dedup_, [&](auto& kv) { return kv.second.queue_id == o.queue_id; });
  }
  void apply(const op::PutMessage& o) { msgs_[o.m.id] = o.m; }
  void apply(const op::UpdateMessage& o) {
    auto it = msgs_.find(o.id);
    if (it == msgs_.end()) return;
    auto& m = it->second;
    m.visible_at_ms = o.visible_at_ms; m.leased = o.leased; m.receive_count = o.receive_count;
    m.first_receive_ms = o.first_receive_ms; m.delivered_ms = o.delivered_ms; m.grant = o.grant;
  }
  void apply(const op::DeleteMessage& o) { msgs_.erase(o.id); }
  void apply(const op::PurgeQueue& o) {
    std::erase_if(msgs_, [&](auto& kv) { return kv.second.queue_id == o.queue_id; });
  }
  void apply(const op::PutDedup& o) { dedup_[{o.d.queue_id, o.d.key}] = o.d; }
  void apply(const op::ExpireDedup& o) {
    std::erase_if(dedup_, [&](auto& kv) { return kv.second.expires_ms <= o.now_ms; });
  }
  void apply(const op::PutMoveTask& o) { tasks_[o.t.task_id] = o.t; }
  void apply(const op::DeleteMoveTask& o) { tasks_.erase(o.task_id); }
  void apply(const op::PutMeta& o) {
    for (auto& kv : meta_) if (kv.first == o.key) { kv.second = o.value; return; }
    meta_.push_back({o.key, o.value});
  }

  void apply(const op::PutRecord& o) { records_[{o.kind, o.key}] = o.value; }
  void apply(const op::DeleteRecord& o) { records_.erase({o.kind, o.key}); }

  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::string> records_;
  std::map<int64_t, QueueRow> queues_;
  std::map<int64_t, Message> msgs_;
  std::map<std::pair<int64_t, std::string>, DedupRow> dedup_;
  std::map<std::string, MoveTaskRow> tasks_;
  std::vector<std::pair<std::string, std::string>> meta_;
  bool fail_next_ = false;
  int commits_ = 0;
};

}  // namespace ebb

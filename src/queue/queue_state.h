// In-memory state of one queue: messages and the indexes that keep every operation
// independent of the backlog (sqs-api.md §9; ARCHITECTURE.md "queue/").
//
// Standard queues: `visible` (by id ≈ commit order), `delayed` and `inflight` (by
// deadline), `by_sent` (retention). FIFO queues: per-group `pending` (not in flight,
// by sequence number) and `ready` (groups with nothing in flight whose head is
// visible, by head sequence number), so a receive never scans blocked groups.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "clock/clock.h"
#include "model/message.h"
#include "queue/attributes.h"
#include "queue/engine.h"

namespace ebb {

enum class MsgState : uint8_t { Delayed, Visible, InFlight };

struct Msg {
  Message m;
  MsgState state = MsgState::Visible;
  uint32_t consumer = 0;  // tracked consumer holding the lease (Engine::Impl::consumers), 0 = none
};

struct Group {
  std::set<std::pair<int64_t, int64_t>> pending;  // (seq, id) of messages not in flight
  int inflight = 0;
  int64_t ready_seq = -1;                         // key in Queue::ready, -1 = not ready
};

struct Waiter {
  ReceiveOptions opts;
  Engine::ReceiveDone done;
  MonoTime deadline;
  bool finished = false;
};

struct DedupEntry {
  std::string message_id;
  int64_t seq = 0;
  int64_t expires_ms = 0;
};

struct AttemptEntry {
  int64_t expires_ms = 0;
  std::vector<std::pair<int64_t, uint32_t>> grants;  // (id, grant) handed out
  std::vector<int64_t> deadlines;
};

struct QueueState {
  int64_t id = 0;
  std::string name;
  bool fifo = false;
  std::map<std::string, std::string> stored;  // attribute values as stored
  std::map<std::string, std::string> tags;
  QueueSettings settings;
  int64_t created_s = 0, modified_s = 0;
  int64_t next_seq = 1;

  std::unordered_map<int64_t, Msg> msgs;
  std::set<int64_t> visible;                        // standard only
  std::set<std::pair<int64_t, int64_t>> delayed;    // (visible_at, id)
  std::set<std::pair<int64_t, int64_t>> inflight;   // (deadline, id)
  std::set<std::pair<int64_t, int64_t>> by_sent;    // (sent_ms, id)
  int64_t n_visible = 0;

  std::unordered_map<std::string, Group> groups;    // FIFO
  std::set<std::pair<int64_t, std::string>> ready;  // FIFO: (head seq, group)

  std::unordered_map<std::string, DedupEntry> dedup;
  std::deque<std::pair<int64_t, std::string>> dedup_expiry;  // (expires, key) in insertion order
  std::unordered_map<std::string, AttemptEntry> attempts;

  std::deque<std::shared_ptr<Waiter>> waiters;
  int64_t last_purge_ms = 0;

  uint64_t sent = 0, received = 0, deleted = 0, empty_receives = 0;
  uint64_t deduplicated = 0, dead_lettered = 0;  // FIFO duplicates dropped; moved to the DLQ
  uint64_t stale_receipts = 0;                   // deletes with a superseded handle
  std::map<std::string, uint64_t> redriven;      // destination → moved by move tasks
  SentSizeCounts sent_sizes{};                   // accepted sends by size bucket
  double sent_size_sum = 0;

  void count_sent_size(int64_t bytes) {
    size_t i = 0;
    while (i < std::size(kSentSizeBuckets) && double(bytes) > kSentSizeBuckets[i]) ++i;
    sent_sizes[i]++;
    sent_size_sum += double(bytes);
  }
};

}  // namespace ebb

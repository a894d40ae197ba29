// Engine: SQS semantics over in-memory indexes, every change group-committed to the
// Store before it is acknowledged. Thread-safe (one mutex); nothing here blocks on
// I/O: mutating calls apply the change in memory, append store ops in the same order
// and return a Token; the API layer answers once `when_durable(token)` fires.
//
// Names: queue-level methods take the queue *name* (the API layer resolves URLs).
// Validation of wire-level parameters (body characters, attribute names, ids, ranges
// of request parameters, batch shape and total size) is the API layer's job; the
// engine validates what needs queue state: queue attributes and redrive policies,
// receipt handles, message size against MaximumMessageSize, FIFO rules (group id
// required, dedup id or content-based dedup, DelaySeconds must be 0, dedup id not on
// standard queues, ReceiveRequestAttemptId only on FIFO), content-based dedup ids.
#pragma once
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "clock/clock.h"
#include "model/message.h"
#include "store/committer.h"

namespace ebb {

struct EngineConfig {
  std::string region = "us-east-1";
  std::string account = "000000000000";
  bool purge_rate_limit = false;        // 60 s PurgeQueueInProgress rule (off by default)
  bool deleted_recently_rule = false;   // 60 s QueueDeletedRecently rule (off by default)
  size_t max_inflight_per_queue = 120000;
  size_t max_long_polls = 1000;
};

struct SendEntry {
  std::string body;
  MsgAttrs attrs;                       // validated, sorted by name
  std::optional<int> delay_seconds;     // validated 0..900
  std::string group_id;                 // "" = none
  std::string dedup_id;                 // "" = none
  std::string trace_header;             // "" = none
  std::string sender_id;
  bool in_batch = false;                // SendMessageBatch: some errors use other codes (§9.6)
};

struct SendResult {
  std::string message_id;
  std::string sequence_number;  // FIFO only, else ""
};

struct ReceiveOptions {
  int max_messages = 1;                 // 1..10
  std::optional<int> visibility;        // 0..43200, else the queue's
  std::optional<int> wait_seconds;      // 0..20, else the queue's
  std::string attempt_id;               // FIFO ReceiveRequestAttemptId
  // Who receives: the access key id of the request ("" = unknown). Leases granted to a
  // tracked consumer are counted per consumer; a draining consumer gets no messages
  // and no long-poll wait (autoscaling.md §5.3).
  std::string consumer;
};

// Exact counters the autoscaler reads (autoscaling.md §3).
struct QueueCounts {
  int64_t visible = 0, inflight = 0, delayed = 0;
  bool fifo = false;
  int64_t active_groups = 0;  // FIFO: message groups with a visible or in-flight message
};

// Leases held by one tracked consumer (a task's access key), over all queues.
struct ConsumerLeases {
  int64_t leases = 0;              // messages currently in flight under its receipts
  int64_t soonest_deadline_ms = 0; // earliest visibility deadline among them (0 = none)
  int64_t latest_deadline_ms = 0;  // latest one (0 = none)
  int64_t received = 0;            // messages ever granted to it
  int64_t first_receive_ms = 0;    // first ReceiveMessage call (0 = never called)
  int64_t idle_since_ms = 0;       // when its lease count last became 0 (or tracking began)
  bool draining = false;
};

// What a delivery hands back (copied out of the engine under its lock).
struct Delivered {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  MsgAttrs attrs;
  // system attributes
  std::string sender_id;
  int64_t sent_ms = 0;
  int32_t receive_count = 0;
  int64_t first_receive_ms = 0;
  std::string group_id, dedup_id, sequence_number, trace_header, dlq_source_arn;
};

// Buckets of ebb_queue_sent_message_size_bytes (body + attributes, bytes; ecosystem.md §3.3).
inline constexpr double kSentSizeBuckets[] = {256, 1024, 4096, 16384, 65536, 262144, 1048576};
using SentSizeCounts = std::array<uint64_t, std::size(kSentSizeBuckets) + 1>;  // per bucket; last = above all

struct QueueStats {
  std::string name;
  bool fifo = false;
  int64_t visible = 0, inflight = 0, delayed = 0;
  int64_t oldest_sent_ms = 0;        // 0 = empty
  int64_t created_s = 0;
  std::map<std::string, std::string> attributes;  // stored attribute values
  std::map<std::string, std::string> tags;
  std::string dlq;                   // name of the DLQ, "" = none
  int max_receive_count = 0;
  // counters since start
  uint64_t sent = 0, received = 0, deleted = 0, empty_receives = 0;
  uint64_t deduplicated = 0, dead_lettered = 0;
  int64_t receive_waiters = 0;       // parked long polls
  uint64_t stale_receipts = 0;       // deletes with a superseded handle (reliability.md §2.2)
  std::map<std::string, uint64_t> redriven;  // destination queue → messages moved by move tasks
  SentSizeCounts sent_sizes{};       // accepted sends by size bucket (not cumulative)
  double sent_size_sum = 0;          // bytes
};

struct MoveTaskInfo {
  std::string task_handle;   // only while RUNNING
  std::string status, source_arn, dest_arn, failure_reason;
  int32_t rate = 0;
  int64_t moved = 0, to_move = 0, started_ms = 0;
};

class Engine {
 public:
  using ReceiveDone = std::function<void(Result<std::vector<Delivered>>)>;

  Engine(Clock& clock, Store& store, Committer& committer, EngineConfig cfg = {});
  ~Engine();
  // Loads every queue, message, dedup record and move task from the store.
  void load();

  const EngineConfig& config() const { return cfg_; }
  std::string queue_arn(const std::string& name) const;

  // ---- queues ----
  // CreateQueue incl. idempotency (sqs-api.md §7.1). attrs are the raw request map.
  Result<Token> create_queue(const std::string& name, const std::map<std::string, std::string>& attrs,
                             const std::map<std::string, std::string>& tags);
  Result<Token> delete_queue(const std::string& name);
  Result<Token> purge_queue(const std::string& name);
  Status queue_exists(const std::string& name) const;
  // GetQueueAttributes; names may contain "All". Unknown names → InvalidAttributeName.
  Result<std::vector<std::pair<std::string, std::string>>> get_attributes(
      const std::string& name, const std::vector<std::string>& names) const;
  Result<Token> set_attributes(const std::string& name, const std::map<std::string, std::string>& attrs);
  std::vector<std::string> list_queues(const std::string& prefix) const;  // sorted by name
  Result<std::vector<std::string>> dead_letter_sources(const std::string& name) const;  // sorted
  Result<Token> tag_queue(const std::string& name, const std::map<std::string, std::string>& tags);
  Result<Token> untag_queue(const std::string& name, const std::vector<std::string>& keys);
  Result<std::map<std::string, std::string>> list_tags(const std::string& name) const;
  Result<Token> add_permission(const std::string& name, const std::string& label,
                               const std::vector<std::string>& accounts, const std::vector<std::string>& actions);
  Result<Token> remove_permission(const std::string& name, const std::string& label);

  // ---- messages ----
  // Queue-level failure → error; otherwise one result per entry (entry errors per §5.3).
  Result<std::vector<Result<SendResult>>> send(const std::string& name, std::vector<SendEntry> entries,
                                               Token& token);
  // As send(), and `also` is committed in the same store transaction as the messages
  // (event sources record "file announced" atomically with its message).
  Result<std::vector<Result<SendResult>>> send(const std::string& name, std::vector<SendEntry> entries,
                                               Token& token, std::vector<StoreOp> also);
  // Long polls park until a message is receivable or the wait ends; done runs after the
  // grants are durable (or at once on error/empty). May run on another thread.
  void receive(const std::string& name, const ReceiveOptions& opts, ReceiveDone done);
  Result<std::vector<Status>> delete_messages(const std::string& name, const std::vector<std::string>& handles,
                                              Token& token);
  Result<std::vector<Status>> change_visibility(const std::string& name,
                                                const std::vector<std::pair<std::string, int>>& entries,
                                                Token& token);
  // Look without receiving (native API; DLQ inspection).
  Result<std::vector<Delivered>> peek(const std::string& name, int max) const;

  // ---- move tasks (sqs-api.md §9.10) ----
  Result<std::string> start_move_task(const std::string& source_arn, const std::string& dest_arn,
                                      std::optional<int> rate, Token& token);
  Result<std::vector<MoveTaskInfo>> list_move_tasks(const std::string& source_arn, int max) const;
  Result<int64_t> cancel_move_task(const std::string& task_handle, Token& token);

  // ---- consumers (tasks that ebb started; autoscaling.md §5) ----
  // Start/stop counting leases of `consumer` (an access key id). Untracked consumers
  // cost nothing.
  void track_consumer(const std::string& consumer, bool on);
  // A draining consumer's receives return empty at once (no wait); leases it holds
  // continue normally. Tracks the consumer if needed.
  void set_consumer_draining(const std::string& consumer, bool draining);
  // nullopt when the consumer is not tracked.
  std::optional<ConsumerLeases> consumer_leases(const std::string& consumer) const;

  // ---- observation ----
  // Cheap exact counters for one queue (no attribute map); NonExistentQueue if missing.
  Result<QueueCounts> counts(const std::string& name) const;
  // Called (outside the lock, possibly on any thread) after any change of a queue's
  // visible/in-flight/delayed counts, a queue's creation or deletion, or a tracked
  // consumer's leases. Keep it cheap (post work elsewhere). May be empty.
  void on_counts_changed(std::function<void()> f);
  // Called (outside the lock) when a standard queue's delete named a superseded receipt
  // handle: answered 200 with no effect, logged and counted (reliability.md §2.2).
  void on_stale_receipt(std::function<void(const std::string& queue)> f);
  std::vector<QueueStats> stats() const;
  Result<QueueStats> stats(const std::string& name) const;

  // ---- time ----
  // Moves due delayed messages and expired leases to visible, expires retention,
  // runs move tasks, answers long polls whose wait ended. Returns the next instant
  // (monotonic) it needs to run; the server arms a timer for it.
  MonoTime tick();
  // Register a callback invoked (outside the lock) whenever tick() should run earlier
  // than previously announced (e.g. a long poll parked). May be empty.
  void on_wakeup(std::function<void()> f);

  void when_durable(Token t, Committer::Done done) { committer_.when_durable(t, std::move(done)); }

  // Parked receives are answered empty (shutdown).
  void release_all_waiters();

 struct Impl;  // public name so file-local helpers can use it; defined in engine.cc

 private:
  std::unique_ptr<Impl> impl_;
  Clock& clock_;
  Store& store_;
  Committer& committer_;
  EngineConfig cfg_;
};

}  // namespace ebb

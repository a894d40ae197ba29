// Store: the durable home of queue state (ARCHITECTURE.md). One transaction per
// commit() call; when commit() returns, every op in it is durable (SQLite: WAL with
// synchronous=FULL). PostgreSQL will implement the same interface later.
#pragma once
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "model/message.h"

namespace ebb {

namespace op {
struct PutQueue { QueueRow q; };                    // insert or replace by id
struct DeleteQueue { int64_t queue_id; };           // queue row, its messages, dedup rows
struct PutMessage { Message m; };                   // insert or replace by id (send, DLQ move, move task)
struct UpdateMessage {                              // receive grant or visibility change
  int64_t id; int64_t visible_at_ms; bool leased; int32_t receive_count;
  int64_t first_receive_ms; int64_t delivered_ms; uint32_t grant;
};
struct DeleteMessage { int64_t id; };
struct PurgeQueue { int64_t queue_id; };            // every message of the queue
struct PutDedup { DedupRow d; };                    // insert or replace by (queue_id, key)
struct ExpireDedup { int64_t now_ms; };             // delete rows with expires_ms <= now
struct PutMoveTask { MoveTaskRow t; };              // insert or replace by task_id
struct DeleteMoveTask { std::string task_id; };
struct PutMeta { std::string key; std::string value; };
// Control-plane records (services, tasks, events, event-source bookkeeping): one
// generic table keyed by (kind, key); values are JSON text.
struct PutRecord { std::string kind; std::string key; std::string value; };  // insert or replace
struct DeleteRecord { std::string kind; std::string key; };
}  // namespace op

using StoreOp = std::variant<op::PutQueue, op::DeleteQueue, op::PutMessage, op::UpdateMessage,
                             op::DeleteMessage, op::PurgeQueue, op::PutDedup, op::ExpireDedup,
                             op::PutMoveTask, op::DeleteMoveTask, op::PutMeta, op::PutRecord,
                             op::DeleteRecord>;

struct RecordRow {
  std::string kind;
  std::string key;
  std::string value;
};

struct LoadedState {
  std::vector<QueueRow> queues;
  std::vector<Message> messages;   // ordered by id
  std::vector<DedupRow> dedup;
  std::vector<MoveTaskRow> move_tasks;
  std::vector<std::pair<std::string, std::string>> meta;
};

// Thrown by a store on I/O failure; the committer treats it as fail-stop (P-D4).
struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual LoadedState load() = 0;
  // Every control-plane record, ordered by (kind, key).
  virtual std::vector<RecordRow> load_records() = 0;
  // Apply all ops in one transaction; durable when this returns. Throws StoreError.
  virtual void commit(std::span<const StoreOp> ops) = 0;
};

// SQLite store in `path` (created if missing): WAL, synchronous=FULL, quick_check at open.
std::unique_ptr<Store> open_sqlite_store(const std::string& path);

}  // namespace ebb

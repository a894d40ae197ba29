// SqliteStore: the embedded default Store (store.h). One connection, one writer (the
// Committer thread); every commit() is one BEGIN IMMEDIATE ... COMMIT, durable when it
// returns because the connection runs WAL with synchronous=FULL (sqlite_open.cc).
#include <mutex>
#include <thread>
#include <type_traits>

#include "store/sqlite_db.h"
#include "store/sqlite_open.h"
#include "store/store.h"

namespace ebb {
namespace {

using sqlite::Stmt;

// Every statement the store runs, prepared once per connection and reused.
struct Statements {
  explicit Statements(sqlite3* db)
      : begin(db, "BEGIN IMMEDIATE"),
        commit(db, "COMMIT"),
        // An upsert, not INSERT OR REPLACE: REPLACE would silently delete another queue
        // that holds the same name; here a name clash is a constraint error.
        put_queue(db,
                  "INSERT INTO queues(id,name,attrs_json,tags_json,created_s,modified_s,next_seq) "
                  "VALUES(?1,?2,?3,?4,?5,?6,?7) ON CONFLICT(id) DO UPDATE SET name=?2,attrs_json=?3,"
                  "tags_json=?4,created_s=?5,modified_s=?6,next_seq=?7"),
        delete_queue(db, "DELETE FROM queues WHERE id=?1"),
        delete_queue_messages(db, "DELETE FROM messages WHERE queue_id=?1"),
        delete_queue_dedup(db, "DELETE FROM dedup WHERE queue_id=?1"),
        put_message(db,
                    "INSERT OR REPLACE INTO messages(id,queue_id,message_id,body,attrs,sent_ms,"
                    "visible_at_ms,leased,receive_count,first_receive_ms,delivered_ms,grant_no,group_id,"
                    "dedup_id,seq,dlq_source_arn,trace_header,sender_id) "
                    "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)"),
        update_message(db,
                       "UPDATE messages SET visible_at_ms=?2,leased=?3,receive_count=?4,"
                       "first_receive_ms=?5,delivered_ms=?6,grant_no=?7 WHERE id=?1"),
        delete_message(db, "DELETE FROM messages WHERE id=?1"),
        put_dedup(db,
                  "INSERT OR REPLACE INTO dedup(queue_id,key,message_id,seq,expires_ms) "
                  "VALUES(?1,?2,?3,?4,?5)"),
        expire_dedup(db, "DELETE FROM dedup WHERE expires_ms<=?1"),
        put_move_task(db,
                      "INSERT OR REPLACE INTO move_tasks(task_id,source_arn,dest_arn,rate,status,moved,"
                      "to_move,started_ms,failure_reason) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)"),
        delete_move_task(db, "DELETE FROM move_tasks WHERE task_id=?1"),
        put_meta(db, "INSERT OR REPLACE INTO meta(key,value) VALUES(?1,?2)"),
        put_record(db, "INSERT OR REPLACE INTO records(kind,key,value) VALUES(?1,?2,?3)"),
        delete_record(db, "DELETE FROM records WHERE kind=?1 AND key=?2") {}

  Stmt begin, commit;
  Stmt put_queue, delete_queue, delete_queue_messages, delete_queue_dedup;
  Stmt put_message, update_message, delete_message;
  Stmt put_dedup, expire_dedup, put_move_task, delete_move_task, put_meta;
  Stmt put_record, delete_record;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(const std::string& path, SqliteFullPolicy policy)
      : path_(path), db_(sqlite::open_store_db(path)), st_(db_->get()), policy_(std::move(policy)),
        freelist_(db_->get(), "PRAGMA freelist_count") {
    page_size_ = db_->query_int("PRAGMA page_size");
    report_free_list();
  }

  LoadedState load() override;
  std::vector<RecordRow> load_records() override;
  void commit(std::span<const StoreOp> ops) override;

 private:
  void apply(const op::PutQueue& o);
  void apply(const op::DeleteQueue& o);
  void apply(const op::PutMessage& o);
  void apply(const op::UpdateMessage& o);
  void apply(const op::DeleteMessage& o);
  void apply(const op::PurgeQueue& o);
  void apply(const op::PutDedup& o);
  void apply(const op::ExpireDedup& o);
  void apply(const op::PutMoveTask& o);
  void apply(const op::DeleteMoveTask& o);
  void apply(const op::PutMeta& o);
  void apply(const op::PutRecord& o);
  void apply(const op::DeleteRecord& o);
  void report_free_list();

  std::mutex mu_;  // serialises load() and commit() on the one connection
  std::string path_;
  std::unique_ptr<sqlite::Db> db_;  // guarded by mu_
  Statements st_;                   // guarded by mu_; destroyed before db_
  std::string failed_;              // guarded by mu_; first commit error, "" = healthy
  SqliteFullPolicy policy_;
  sqlite::Stmt freelist_;  // guarded by mu_
  int64_t page_size_ = 4096;
};

void SqliteStore::report_free_list() {
  if (!policy_.free_list_bytes) return;
  try {
    int64_t pages = freelist_.step() ? freelist_.int64(0) : 0;
    freelist_.reset();
    policy_.free_list_bytes(pages * page_size_);
  } catch (const std::exception&) {
    // Only a hint for the disk guard; the commit itself succeeded.
  }
}

void SqliteStore::commit(std::span<const StoreOp> ops) {
  std::lock_guard lk(mu_);
  // P-D4: after a failed commit nothing is retried. SQLite may have lost dirty pages
  // it believes written (fsyncgate); only a restart and WAL recovery are trustworthy.
  if (!failed_.empty()) throw StoreError("store " + path_ + " stopped after an earlier error: " + failed_);
  for (int attempt = 1;; ++attempt) {
    int code = 0;
    try {
      st_.begin.run();
      for (const StoreOp& op : ops) std::visit([this](const auto& o) { apply(o); }, op);
      st_.commit.run();
      report_free_list();
      return;
    } catch (const sqlite::SqliteError& e) {
      failed_ = e.what();
      code = e.code;
    } catch (const std::exception& e) {
      failed_ = e.what();
    }
    // Roll back whatever is open so the file is left at the previous commit. If COMMIT
    // itself failed SQLite may already have rolled back (autocommit is then on again).
    int rb = SQLITE_OK;
    if (!sqlite3_get_autocommit(db_->get())) rb = sqlite3_exec(db_->get(), "ROLLBACK", nullptr, nullptr, nullptr);
    // P-D5: SQLITE_FULL means a write got ENOSPC before anything was synced (a failed
    // sync is SQLITE_IOERR_FSYNC), and in WAL mode the frames after the last commit
    // frame are simply not part of the database. If the rollback went through and no
    // transaction is left open, the file is exactly as after the previous commit and
    // the same transaction can run again once there is room. Anything else - another
    // error, a rollback that failed - is treated as possibly inconsistent: fail-stop.
    bool clean_full = (code & 0xff) == SQLITE_FULL && rb == SQLITE_OK && sqlite3_get_autocommit(db_->get());
    if (!clean_full || attempt >= policy_.attempts) {
      if (clean_full) failed_ += " (still full after " + std::to_string(attempt) + " attempts)";
      throw StoreError("store " + path_ + ": commit failed: " + failed_);
    }
    std::string why = std::move(failed_);
    failed_.clear();
    if (policy_.on_full) policy_.on_full(why, attempt);
    std::this_thread::sleep_for(policy_.pause);
  }
}

void SqliteStore::apply(const op::PutQueue& o) {
  const QueueRow& q = o.q;
  st_.put_queue.bind(1, q.id).bind_text(2, q.name).bind_text(3, q.attrs_json).bind_text(4, q.tags_json);
  st_.put_queue.bind(5, q.created_s).bind(6, q.modified_s).bind(7, q.next_seq).run();
}

void SqliteStore::apply(const op::DeleteQueue& o) {
  st_.delete_queue_messages.bind(1, o.queue_id).run();
  st_.delete_queue_dedup.bind(1, o.queue_id).run();
  st_.delete_queue.bind(1, o.queue_id).run();
}

void SqliteStore::apply(const op::PutMessage& o) {
  const Message& m = o.m;
  std::string attrs = encode_attrs(m.attrs);  // bound SQLITE_STATIC: lives until run() returns
  Stmt& s = st_.put_message;
  s.bind(1, m.id).bind(2, m.queue_id).bind_text(3, m.message_id).bind_blob(4, m.body).bind_blob(5, attrs);
  s.bind(6, m.sent_ms).bind(7, m.visible_at_ms).bind(8, m.leased ? 1 : 0).bind(9, m.receive_count);
  s.bind(10, m.first_receive_ms).bind(11, m.delivered_ms).bind(12, int64_t(m.grant));
  s.bind_text(13, m.group_id).bind_text(14, m.dedup_id).bind(15, m.seq);
  s.bind_text(16, m.dlq_source_arn).bind_text(17, m.trace_header).bind_text(18, m.sender_id);
  s.run();
}

void SqliteStore::apply(const op::UpdateMessage& o) {
  // A message deleted earlier in the same order has no row; updating nothing is fine.
  Stmt& s = st_.update_message;
  s.bind(1, o.id).bind(2, o.visible_at_ms).bind(3, o.leased ? 1 : 0).bind(4, o.receive_count);
  s.bind(5, o.first_receive_ms).bind(6, o.delivered_ms).bind(7, int64_t(o.grant)).run();
}

void SqliteStore::apply(const op::DeleteMessage& o) { st_.delete_message.bind(1, o.id).run(); }

void SqliteStore::apply(const op::PurgeQueue& o) { st_.delete_queue_messages.bind(1, o.queue_id).run(); }

void SqliteStore::apply(const op::PutDedup& o) {
  const DedupRow& d = o.d;
  st_.put_dedup.bind(1, d.queue_id).bind_text(2, d.key).bind_text(3, d.message_id).bind(4, d.seq);
  st_.put_dedup.bind(5, d.expires_ms).run();
}

void SqliteStore::apply(const op::ExpireDedup& o) { st_.expire_dedup.bind(1, o.now_ms).run(); }

void SqliteStore::apply(const op::PutMoveTask& o) {
  const MoveTaskRow& t = o.t;
  Stmt& s = st_.put_move_task;
  s.bind_text(1, t.task_id).bind_text(2, t.source_arn).bind_text(3, t.dest_arn).bind(4, t.rate);
  s.bind_text(5, t.status).bind(6, t.moved).bind(7, t.to_move).bind(8, t.started_ms);
  s.bind_text(9, t.failure_reason).run();
}

void SqliteStore::apply(const op::DeleteMoveTask& o) { st_.delete_move_task.bind_text(1, o.task_id).run(); }

void SqliteStore::apply(const op::PutMeta& o) { st_.put_meta.bind_text(1, o.key).bind_blob(2, o.value).run(); }

void SqliteStore::apply(const op::PutRecord& o) {
  st_.put_record.bind_text(1, o.kind).bind_text(2, o.key).bind_blob(3, o.value).run();
}

void SqliteStore::apply(const op::DeleteRecord& o) {
  st_.delete_record.bind_text(1, o.kind).bind_text(2, o.key).run();
}

std::vector<RecordRow> SqliteStore::load_records() {
  std::lock_guard lk(mu_);
  std::vector<RecordRow> out;
  try {
    Stmt r(db_->get(), "SELECT kind,key,value FROM records ORDER BY kind,key", false);
    while (r.step()) out.push_back(RecordRow{r.str(0), r.str(1), r.str(2)});
  } catch (const std::exception& e) {
    throw StoreError("store " + path_ + ": loading records failed: " + e.what());
  }
  return out;
}

LoadedState SqliteStore::load() {
  std::lock_guard lk(mu_);
  sqlite3* db = db_->get();
  LoadedState out;
  // One read transaction: the five tables are read from the same snapshot.
  db_->exec("BEGIN");
  try {
    Stmt q(db, "SELECT id,name,attrs_json,tags_json,created_s,modified_s,next_seq FROM queues ORDER BY id", false);
    while (q.step()) {
      out.queues.push_back(QueueRow{.id = q.int64(0), .name = q.str(1), .attrs_json = q.str(2),
                                    .tags_json = q.str(3), .created_s = q.int64(4), .modified_s = q.int64(5),
                                    .next_seq = q.int64(6)});
    }

    // Reserve up front: growing a vector of ~1M Messages copies them and doubles the
    // peak memory (measured: a third of load time for 1M messages).
    out.messages.reserve(size_t(db_->query_int("SELECT count(*) FROM messages")));
    Stmt m(db,
           "SELECT id,queue_id,message_id,body,attrs,sent_ms,visible_at_ms,leased,receive_count,"
           "first_receive_ms,delivered_ms,grant_no,group_id,dedup_id,seq,dlq_source_arn,trace_header,"
           "sender_id FROM messages ORDER BY id",
           false);
    while (m.step()) {
      Message& x = out.messages.emplace_back();
      x.id = m.int64(0);
      x.queue_id = m.int64(1);
      x.message_id = m.str(2);
      x.body = m.str(3);
      // P-D6: an attribute blob we cannot decode is damage, not "no attributes".
      if (!decode_attrs(m.bytes(4), x.attrs))
        throw StoreError("message " + std::to_string(x.id) + " has a corrupt attribute blob");
      x.sent_ms = m.int64(5);
      x.visible_at_ms = m.int64(6);
      x.leased = m.int64(7) != 0;
      x.receive_count = int32_t(m.int64(8));
      x.first_receive_ms = m.int64(9);
      x.delivered_ms = m.int64(10);
      x.grant = uint32_t(m.int64(11));
      x.group_id = m.str(12);
      x.dedup_id = m.str(13);
      x.seq = m.int64(14);
      x.dlq_source_arn = m.str(15);
      x.trace_header = m.str(16);
      x.sender_id = m.str(17);
    }

    Stmt d(db, "SELECT queue_id,key,message_id,seq,expires_ms FROM dedup ORDER BY queue_id,key", false);
    while (d.step()) {
      out.dedup.push_back(DedupRow{.queue_id = d.int64(0), .key = d.str(1), .message_id = d.str(2),
                                   .seq = d.int64(3), .expires_ms = d.int64(4)});
    }

    Stmt t(db,
           "SELECT task_id,source_arn,dest_arn,rate,status,moved,to_move,started_ms,failure_reason "
           "FROM move_tasks ORDER BY task_id",
           false);
    while (t.step()) {
      out.move_tasks.push_back(MoveTaskRow{.task_id = t.str(0), .source_arn = t.str(1), .dest_arn = t.str(2),
                                           .rate = int32_t(t.int64(3)), .status = t.str(4), .moved = t.int64(5),
                                           .to_move = t.int64(6), .started_ms = t.int64(7),
                                           .failure_reason = t.str(8)});
    }

    Stmt k(db, "SELECT key,value FROM meta ORDER BY key", false);
    while (k.step()) out.meta.emplace_back(k.str(0), k.str(1));
  } catch (const std::exception& e) {
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    throw StoreError("store " + path_ + ": load failed: " + e.what());
  }
  db_->exec("COMMIT");
  return out;
}

}  // namespace

// Without a policy every failed commit is fail-stop (one attempt).
std::unique_ptr<Store> open_sqlite_store(const std::string& path) {
  SqliteFullPolicy once;
  once.attempts = 1;
  return std::make_unique<SqliteStore>(path, std::move(once));
}

std::unique_ptr<Store> open_sqlite_store(const std::string& path, SqliteFullPolicy policy) {
  return std::make_unique<SqliteStore>(path, std::move(policy));
}

}  // namespace ebb

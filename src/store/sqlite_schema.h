// The SQLite store's on-disk format: table definitions and the version stamped in the
// file header. Read by sqlite_open.cc (creates/validates) and sqlite_store.cc (SQL).
//
// Changing the format (STYLE.md §8):
//   1. Bump kSchemaVersion and describe the change in the history below.
//   2. Add a migration step N-1 -> N to sqlite_open.cc that runs inside the same
//      transaction as the version bump, and a unit test that opens a version N-1 file.
//   3. Never drop a migration step: an old file must always open with a newer ebb.
// A file with a higher version than this build knows is refused (P-D6): an older ebb
// must not guess at data written by a newer one.
//
// History:
//   1  initial: queues, messages, dedup, move_tasks, meta.
//   2  records: control-plane objects (services, tasks, events, event sources).
#pragma once
#include <cstdint>

namespace ebb::sqlite {

inline constexpr int64_t kSchemaVersion = 2;
// PRAGMA application_id: "ebb1". Lets ebb refuse a foreign SQLite file instead of
// writing its tables into someone else's database.
inline constexpr int64_t kApplicationId = 0x65626231;

// Column notes:
// - messages.id is Message.id (INTEGER PRIMARY KEY = rowid), so inserts append to the
//   end of the table b-tree and load() reads in id order without sorting.
// - No secondary index on messages. An index on queue_id would serve DeleteQueue and
//   PurgeQueue, but every commit then also rewrites one index leaf page per queue in
//   the batch: measured with 10 interleaved queues it cost 25-40 % of insert throughput
//   (bench/store_bench.cc --with-queue-index). Without it those two rare admin ops scan
//   the table (about 0.5 s per million messages, page cache warm).
// - body and attrs are BLOBs: bytes in, same bytes out, NUL bytes included.
// - dedup_by_expiry serves ExpireDedup, which would otherwise scan every dedup row.
inline constexpr const char* kSchemaSql = R"sql(
CREATE TABLE queues (
  id          INTEGER PRIMARY KEY,
  name        TEXT    NOT NULL UNIQUE,
  attrs_json  TEXT    NOT NULL,
  tags_json   TEXT    NOT NULL,
  created_s   INTEGER NOT NULL,
  modified_s  INTEGER NOT NULL,
  next_seq    INTEGER NOT NULL
) STRICT;
CREATE TABLE messages (
  id               INTEGER PRIMARY KEY,
  queue_id         INTEGER NOT NULL,
  message_id       TEXT    NOT NULL,
  body             BLOB    NOT NULL,
  attrs            BLOB    NOT NULL,
  sent_ms          INTEGER NOT NULL,
  visible_at_ms    INTEGER NOT NULL,
  leased           INTEGER NOT NULL,
  receive_count    INTEGER NOT NULL,
  first_receive_ms INTEGER NOT NULL,
  delivered_ms     INTEGER NOT NULL,
  grant_no         INTEGER NOT NULL,
  group_id         TEXT    NOT NULL,
  dedup_id         TEXT    NOT NULL,
  seq              INTEGER NOT NULL,
  dlq_source_arn   TEXT    NOT NULL,
  trace_header     TEXT    NOT NULL,
  sender_id        TEXT    NOT NULL
) STRICT;
CREATE TABLE dedup (
  queue_id    INTEGER NOT NULL,
  key         TEXT    NOT NULL,
  message_id  TEXT    NOT NULL,
  seq         INTEGER NOT NULL,
  expires_ms  INTEGER NOT NULL,
  PRIMARY KEY (queue_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX dedup_by_expiry ON dedup(expires_ms);
CREATE TABLE move_tasks (
  task_id         TEXT    PRIMARY KEY,
  source_arn      TEXT    NOT NULL,
  dest_arn        TEXT    NOT NULL,
  rate            INTEGER NOT NULL,
  status          TEXT    NOT NULL,
  moved           INTEGER NOT NULL,
  to_move         INTEGER NOT NULL,
  started_ms      INTEGER NOT NULL,
  failure_reason  TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TABLE meta (
  key    TEXT PRIMARY KEY,
  value  BLOB NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

// Version 2: one generic table for the control plane (store.h op::PutRecord). Kept
// apart from the queue tables: few rows, written rarely, read once at start.
inline constexpr const char* kRecordsSql = R"sql(
CREATE TABLE records (
  kind   TEXT NOT NULL,
  key    TEXT NOT NULL,
  value  BLOB NOT NULL,
  PRIMARY KEY (kind, key)
) STRICT, WITHOUT ROWID;
)sql";

}  // namespace ebb::sqlite

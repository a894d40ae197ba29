// SqliteStore: every op through commit, reopen and load; fail-stop on a failed commit.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <vector>

#include "store/store.h"
#include "unit/store/store_rows.h"
#include "unit/store/temp_dir.h"

namespace ebb {
namespace {

using test::sample_dedup;
using test::sample_message;
using test::sample_move_task;
using test::sample_queue;

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.file("ebb.db"); }
  void commit(std::vector<StoreOp> ops) { store_->commit(ops); }
  // Closes the store and opens the file again: what a restart sees.
  LoadedState reopen_and_load() {
    store_.reset();
    store_ = open_sqlite_store(path());
    return store_->load();
  }
  // Runs SQL on the file through a second connection (to plant damage).
  void raw_exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }

  test::TempDir dir_;
  std::unique_ptr<Store> store_ = open_sqlite_store(path());
};

TEST_F(SqliteStoreTest, NewStoreLoadsEmpty) {
  LoadedState s = store_->load();
  EXPECT_TRUE(s.queues.empty());
  EXPECT_TRUE(s.messages.empty());
  EXPECT_TRUE(s.dedup.empty());
  EXPECT_TRUE(s.move_tasks.empty());
  EXPECT_TRUE(s.meta.empty());
}

TEST_F(SqliteStoreTest, EveryPutRoundTripsThroughReopen) {
  commit({op::PutQueue{sample_queue(1, "orders")}, op::PutQueue{sample_queue(2, "orders.fifo")},
          op::PutMessage{sample_message(10, 1)}, op::PutMessage{sample_message(11, 2)},
          op::PutDedup{sample_dedup(2, "grp\ndedup", 5000)}, op::PutMoveTask{sample_move_task("task-1")},
          op::PutMeta{"key", std::string("v\0v", 3)}});
  LoadedState s = reopen_and_load();

  ASSERT_EQ(s.queues.size(), 2u);
  test::expect_same(s.queues[0], sample_queue(1, "orders"));
  test::expect_same(s.queues[1], sample_queue(2, "orders.fifo"));
  ASSERT_EQ(s.messages.size(), 2u);
  test::expect_same(s.messages[0], sample_message(10, 1));
  test::expect_same(s.messages[1], sample_message(11, 2));
  ASSERT_EQ(s.dedup.size(), 1u);
  test::expect_same(s.dedup[0], sample_dedup(2, "grp\ndedup", 5000));
  ASSERT_EQ(s.move_tasks.size(), 1u);
  test::expect_same(s.move_tasks[0], sample_move_task("task-1"));
  ASSERT_EQ(s.meta.size(), 1u);
  EXPECT_EQ(s.meta[0].first, "key");
  EXPECT_EQ(s.meta[0].second, std::string("v\0v", 3));
}

TEST_F(SqliteStoreTest, EmptyStringsAndNoAttributesRoundTrip) {
  Message m;
  m.id = 1;
  m.queue_id = 1;
  commit({op::PutMessage{m}, op::PutMeta{"", ""}});
  LoadedState s = reopen_and_load();
  ASSERT_EQ(s.messages.size(), 1u);
  test::expect_same(s.messages[0], m);
  ASSERT_EQ(s.meta.size(), 1u);
  EXPECT_EQ(s.meta[0].second, "");
}

TEST_F(SqliteStoreTest, PutsReplaceById) {
  commit({op::PutQueue{sample_queue(1, "a")}, op::PutMessage{sample_message(10, 1)},
          op::PutDedup{sample_dedup(1, "k", 100)}, op::PutMoveTask{sample_move_task("t")}, op::PutMeta{"m", "1"}});
  QueueRow q = sample_queue(1, "renamed");
  q.next_seq = 99;
  Message m = sample_message(10, 1);
  m.body = "new body";
  MoveTaskRow t = sample_move_task("t");
  t.status = "COMPLETED";
  commit({op::PutQueue{q}, op::PutMessage{m}, op::PutDedup{sample_dedup(1, "k", 200)}, op::PutMoveTask{t},
          op::PutMeta{"m", "2"}});
  LoadedState s = reopen_and_load();
  ASSERT_EQ(s.queues.size(), 1u);
  test::expect_same(s.queues[0], q);
  ASSERT_EQ(s.messages.size(), 1u);
  test::expect_same(s.messages[0], m);
  ASSERT_EQ(s.dedup.size(), 1u);
  EXPECT_EQ(s.dedup[0].expires_ms, 200);
  ASSERT_EQ(s.move_tasks.size(), 1u);
  EXPECT_EQ(s.move_tasks[0].status, "COMPLETED");
  ASSERT_EQ(s.meta.size(), 1u);
  EXPECT_EQ(s.meta[0].second, "2");
}

TEST_F(SqliteStoreTest, UpdateMessageChangesOnlyLeaseFields) {
  Message m = sample_message(10, 1);
  m.leased = false;
  commit({op::PutMessage{m}});
  commit({op::UpdateMessage{.id = 10, .visible_at_ms = 777, .leased = true, .receive_count = 9,
                            .first_receive_ms = 555, .delivered_ms = 666, .grant = 4000000000u}});
  m.visible_at_ms = 777;
  m.leased = true;
  m.receive_count = 9;
  m.first_receive_ms = 555;
  m.delivered_ms = 666;
  m.grant = 4000000000u;
  LoadedState s = reopen_and_load();
  ASSERT_EQ(s.messages.size(), 1u);
  test::expect_same(s.messages[0], m);
}

TEST_F(SqliteStoreTest, DeletesRemoveExactlyTheirRow) {
  commit({op::PutMessage{sample_message(1, 1)}, op::PutMessage{sample_message(2, 1)},
          op::PutMoveTask{sample_move_task("a")}, op::PutMoveTask{sample_move_task("b")}});
  commit({op::DeleteMessage{1}, op::DeleteMoveTask{"b"}, op::DeleteMessage{12345}});
  LoadedState s = reopen_and_load();
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0].id, 2);
  ASSERT_EQ(s.move_tasks.size(), 1u);
  EXPECT_EQ(s.move_tasks[0].task_id, "a");
}

TEST_F(SqliteStoreTest, OpsApplyInOrderWithinOneCommit) {
  commit({op::PutMessage{sample_message(1, 1)}, op::DeleteMessage{1},  // gone
          op::DeleteMessage{2}, op::PutMessage{sample_message(2, 1)},  // present
          op::PutMessage{sample_message(3, 1)},
          op::UpdateMessage{.id = 3, .visible_at_ms = 1, .leased = false, .receive_count = 1,
                            .first_receive_ms = 1, .delivered_ms = 1, .grant = 1}});
  LoadedState s = reopen_and_load();
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(s.messages[0].id, 2);
  EXPECT_EQ(s.messages[1].id, 3);
  EXPECT_EQ(s.messages[1].grant, 1u);
}

TEST_F(SqliteStoreTest, MessagesLoadOrderedById) {
  commit({op::PutMessage{sample_message(50, 1)}, op::PutMessage{sample_message(7, 2)},
          op::PutMessage{sample_message(23, 1)}});
  LoadedState s = reopen_and_load();
  ASSERT_EQ(s.messages.size(), 3u);
  EXPECT_EQ(s.messages[0].id, 7);
  EXPECT_EQ(s.messages[1].id, 23);
  EXPECT_EQ(s.messages[2].id, 50);
}

TEST_F(SqliteStoreTest, DeleteQueueRemovesThatQueuesRowsOnly) {
  commit({op::PutQueue{sample_queue(1, "a")}, op::PutQueue{sample_queue(2, "b")},
          op::PutMessage{sample_message(1, 1)}, op::PutMessage{sample_message(2, 2)},
          op::PutMessage{sample_message(3, 1)}, op::PutDedup{sample_dedup(1, "x", 10)},
          op::PutDedup{sample_dedup(2, "x", 10)}});
  commit({op::DeleteQueue{1}});
  LoadedState s = reopen_and_load();
  ASSERT_EQ(s.queues.size(), 1u);
  EXPECT_EQ(s.queues[0].id, 2);
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0].id, 2);
  ASSERT_EQ(s.dedup.size(), 1u);
  EXPECT_EQ(s.dedup[0].queue_id, 2);
}

TEST_F(SqliteStoreTest, PurgeQueueRemovesThatQueuesMessagesOnly) {
  commit({op::PutQueue{sample_queue(1, "a")}, op::PutQueue{sample_queue(2, "b")},
          op::PutMessage{sample_message(1, 1)}, op::PutMessage{sample_message(2, 2)},
          op::PutMessage{sample_message(3, 1)}, op::PutDedup{sample_dedup(1, "x", 10)}});
  commit({op::PurgeQueue{1}});
  LoadedState s = reopen_and_load();
  EXPECT_EQ(s.queues.size(), 2u);
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0].queue_id, 2);
  EXPECT_EQ(s.dedup.size(), 1u);  // the dedup window outlives a purge
}

TEST_F(SqliteStoreTest, ExpireDedupDeletesRowsAtOrBeforeNow) {
  commit({op::PutDedup{sample_dedup(1, "a", 100)}, op::PutDedup{sample_dedup(1, "b", 200)},
          op::PutDedup{sample_dedup(2, "a", 300)}});
  commit({op::ExpireDedup{200}});
  LoadedState s = reopen_and_load();
  ASSERT_EQ(s.dedup.size(), 1u);
  test::expect_same(s.dedup[0], sample_dedup(2, "a", 300));
}

TEST_F(SqliteStoreTest, FailedCommitThrowsKeepsPreviousStateAndStops) {
  commit({op::PutQueue{sample_queue(1, "a")}, op::PutMessage{sample_message(1, 1)}});
  // Queue 2 takes queue 1's name: a constraint error after a message was already written
  // in the same transaction.
  std::vector<StoreOp> bad{op::PutMessage{sample_message(2, 1)}, op::DeleteMessage{1},
                           op::PutQueue{sample_queue(2, "a")}};
  EXPECT_THROW(store_->commit(bad), StoreError);
  // P-D4: no commit after a failure, not even a harmless one.
  std::vector<StoreOp> good{op::PutMeta{"k", "v"}};
  EXPECT_THROW(store_->commit(good), StoreError);

  LoadedState s = reopen_and_load();
  ASSERT_EQ(s.queues.size(), 1u);
  EXPECT_EQ(s.queues[0].name, "a");
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0].id, 1);
  EXPECT_TRUE(s.meta.empty());
  // A restart is healthy again.
  store_->commit(good);
}

TEST_F(SqliteStoreTest, CorruptAttributeBlobFailsLoad) {
  commit({op::PutMessage{sample_message(1, 1)}});
  store_.reset();
  raw_exec("UPDATE messages SET attrs = x'0000000301' WHERE id = 1");
  store_ = open_sqlite_store(path());
  EXPECT_THROW(store_->load(), StoreError);
}

TEST_F(SqliteStoreTest, LargeBatchCommitsAndLoads) {
  std::vector<StoreOp> ops;
  for (int64_t id = 1; id <= 5000; id++) ops.push_back(op::PutMessage{sample_message(id, 1 + id % 3)});
  store_->commit(ops);
  commit({op::PurgeQueue{1}});
  LoadedState s = reopen_and_load();
  EXPECT_EQ(s.messages.size(), 5000u - 5000u / 3);
  for (auto& m : s.messages) EXPECT_NE(m.queue_id, 1);
}

}  // namespace
}  // namespace ebb

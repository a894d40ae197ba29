// The fault VFS shim (reliability.md §6.2) under the real SQLite store: injected sync
// and write errors surface as StoreError from commit(), the store then refuses every
// later commit (P-D4), and a reopen without faults finds exactly the commits that
// returned — never the failed one half-applied. Also the rule parser's errors.
#include "store/fault_vfs.h"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

#include "store/sqlite_open.h"
#include "store/store.h"
#include "store_rows.h"
#include "temp_dir.h"

namespace ebb {
namespace {

using test::sample_message;
using test::sample_queue;

class FaultVfsTest : public ::testing::Test {
 protected:
  void TearDown() override { faultvfs::uninstall(); }
  std::string path() const { return dir_.file("ebb.db"); }
  test::TempDir dir_;
};

TEST_F(FaultVfsTest, PassThroughWhenNoRuleMatches) {
  faultvfs::install("");
  auto store = open_sqlite_store(path());
  store->commit(std::vector<StoreOp>{op::PutQueue{sample_queue(1, "a")}, op::PutMessage{sample_message(1, 1)}});
  auto c = faultvfs::counts();
  EXPECT_GT(c.syncs, 0u);   // the shim really sits under SQLite
  EXPECT_GT(c.writes, 0u);
  EXPECT_EQ(c.injected, 0u);
  store.reset();
  faultvfs::uninstall();
  EXPECT_EQ(open_sqlite_store(path())->load().messages.size(), 1u);
}

// Counts the syncs one commit makes, so the tests below hit "the next commit" exactly.
uint64_t syncs_per_commit(const std::string& path) {
  faultvfs::install("");
  auto store = open_sqlite_store(path);
  store->commit(std::vector<StoreOp>{op::PutQueue{sample_queue(1, "a")}});
  uint64_t before = faultvfs::counts().syncs;
  store->commit(std::vector<StoreOp>{op::PutMeta{"probe", "1"}});
  return faultvfs::counts().syncs - before;
}

TEST_F(FaultVfsTest, FailedSyncFailsTheCommitAndEveryLaterOne) {
  ASSERT_GE(syncs_per_commit(dir_.file("probe.db")), 1u);
  faultvfs::install("");  // files opened now go through the shim
  auto store = open_sqlite_store(path());
  store->commit(std::vector<StoreOp>{op::PutQueue{sample_queue(1, "a")}, op::PutMessage{sample_message(1, 1)}});
  faultvfs::install("sync:eio:1");  // the very next sync (counts restart at install)
  EXPECT_THROW(store->commit(std::vector<StoreOp>{op::PutMessage{sample_message(2, 1)}}), StoreError);
  EXPECT_EQ(faultvfs::counts().injected, 1u);
  // P-D4: no retry of the sync, no later commit reported as durable.
  EXPECT_THROW(store->commit(std::vector<StoreOp>{op::PutMessage{sample_message(3, 1)}}), StoreError);
  store.reset();
  faultvfs::uninstall();
  auto s = open_sqlite_store(path())->load();
  ASSERT_GE(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0].id, 1);  // acknowledged before the fault: present
  for (auto& m : s.messages) EXPECT_NE(m.id, 3);  // never acknowledged, never attempted after
}

TEST_F(FaultVfsTest, DiskFullOnWriteFailsTheCommitWithoutDamage) {
  faultvfs::install("");
  auto store = open_sqlite_store(path());
  store->commit(std::vector<StoreOp>{op::PutQueue{sample_queue(1, "a")}, op::PutMessage{sample_message(1, 1)}});
  faultvfs::install("write:enospc:1+");
  try {
    store->commit(std::vector<StoreOp>{op::PutMessage{sample_message(2, 1)}});
    FAIL() << "commit succeeded on a full disk";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("full"), std::string::npos) << e.what();
  }
  store.reset();
  faultvfs::uninstall();
  auto s = open_sqlite_store(path())->load();
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0].id, 1);
}

TEST_F(FaultVfsTest, SlowSyncStillCommits) {
  faultvfs::install("sync:delay=5:1..3");
  auto store = open_sqlite_store(path());
  store->commit(std::vector<StoreOp>{op::PutQueue{sample_queue(1, "a")}, op::PutMessage{sample_message(1, 1)}});
  EXPECT_EQ(faultvfs::counts().injected, 0u);  // a delay is not an error
  store.reset();
  faultvfs::uninstall();
  EXPECT_EQ(open_sqlite_store(path())->load().messages.size(), 1u);
}

// P-D5: SQLITE_FULL on a write, with a clean rollback, is not fail-stop when the store
// has a policy: the same transaction runs again (on_full first), and the file holds
// exactly the committed transactions.
TEST_F(FaultVfsTest, DiskFullRollsBackAndRunsTheSameTransactionAgain) {
  faultvfs::install("");
  std::vector<int> attempts;
  SqliteFullPolicy p;
  p.attempts = 4;
  p.pause = std::chrono::milliseconds(0);
  p.on_full = [&](const std::string& error, int attempt) {
    EXPECT_NE(error.find("full"), std::string::npos) << error;
    attempts.push_back(attempt);
  };
  auto store = open_sqlite_store(path(), p);
  store->commit(std::vector<StoreOp>{op::PutQueue{sample_queue(1, "a")}, op::PutMessage{sample_message(1, 1)}});
  faultvfs::install("write:enospc:1..2");  // the next two writes: two attempts fail
  store->commit(std::vector<StoreOp>{op::PutMessage{sample_message(2, 1)}, op::PutMessage{sample_message(3, 1)}});
  EXPECT_EQ(attempts, (std::vector<int>{1, 2}));
  EXPECT_EQ(faultvfs::counts().injected, 2u);
  store->commit(std::vector<StoreOp>{op::DeleteMessage{1}});  // and the store goes on
  store.reset();
  faultvfs::uninstall();
  auto s = open_sqlite_store(path())->load();
  ASSERT_EQ(s.messages.size(), 2u);
  EXPECT_EQ(s.messages[0].id, 2);
  EXPECT_EQ(s.messages[1].id, 3);
}

TEST_F(FaultVfsTest, DiskFullThatLastsIsFailStopAfterTheLastAttempt) {
  faultvfs::install("");
  int calls = 0;
  SqliteFullPolicy p;
  p.attempts = 3;
  p.pause = std::chrono::milliseconds(0);
  p.on_full = [&](const std::string&, int) { calls++; };
  auto store = open_sqlite_store(path(), p);
  store->commit(std::vector<StoreOp>{op::PutQueue{sample_queue(1, "a")}, op::PutMessage{sample_message(1, 1)}});
  faultvfs::install("write:enospc:1+");
  try {
    store->commit(std::vector<StoreOp>{op::PutMessage{sample_message(2, 1)}});
    FAIL() << "commit succeeded on a full disk";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("3 attempts"), std::string::npos) << e.what();
  }
  EXPECT_EQ(calls, 2);  // before attempts 2 and 3
  faultvfs::install("");
  EXPECT_THROW(store->commit(std::vector<StoreOp>{op::PutMessage{sample_message(3, 1)}}), StoreError);
  store.reset();
  faultvfs::uninstall();
  auto s = open_sqlite_store(path())->load();
  ASSERT_EQ(s.messages.size(), 1u);
  EXPECT_EQ(s.messages[0].id, 1);
}

TEST_F(FaultVfsTest, AnIoErrorIsNeverRetriedEvenWithAFullDiskPolicy) {
  faultvfs::install("");
  int calls = 0;
  SqliteFullPolicy p;
  p.pause = std::chrono::milliseconds(0);
  p.on_full = [&](const std::string&, int) { calls++; };
  auto store = open_sqlite_store(path(), p);
  store->commit(std::vector<StoreOp>{op::PutQueue{sample_queue(1, "a")}});
  faultvfs::install("write:eio:1");
  EXPECT_THROW(store->commit(std::vector<StoreOp>{op::PutMessage{sample_message(2, 1)}}), StoreError);
  EXPECT_EQ(calls, 0);
  EXPECT_THROW(store->commit(std::vector<StoreOp>{op::PutMessage{sample_message(3, 1)}}), StoreError);
}

TEST_F(FaultVfsTest, TheStoreReportsItsFreePagesAfterEachCommit) {
  int64_t free_bytes = -1;
  SqliteFullPolicy p;
  p.free_list_bytes = [&](int64_t b) { free_bytes = b; };
  auto store = open_sqlite_store(path(), p);
  EXPECT_EQ(free_bytes, 0);  // reported at open
  Message big = sample_message(1, 1);
  big.body = std::string(200'000, 'x');
  store->commit(std::vector<StoreOp>{op::PutQueue{sample_queue(1, "a")}, op::PutMessage{big}});
  EXPECT_EQ(free_bytes, 0);
  store->commit(std::vector<StoreOp>{op::DeleteMessage{1}});
  EXPECT_GE(free_bytes, 150'000);  // the body's overflow pages are free for reuse
}

TEST(FaultVfsSpec, RejectsBadRulesWithTheirText) {
  for (const char* bad : {"sync", "sync:eio", "fsync:eio:1", "sync:boom:1", "sync:eio:0", "sync:eio:5..2",
                          "sync:eio:x", "write:delay=abc:1", "write:delay=99999:1", "sync:eio:1..", "sync:eio:+"}) {
    try {
      faultvfs::install(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("EBB_FAULT_VFS"), std::string::npos) << e.what();
    }
  }
  faultvfs::uninstall();
}

}  // namespace
}  // namespace ebb

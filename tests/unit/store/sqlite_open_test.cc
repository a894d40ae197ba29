// Opening the SQLite store: file mode, journal settings, and refusing what it cannot
// trust (P-D6) without touching the file.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "store/store.h"
#include "unit/store/store_rows.h"
#include "unit/store/temp_dir.h"

namespace ebb {
namespace {

std::string open_error(const std::string& path) {
  try {
    open_sqlite_store(path);
  } catch (const StoreError& e) {
    return e.what();
  }
  return "";
}

void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

std::string raw_query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr);
  std::string out;
  if (sqlite3_step(s) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return out;
}

// A closed store with enough messages to span many pages.
void fill(const std::string& path, int n) {
  auto store = open_sqlite_store(path);
  std::vector<StoreOp> ops;
  for (int id = 1; id <= n; id++) ops.push_back(op::PutMessage{test::sample_message(id, 1)});
  store->commit(ops);
}

void overwrite(const std::string& path, std::streamoff at, size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string junk(n, '\0');
  for (auto& c : junk) c = char(rng());
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(at);
  f.write(junk.data(), std::streamsize(junk.size()));
}

TEST(SqliteOpen, CreatesFileWithMode0600) {
  test::TempDir dir;
  std::string path = dir.file("ebb.db");
  auto store = open_sqlite_store(path);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((path + "-wal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(SqliteOpen, UsesWalJournal) {
  test::TempDir dir;
  std::string path = dir.file("ebb.db");
  open_sqlite_store(path);
  EXPECT_EQ(raw_query(path, "PRAGMA journal_mode"), "wal");  // persistent in the file header
}

TEST(SqliteOpen, MissingDirectoryIsAnError) {
  test::TempDir dir;
  std::string err = open_error(dir.file("no/such/dir/ebb.db"));
  EXPECT_NE(err.find("directory"), std::string::npos) << err;
}

TEST(SqliteOpen, ReopenKeepsData) {
  test::TempDir dir;
  std::string path = dir.file("ebb.db");
  fill(path, 10);
  EXPECT_EQ(open_sqlite_store(path)->load().messages.size(), 10u);
  EXPECT_EQ(open_sqlite_store(path)->load().messages.size(), 10u);
}

TEST(SqliteOpen, DamagedPagesRefuseToOpenAndFileIsKept) {
  test::TempDir dir;
  std::string path = dir.file("ebb.db");
  fill(path, 2000);
  auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 16u * 4096);
  overwrite(path, 3 * 4096, 4 * 4096, 1);  // pages 4..7: b-tree pages, header intact
  std::string err = open_error(path);
  EXPECT_NE(err, "");
  EXPECT_NE(err.find("ebb doctor"), std::string::npos) << err;  // says what to do
  EXPECT_NE(err.find(path), std::string::npos) << err;
  EXPECT_EQ(std::filesystem::file_size(path), size);  // P-D6: nothing deleted
  EXPECT_NE(open_error(path), "");                    // and still refused
}

TEST(SqliteOpen, GarbageHeaderRefusesToOpen) {
  test::TempDir dir;
  std::string path = dir.file("ebb.db");
  fill(path, 10);
  overwrite(path, 0, 100, 2);
  std::string err = open_error(path);
  EXPECT_NE(err.find(path), std::string::npos) << err;
}

TEST(SqliteOpen, NewerSchemaVersionRefusesToOpen) {
  test::TempDir dir;
  std::string path = dir.file("ebb.db");
  fill(path, 1);
  raw_exec(path, "PRAGMA user_version = 3");
  std::string err = open_error(path);
  EXPECT_NE(err.find("newer"), std::string::npos) << err;
  EXPECT_EQ(raw_query(path, "SELECT count(*) FROM messages"), "1");
}

TEST(SqliteOpen, UnknownOlderSchemaVersionRefusesToOpen) {
  test::TempDir dir;
  std::string path = dir.file("ebb.db");
  fill(path, 1);
  raw_exec(path, "PRAGMA user_version = 0");
  EXPECT_NE(open_error(path).find("schema version 0"), std::string::npos);
}

TEST(SqliteOpen, ForeignSqliteFileRefusesToOpen) {
  test::TempDir dir;
  std::string path = dir.file("other.db");
  raw_exec(path, "CREATE TABLE t(x); INSERT INTO t VALUES(1)");
  std::string err = open_error(path);
  EXPECT_NE(err.find("not an ebb store"), std::string::npos) << err;
  EXPECT_EQ(raw_query(path, "SELECT count(*) FROM t"), "1");
}

TEST(SqliteOpen, NonDatabaseFileRefusesToOpen) {
  test::TempDir dir;
  std::string path = dir.file("ebb.db");
  std::ofstream(path) << std::string(8192, 'z');
  EXPECT_NE(open_error(path), "");
  EXPECT_EQ(std::filesystem::file_size(path), 8192u);
}

}  // namespace
}  // namespace ebb

namespace ebb {
namespace {

// Schema 1 → 2 (records table): an old file opens, keeps its messages and gains the
// records table (sqlite_schema.h history; STYLE.md §8).
TEST(SqliteOpen, MigratesVersionOneFileToRecords) {
  test::TempDir dir;
  std::string path = dir.file("ebb.db");
  fill(path, 3);
  raw_exec(path, "DROP TABLE records; PRAGMA user_version = 1");
  auto store = open_sqlite_store(path);
  EXPECT_EQ(store->load().messages.size(), 3u);
  std::vector<StoreOp> ops{op::PutRecord{"service", "a", "{}"}};
  store->commit(ops);
  auto rows = store->load_records();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].kind, "service");
  store.reset();
  EXPECT_EQ(raw_query(path, "PRAGMA user_version"), "2");
}

TEST(SqliteOpen, RecordsPutReplaceDeleteAndSurviveReopen) {
  test::TempDir dir;
  std::string path = dir.file("ebb.db");
  {
    auto store = open_sqlite_store(path);
    std::vector<StoreOp> ops{op::PutRecord{"task", "t1", "one"}, op::PutRecord{"task", "t2", "two"},
                             op::PutRecord{"event", "svc/000000000001", std::string("a\0b", 3)},
                             op::PutRecord{"task", "t1", "uno"}, op::DeleteRecord{"task", "t2"}};
    store->commit(ops);
  }
  auto store = open_sqlite_store(path);
  auto rows = store->load_records();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].kind, "event");
  EXPECT_EQ(rows[0].value, std::string("a\0b", 3));
  EXPECT_EQ(rows[1].key, "t1");
  EXPECT_EQ(rows[1].value, "uno");
}

}  // namespace
}  // namespace ebb

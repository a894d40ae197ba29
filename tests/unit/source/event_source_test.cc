// EventSourceController with real inotify on a temp directory, a real Engine over
// MemStore and a FakeClock. Waits are bounded polls on outcomes (never on time).
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "base/crypto.h"
#include "queue/engine.h"
#include "source/event_source.h"
#include "support/fake_clock.h"
#include "support/mem_store.h"

namespace ebb::source {
namespace {

namespace fs = std::filesystem;

// Polls `f` every 10 ms, at most 1000 times (10 s).
bool eventually(const std::function<bool()>& f) {
  for (int i = 0; i < 1000; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return f();
}

fs::path make_temp_dir(const char* tag) {
  std::string templ = (fs::temp_directory_path() / (std::string("ebb-") + tag + "-XXXXXX")).string();
  char* made = mkdtemp(templ.data());
  EXPECT_NE(made, nullptr);
  return fs::path(templ);
}

class EventSourceTest : public ::testing::Test {
 protected:
  FakeClock clock;
  MemStore store;
  std::unique_ptr<Committer> committer;
  std::unique_ptr<Engine> engine;
  std::unique_ptr<EventSourceController> ctl;
  fs::path dir;    // the watched directory
  fs::path aside;  // a directory on the same file system, for renames into `dir`

  void SetUp() override {
    dir = make_temp_dir("watched");
    aside = make_temp_dir("aside");
    start_all();
  }
  void TearDown() override {
    stop_all();
    fs::remove_all(dir);
    fs::remove_all(aside);
  }
  void start_all() {
    committer = std::make_unique<Committer>(store);
    committer->start();
    engine = std::make_unique<Engine>(clock, store, *committer);
    engine->load();
    ctl = std::make_unique<EventSourceController>(clock, *engine, *committer, SourceConfig{});
    ctl->load(store.load_records());
    Status st = ctl->start();
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
  void stop_all() {
    ctl.reset();
    engine.reset();
    if (committer) committer->stop();
    committer.reset();
  }
  void restart() {
    stop_all();
    start_all();
  }

  void durable(Token t) {
    std::promise<bool> p;
    committer->when_durable(t, [&](bool ok) { p.set_value(ok); });
    ASSERT_TRUE(p.get_future().get());
  }
  void create_queue(const std::string& name, std::map<std::string, std::string> attrs = {}) {
    auto r = engine->create_queue(name, attrs, {});
    ASSERT_TRUE(r.ok()) << r.error().message;
    durable(*r);
  }
  static nlohmann::json source_doc(const std::string& name, nlohmann::json spec) {
    return {{"apiVersion", "ebb/v1"}, {"kind", "EventSource"}, {"metadata", {{"name", name}}}, {"spec", spec}};
  }
  std::string apply(const std::string& name, nlohmann::json spec, std::vector<std::string>* warnings_out = nullptr) {
    std::vector<std::string> warnings;
    auto r = ctl->apply(source_doc(name, std::move(spec)), warnings);
    EXPECT_TRUE(r.ok()) << r.error().message;
    if (warnings_out) *warnings_out = warnings;
    if (!r.ok()) return "";
    durable(r->second);
    return r->first;
  }
  // Source "in" on `dir` feeding queue `q` (created), with extra spec fields.
  void watch_into(const std::string& q, nlohmann::json extra = nlohmann::json::object()) {
    create_queue(q);
    nlohmann::json spec = {{"directory", dir.string()}, {"queue", q}};
    spec.update(extra);
    apply("in", spec);
  }

  void write_file(const fs::path& p, const std::string& content) {
    std::ofstream f(p, std::ios::binary);
    f << content;
  }
  std::vector<Delivered> messages(const std::string& q) {
    auto r = engine->peek(q, 100);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<Delivered>{};
  }
  bool count_is(const std::string& q, size_t n) {
    return eventually([&] { return messages(q).size() >= n; }) && messages(q).size() == n;
  }
  // Object keys (URL-encoded, as in the body) of the S3 messages on `q`, in order.
  std::vector<std::string> keys(const std::string& q) {
    std::vector<std::string> out;
    for (const Delivered& d : messages(q)) {
      out.push_back(nlohmann::json::parse(d.body)["Records"][0]["s3"]["object"]["key"].get<std::string>());
    }
    return out;
  }
  nlohmann::json status(const std::string& name) {
    auto r = ctl->get(name);
    EXPECT_TRUE(r.ok());
    return r.ok() ? (*r)["status"] : nlohmann::json();
  }
  bool has_seen_record(const std::string& key) {
    for (const RecordRow& r : store.load_records()) {
      if (r.kind == "seen" && r.key == key) return true;
    }
    return false;
  }
};

TEST_F(EventSourceTest, ClosedFileBecomesS3Notification) {
  watch_into("uploads");
  write_file(dir / "cat photo.jpg", "hello");
  ASSERT_TRUE(count_is("uploads", 1));
  const Delivered d = messages("uploads")[0];
  nlohmann::json r = nlohmann::json::parse(d.body)["Records"][0];
  EXPECT_EQ(r["eventVersion"], "2.1");
  EXPECT_EQ(r["eventSource"], "aws:s3");
  EXPECT_EQ(r["awsRegion"], "us-east-1");
  EXPECT_EQ(r["eventTime"], "2025-01-01T00:00:00.000Z");  // from the FakeClock
  EXPECT_EQ(r["eventName"], "ObjectCreated:Put");
  EXPECT_EQ(r["requestParameters"]["sourceIPAddress"], "127.0.0.1");
  EXPECT_EQ(r["s3"]["configurationId"], "in");
  EXPECT_EQ(r["s3"]["bucket"]["name"], dir.string());  // default bucket: the directory
  EXPECT_EQ(r["s3"]["bucket"]["arn"], "arn:aws:s3:::" + dir.string());
  EXPECT_EQ(r["s3"]["object"]["key"], "cat+photo.jpg");
  EXPECT_EQ(r["s3"]["object"]["size"], 5);
  EXPECT_EQ(r["s3"]["object"]["eTag"], md5_hex("hello"));
  EXPECT_EQ(r["s3"]["object"]["sequencer"].get<std::string>().size(), 18u);

  nlohmann::json st = status("in");
  EXPECT_EQ(st["announced"], 1);
  EXPECT_EQ(st["pending"], 0);
  EXPECT_EQ(st["lastFile"], "cat photo.jpg");
  EXPECT_EQ(st["lastAnnouncedAt"], "2025-01-01T00:00:00.000Z");
  EXPECT_TRUE(st["error"].is_null());
  // The "seen" record names the message.
  ASSERT_TRUE(eventually([&] {
    for (const RecordRow& row : store.load_records()) {
      if (row.kind == "seen" && row.key == "in/cat photo.jpg") {
        return nlohmann::json::parse(row.value)["messageId"] == d.message_id;
      }
    }
    return false;
  }));
}

TEST_F(EventSourceTest, SimpleBodyWithBucket) {
  watch_into("uploads", {{"body", "simple"}, {"bucket", "photos"}});
  write_file(dir / "a b.txt", "abc");
  ASSERT_TRUE(count_is("uploads", 1));
  EXPECT_EQ(messages("uploads")[0].body, R"({"bucket":"photos","key":"a b.txt","size":3})");
}

TEST_F(EventSourceTest, FileWrittenInPiecesIsAnnouncedOnceAfterClose) {
  watch_into("uploads");
  std::ofstream big(dir / "big.bin", std::ios::binary);
  big << "part1";
  big.flush();
  // inotify delivers events in order: once "marker" is announced, any event for
  // big.bin before it has been handled too.
  write_file(dir / "marker", "m");
  ASSERT_TRUE(count_is("uploads", 1));
  EXPECT_EQ(keys("uploads"), std::vector<std::string>{"marker"});
  big << "part2";
  big.close();
  ASSERT_TRUE(count_is("uploads", 2));
  write_file(dir / "marker2", "m");
  ASSERT_TRUE(count_is("uploads", 3));
  EXPECT_EQ(keys("uploads"), (std::vector<std::string>{"marker", "big.bin", "marker2"}));
  EXPECT_EQ(nlohmann::json::parse(messages("uploads")[1].body)["Records"][0]["s3"]["object"]["size"], 10);
}

TEST_F(EventSourceTest, RenameIntoDirectoryIsAnnounced) {
  watch_into("uploads");
  write_file(aside / "from-outside.jpg", "x");
  fs::rename(aside / "from-outside.jpg", dir / "from-outside.jpg");
  // The atomic-writer pattern: a hidden temporary name, then rename.
  write_file(dir / ".upload.jpg.tmp", "yy");
  fs::rename(dir / ".upload.jpg.tmp", dir / "upload.jpg");
  ASSERT_TRUE(count_is("uploads", 2));
  EXPECT_EQ(keys("uploads"), (std::vector<std::string>{"from-outside.jpg", "upload.jpg"}));
}

TEST_F(EventSourceTest, HiddenAndTemporaryNamesIgnored) {
  watch_into("uploads");
  for (const char* n : {".hidden", "x.tmp", "y.part", "z.swp"}) write_file(dir / n, "skip");
  write_file(dir / "ok.txt", "ok");
  ASSERT_TRUE(count_is("uploads", 1));
  EXPECT_EQ(keys("uploads"), std::vector<std::string>{"ok.txt"});
}

TEST_F(EventSourceTest, IgnoreHiddenFalseAnnouncesDotFiles) {
  watch_into("uploads", {{"ignoreHidden", false}});
  write_file(dir / ".hidden", "h");
  ASSERT_TRUE(count_is("uploads", 1));
  EXPECT_EQ(keys("uploads"), std::vector<std::string>{".hidden"});
}

TEST_F(EventSourceTest, IncludeGlobs) {
  watch_into("uploads", {{"include", {"*.jpg", "*.png"}}});
  write_file(dir / "a.txt", "a");
  write_file(dir / "b.jpg", "b");
  write_file(dir / "c.png", "c");
  ASSERT_TRUE(count_is("uploads", 2));
  EXPECT_EQ(keys("uploads"), (std::vector<std::string>{"b.jpg", "c.png"}));
}

TEST_F(EventSourceTest, ExistingFilesAnnouncedOnApplyInNameOrder) {
  create_queue("uploads");
  write_file(dir / "b", "2");
  write_file(dir / "a", "1");
  fs::create_directory(dir / "sub");
  fs::create_symlink(dir / "a", dir / "link");
  EXPECT_EQ(apply("in", {{"directory", dir.string()}, {"queue", "uploads"}}), "created");
  // apply scans before it returns.
  EXPECT_EQ(keys("uploads"), (std::vector<std::string>{"a", "b"}));
}

TEST_F(EventSourceTest, RestartDoesNotAnnounceAgain) {
  watch_into("uploads");
  write_file(dir / "a.txt", "a");
  ASSERT_TRUE(count_is("uploads", 1));
  restart();
  // start() scans before it returns.
  EXPECT_EQ(messages("uploads").size(), 1u);
  EXPECT_EQ(status("in")["announced"], 0);
  write_file(dir / "b.txt", "b");
  ASSERT_TRUE(count_is("uploads", 2));
}

TEST_F(EventSourceTest, FileThatArrivedWhileDownIsAnnouncedOnStart) {
  watch_into("uploads");
  write_file(dir / "a.txt", "a");
  ASSERT_TRUE(count_is("uploads", 1));
  stop_all();
  write_file(dir / "b.txt", "b");
  start_all();
  EXPECT_EQ(keys("uploads"), (std::vector<std::string>{"a.txt", "b.txt"}));
  EXPECT_EQ(status("in")["announced"], 1);
}

TEST_F(EventSourceTest, DeleteAndRecreateAnnouncesAgain) {
  watch_into("uploads");
  write_file(dir / "a.txt", "first");
  ASSERT_TRUE(count_is("uploads", 1));
  ASSERT_TRUE(eventually([&] { return has_seen_record("in/a.txt"); }));
  fs::remove(dir / "a.txt");
  ASSERT_TRUE(eventually([&] { return !has_seen_record("in/a.txt"); }));
  write_file(dir / "a.txt", "second!");
  ASSERT_TRUE(count_is("uploads", 2));
  // Moving it away counts as leaving too.
  fs::rename(dir / "a.txt", aside / "a.txt");
  ASSERT_TRUE(eventually([&] { return !has_seen_record("in/a.txt"); }));
  fs::rename(aside / "a.txt", dir / "a.txt");
  ASSERT_TRUE(count_is("uploads", 3));
}

TEST_F(EventSourceTest, ReplacedFileIsANewVersion) {
  watch_into("uploads");
  write_file(dir / "a.txt", "one");
  ASSERT_TRUE(count_is("uploads", 1));
  write_file(aside / "a.txt", "three");
  fs::rename(aside / "a.txt", dir / "a.txt");  // replaces it: an S3 overwrite
  ASSERT_TRUE(count_is("uploads", 2));
  EXPECT_EQ(nlohmann::json::parse(messages("uploads")[1].body)["Records"][0]["s3"]["object"]["eTag"], md5_hex("three"));
  // Changed while ebbd was down: announced on start.
  stop_all();
  write_file(dir / "a.txt", "fourth version");
  start_all();
  EXPECT_EQ(messages("uploads").size(), 3u);
}

TEST_F(EventSourceTest, FileDeletedWhileDownIsForgottenOnStart) {
  watch_into("uploads");
  write_file(dir / "a.txt", "a");
  ASSERT_TRUE(count_is("uploads", 1));
  stop_all();
  ASSERT_TRUE(has_seen_record("in/a.txt"));
  fs::remove(dir / "a.txt");
  start_all();
  ASSERT_TRUE(eventually([&] { return !has_seen_record("in/a.txt"); }));
  write_file(dir / "a.txt", "again");
  ASSERT_TRUE(count_is("uploads", 2));
}

TEST_F(EventSourceTest, MissingQueueKeepsFilesPendingUntilItExists) {
  std::vector<std::string> warnings;
  EXPECT_EQ(apply("in", {{"directory", dir.string()}, {"queue", "later"}}, &warnings), "created");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("queue later does not exist"), std::string::npos) << warnings[0];
  write_file(dir / "a.txt", "a");
  ASSERT_TRUE(eventually([&] { return status("in")["pending"] == 1; }));
  EXPECT_NE(status("in")["error"].get<std::string>().find("queue later does not exist"), std::string::npos);
  create_queue("later");
  ctl->poke();
  ASSERT_TRUE(count_is("later", 1));
  ASSERT_TRUE(eventually([&] { return status("in")["pending"] == 0; }));
  EXPECT_TRUE(status("in")["error"].is_null());
  EXPECT_EQ(status("in")["announced"], 1);
  // Announced once: later pokes and rescans find it seen.
  ctl->poke();
  write_file(dir / "b.txt", "b");
  ASSERT_TRUE(count_is("later", 2));
}

TEST_F(EventSourceTest, MissingDirectoryIsWatchedOnceItExists) {
  create_queue("uploads");
  const fs::path later = dir / "later";
  apply("in", {{"directory", later.string()}, {"queue", "uploads"}});
  EXPECT_NE(status("in")["error"].get<std::string>().find("No such file"), std::string::npos);
  fs::create_directory(later);
  write_file(later / "a.txt", "a");
  ctl->poke();
  ASSERT_TRUE(count_is("uploads", 1));
  ASSERT_TRUE(eventually([&] { return status("in")["error"].is_null(); }));
  write_file(later / "b.txt", "b");
  ASSERT_TRUE(count_is("uploads", 2));
}

TEST_F(EventSourceTest, RemovedDirectoryIsWatchedAgainWhenRecreated) {
  create_queue("uploads");
  const fs::path sub = dir / "sub";
  fs::create_directory(sub);
  apply("in", {{"directory", sub.string()}, {"queue", "uploads"}});
  write_file(sub / "a", "a");
  ASSERT_TRUE(count_is("uploads", 1));
  fs::remove_all(sub);
  ASSERT_TRUE(eventually([&] { return !status("in")["error"].is_null(); }));
  EXPECT_NE(status("in")["error"].get<std::string>().find("was removed"), std::string::npos);
  fs::create_directory(sub);
  write_file(sub / "a", "new a");  // a new file of the same name: announced again
  ctl->poke();
  ASSERT_TRUE(count_is("uploads", 2));
  ASSERT_TRUE(eventually([&] { return status("in")["error"].is_null(); }));
}

TEST_F(EventSourceTest, FifoQueueGetsGroupAndDedupIds) {
  create_queue("events.fifo", {{"FifoQueue", "true"}});
  apply("in", {{"directory", dir.string()}, {"queue", "events.fifo"}});
  write_file(dir / "a", "a");
  write_file(dir / "b", "b");
  ASSERT_TRUE(count_is("events.fifo", 2));
  for (const Delivered& d : messages("events.fifo")) {
    EXPECT_EQ(d.group_id, "in");
    EXPECT_FALSE(d.dedup_id.empty());
  }
}

TEST_F(EventSourceTest, ApplyGetListRemove) {
  create_queue("uploads");
  nlohmann::json spec = {{"directory", dir.string()}, {"queue", "uploads"}};
  EXPECT_EQ(apply("in", spec), "created");
  EXPECT_EQ(apply("in", spec), "unchanged");
  // Defaults written out are the same object.
  nlohmann::json with_defaults = spec;
  with_defaults["body"] = "s3";
  EXPECT_EQ(apply("in", with_defaults), "unchanged");
  clock.advance_s(60);
  nlohmann::json simple = spec;
  simple["body"] = "simple";
  EXPECT_EQ(apply("in", simple), "configured");

  auto got = ctl->get("in");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["apiVersion"], "ebb/v1");
  EXPECT_EQ((*got)["kind"], "EventSource");
  EXPECT_EQ((*got)["metadata"]["name"], "in");
  EXPECT_EQ((*got)["metadata"]["creationTimestamp"], "2025-01-01T00:00:00Z");  // kept on configure
  EXPECT_EQ((*got)["spec"]["body"], "simple");
  EXPECT_EQ((*got)["spec"]["ignoreHidden"], true);
  for (const char* k : {"announced", "pending", "lastFile", "lastAnnouncedAt", "error"}) {
    EXPECT_TRUE((*got)["status"].contains(k)) << k;
  }
  nlohmann::json list = ctl->list();
  EXPECT_EQ(list["kind"], "List");
  ASSERT_EQ(list["items"].size(), 1u);

  write_file(dir / "a", "a");
  ASSERT_TRUE(count_is("uploads", 1));
  ASSERT_TRUE(eventually([&] { return has_seen_record("in/a"); }));
  auto removed = ctl->remove("in");
  ASSERT_TRUE(removed.ok());
  durable(*removed);
  EXPECT_FALSE(has_seen_record("in/a"));
  for (const RecordRow& r : store.load_records()) EXPECT_NE(r.kind, "eventsource");
  EXPECT_EQ(ctl->get("in").error().code, Code::NotFound);
  EXPECT_EQ(ctl->remove("in").error().code, Code::NotFound);
  EXPECT_EQ(ctl->list()["items"].size(), 0u);

  // Files after removal are not announced; a new source over the same directory
  // announces what is there (its records were deleted).
  write_file(dir / "b", "b");
  EXPECT_EQ(apply("again", spec), "created");
  EXPECT_EQ(messages("uploads").size(), 3u);
}

TEST_F(EventSourceTest, ChangingDirectoryForgetsOldFiles) {
  watch_into("uploads");
  write_file(dir / "a", "a");
  ASSERT_TRUE(count_is("uploads", 1));
  write_file(aside / "x", "x");
  EXPECT_EQ(apply("in", {{"directory", aside.string()}, {"queue", "uploads"}}), "configured");
  EXPECT_EQ(keys("uploads"), (std::vector<std::string>{"a", "x"}));
  // The old directory is no longer watched.
  write_file(dir / "c", "c");
  write_file(aside / "y", "y");
  ASSERT_TRUE(count_is("uploads", 3));
  EXPECT_EQ(keys("uploads"), (std::vector<std::string>{"a", "x", "y"}));
}

TEST_F(EventSourceTest, RejectsDocumentsOfOtherKinds) {
  std::vector<std::string> w;
  nlohmann::json doc = source_doc("x", {{"directory", "/d"}, {"queue", "q"}});
  doc["kind"] = "Queue";
  EXPECT_EQ(ctl->apply(doc, w).error().code, Code::Invalid);
}

}  // namespace
}  // namespace ebb::source

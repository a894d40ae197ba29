// AccessKeyStore (server/access_keys.h) against a real SQLite store and committer in a
// temporary directory, with a fake clock for expiry; KeyRing's policy lookup.
#include "server/access_keys.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "server/credentials.h"
#include "support/fake_clock.h"

namespace ebb::server {
namespace {

struct TempDir {
  std::string path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "ebb-keys-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

struct Fixture {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<Store> store;
  std::unique_ptr<Committer> committer;
  std::unique_ptr<AccessKeyStore> keys;
  char key_fill = 'k';

  Fixture() { open(); }
  ~Fixture() { close(); }
  void open() {
    store = open_sqlite_store(dir.path + "/ebb.db");
    committer = std::make_unique<Committer>(*store);
    committer->start();
    keys = std::make_unique<AccessKeyStore>(clock, *committer, *SecretBox::from_key(std::string(32, key_fill)));
    keys->load(store->load_records());
  }
  void close() {
    keys.reset();
    if (committer) committer->stop();
    committer.reset();
    store.reset();
  }
  void reopen() {
    close();
    open();
  }
  bool durable(Token t) {
    std::promise<bool> p;
    committer->when_durable(t, [&p](bool ok) { p.set_value(ok); });
    return p.get_future().get();
  }
  std::vector<RecordRow> rows() {
    std::vector<RecordRow> out;
    for (auto& r : store->load_records())
      if (r.kind == "access_key") out.push_back(r);
    return out;
  }
};

bool aws_like_id(const std::string& id) {
  if (id.size() < 19 || id.size() > 23 || !id.starts_with("EBB")) return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

TEST(AccessKeys, CreateGivesAnAwsShapedPairAndAPolicy) {
  Fixture f;
  auto a = f.keys->create(sqs::KeyRole::Producer, {"orders-*", "orders-*", "audit"}, 0, "shop");
  ASSERT_TRUE(a.ok()) << a.error().message;
  EXPECT_TRUE(aws_like_id(a->info.id)) << a->info.id;
  EXPECT_EQ(a->secret.size(), 40u);
  EXPECT_EQ(a->info.queues, (std::vector<std::string>{"audit", "orders-*"}));  // sorted, deduplicated
  EXPECT_EQ(a->info.expires_ms, 0);
  EXPECT_EQ(f.keys->secret_of(a->info.id), a->secret);
  auto p = f.keys->policy_of(a->info.id);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->role, sqs::KeyRole::Producer);
  EXPECT_TRUE(p->covers("orders-eu"));
  EXPECT_FALSE(p->covers("billing"));
  EXPECT_FALSE(f.keys->secret_of("EBBNOSUCHKEY0000000"));
  EXPECT_FALSE(f.keys->policy_of("EBBNOSUCHKEY0000000"));
  auto b = f.keys->create(sqs::KeyRole::Consumer, {}, 0, "");
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->info.id, b->info.id);
  EXPECT_NE(a->secret, b->secret);
}

TEST(AccessKeys, BadInputIsRefusedWithAReason) {
  Fixture f;
  auto r = f.keys->create(sqs::KeyRole::Producer, {"orders/eu"}, 0, "");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("orders/eu"), std::string::npos);
  EXPECT_FALSE(f.keys->create(sqs::KeyRole::Producer, {""}, 0, "").ok());
  EXPECT_FALSE(f.keys->create(sqs::KeyRole::Producer, {}, -1, "").ok());
  EXPECT_FALSE(f.keys->create(sqs::KeyRole::Producer, {}, AccessKeyStore::kMaxTtlSeconds + 1, "").ok());
  EXPECT_FALSE(f.keys->create(sqs::KeyRole::Producer, {}, 0, "a\nb").ok());
  EXPECT_FALSE(f.keys->create(sqs::KeyRole::Producer, {}, 0, std::string(201, 'n')).ok());
  EXPECT_FALSE(f.keys->create(sqs::KeyRole::Producer, std::vector<std::string>(51, "q"), 0, "").ok());
  EXPECT_EQ(f.keys->size(), 0u);
}

TEST(AccessKeys, StoreHoldsOnlyTheSealedSecret) {
  Fixture f;
  auto a = f.keys->create(sqs::KeyRole::Admin, {}, 0, "ops");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(f.durable(a->commit));
  auto rows = f.rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].key, a->info.id);
  EXPECT_EQ(rows[0].value.find(a->secret), std::string::npos);
  EXPECT_NE(rows[0].value.find("\"role\":\"admin\""), std::string::npos) << rows[0].value;
}

TEST(AccessKeys, ExpiresAtItsTime) {
  Fixture f;
  auto a = f.keys->create(sqs::KeyRole::Consumer, {}, 60, "short");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->info.expires_ms, a->info.created_ms + 60'000);
  f.clock.advance_s(59);
  EXPECT_TRUE(f.keys->secret_of(a->info.id));
  EXPECT_TRUE(f.keys->policy_of(a->info.id));
  f.clock.advance_s(1);
  EXPECT_FALSE(f.keys->secret_of(a->info.id));
  EXPECT_FALSE(f.keys->policy_of(a->info.id));
  EXPECT_EQ(f.keys->list().size(), 1u);  // listed (as expired) until the next create
  auto b = f.keys->create(sqs::KeyRole::Consumer, {}, 0, "forever");
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(f.durable(b->commit));
  EXPECT_EQ(f.keys->list().size(), 1u);
  EXPECT_EQ(f.rows().size(), 1u);
  f.clock.advance_s(3650LL * 24 * 3600);
  EXPECT_TRUE(f.keys->secret_of(b->info.id));  // no expiry
}

TEST(AccessKeys, RevokeAndRestart) {
  Fixture f;
  auto a = f.keys->create(sqs::KeyRole::Producer, {"orders-*"}, 0, "keep");
  auto b = f.keys->create(sqs::KeyRole::Consumer, {}, 0, "drop");
  ASSERT_TRUE(a.ok() && b.ok());
  std::string revoked;
  f.keys->on_revoke([&](const std::string& id) { revoked = id; });
  auto gone = f.keys->revoke(b->info.id);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(revoked, b->info.id);
  EXPECT_FALSE(f.keys->secret_of(b->info.id));  // at once, before durability
  ASSERT_TRUE(f.durable(*gone));
  auto again = f.keys->revoke(b->info.id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Code::NotFound);

  f.reopen();
  EXPECT_EQ(f.keys->skipped(), 0u);
  EXPECT_EQ(f.keys->secret_of(a->info.id), a->secret);
  ASSERT_TRUE(f.keys->policy_of(a->info.id));
  EXPECT_EQ(f.keys->policy_of(a->info.id)->queues, std::vector<std::string>{"orders-*"});
  EXPECT_FALSE(f.keys->secret_of(b->info.id));
  ASSERT_EQ(f.keys->list().size(), 1u);
  EXPECT_EQ(f.keys->list()[0].name, "keep");
}

TEST(AccessKeys, ADifferentKeyFileOpensNothing) {
  Fixture f;
  auto a = f.keys->create(sqs::KeyRole::Admin, {}, 0, "");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(f.durable(a->commit));
  f.key_fill = 'z';  // the database copied next to another key file
  f.reopen();
  EXPECT_EQ(f.keys->skipped(), 1u);
  EXPECT_FALSE(f.keys->secret_of(a->info.id));
}

TEST(KeyRingPolicy, AdminAndTaskKeysHaveEveryRightStoreKeysTheirPolicy) {
  Fixture f;
  auto a = f.keys->create(sqs::KeyRole::Consumer, {"jobs"}, 0, "");
  ASSERT_TRUE(a.ok());
  KeyRing ring;
  ring.add_key({"EBBADMINKEY000000000", "s3cr3t"});
  ring.set_access_keys(f.keys.get());
  ring.add_provider([](const std::string& id) -> std::optional<std::string> {
    return id == "EBBTASKKEY0000000000" ? std::optional<std::string>("t") : std::nullopt;
  });
  auto admin = ring.policy_of("EBBADMINKEY000000000");
  ASSERT_TRUE(admin);
  EXPECT_EQ(*admin, nullptr);
  auto task = ring.policy_of("EBBTASKKEY0000000000");
  ASSERT_TRUE(task);
  EXPECT_EQ(*task, nullptr);
  auto mine = ring.policy_of(a->info.id);
  ASSERT_TRUE(mine && *mine);
  EXPECT_EQ((*mine)->role, sqs::KeyRole::Consumer);
  EXPECT_EQ(ring.secret_of(a->info.id), a->secret);
  EXPECT_FALSE(ring.policy_of("EBBUNKNOWN"));
  EXPECT_FALSE(ring.is_admin(a->info.id));  // not a native-API key
  ASSERT_TRUE(f.keys->revoke(a->info.id).ok());
  EXPECT_FALSE(ring.policy_of(a->info.id));
  EXPECT_FALSE(ring.secret_of(a->info.id));
}

}  // namespace
}  // namespace ebb::server

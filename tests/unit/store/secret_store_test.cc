// SecretBox (AES-256-GCM at rest) and SecretStore (write-only named secrets,
// reliability.md §4.7) against an in-memory store.
#include "store/secret_store.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>
#include <future>

#include "base/crypto.h"
#include "support/fake_clock.h"
#include "support/mem_store.h"
#include "temp_dir.h"

namespace ebb {
namespace {

SecretBox box_of(char fill) { return *SecretBox::from_key(std::string(32, fill)); }

TEST(SecretBox, SealedValuesOpenOnlyWithTheSameKeyAndContext) {
  SecretBox box = box_of('k');
  const std::string sealed = box.seal("hunter2", "secret/db/password");
  EXPECT_EQ(sealed.find("hunter2"), std::string::npos);
  EXPECT_NE(sealed, box.seal("hunter2", "secret/db/password"));  // a fresh nonce each time
  ASSERT_TRUE(box.open(sealed, "secret/db/password").ok());
  EXPECT_EQ(*box.open(sealed, "secret/db/password"), "hunter2");
  EXPECT_FALSE(box.open(sealed, "secret/db/user").ok());          // moved to another key
  EXPECT_FALSE(box_of('x').open(sealed, "secret/db/password").ok());  // another key file
  std::string raw = *base64_decode(sealed);
  raw[14] ^= 1;  // one flipped ciphertext bit
  EXPECT_FALSE(box.open(base64_encode(raw), "secret/db/password").ok());
  EXPECT_FALSE(box.open("not base64", "secret/db/password").ok());
  EXPECT_EQ(*box.open(box.seal("", "c"), "c"), "");
}

TEST(SecretBox, KeyFileIsCreated0600ReusedAndRefusedWhenOthersCanReadIt) {
  test::TempDir dir;
  const std::string path = dir.file("secret.key");
  auto a = SecretBox::load_or_create(path);
  ASSERT_TRUE(a.ok()) << a.error().message;
  struct stat sb{};
  ASSERT_EQ(::stat(path.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  auto b = SecretBox::load_or_create(path);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b->open(a->seal("v", "c"), "c"), "v");  // the same key read back
  ::chmod(path.c_str(), 0640);
  auto c = SecretBox::load_or_create(path);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("chmod 600"), std::string::npos);
  std::ofstream(dir.file("bad.key")) << "short\n";
  ::chmod(dir.file("bad.key").c_str(), 0600);
  EXPECT_FALSE(SecretBox::load_or_create(dir.file("bad.key")).ok());
}

struct SecretStoreTest : ::testing::Test {
  FakeClock clock;
  MemStore store;
  Committer committer{store};
  SecretStore secrets{clock, committer, box_of('k')};
  void SetUp() override { committer.start(); }
  void TearDown() override { committer.stop(); }
};

TEST_F(SecretStoreTest, PutGetListNeverShowAValueAndRecordsHoldNoPlainText) {
  auto r = secrets.put("db", {{"password", "hunter2"}, {"user", "alice"}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->first, "created");
  EXPECT_EQ(secrets.put("db", {{"password", "hunter2"}, {"user", "alice"}})->first, "unchanged");
  EXPECT_EQ(secrets.put("db", {{"password", "hunter3"}, {"user", "alice"}})->first, "configured");
  EXPECT_EQ(*secrets.value("db", "password"), "hunter3");
  EXPECT_FALSE(secrets.value("db", "pin").has_value());
  EXPECT_FALSE(secrets.value("nope", "password").has_value());
  EXPECT_TRUE(secrets.has("db", "user"));
  const std::string shown = secrets.list().dump() + secrets.get("db")->dump();
  EXPECT_EQ(shown.find("hunter"), std::string::npos);
  EXPECT_EQ(shown.find("alice"), std::string::npos);
  EXPECT_EQ(secrets.get("db")->at("status").at("keys"), nlohmann::json({"password", "user"}));
  std::promise<bool> durable;
  committer.when_durable(committer.append(op::PutMeta{"barrier", "1"}), [&](bool ok) { durable.set_value(ok); });
  ASSERT_TRUE(durable.get_future().get());
  for (const RecordRow& row : store.load_records()) {
    EXPECT_EQ(row.value.find("hunter"), std::string::npos);
    EXPECT_EQ(row.value.find("alice"), std::string::npos);
  }
  // Loaded back (a restart) with the same key: the values open.
  SecretStore again(clock, committer, box_of('k'));
  again.load(store.load_records());
  EXPECT_EQ(*again.value("db", "password"), "hunter3");
}

TEST_F(SecretStoreTest, BadNamesKeysAndSizesAreRefusedWithTheReason) {
  EXPECT_NE(secrets.put("Bad_Name", {{"k", "v"}}).error().message.find("secret name"), std::string::npos);
  EXPECT_NE(secrets.put("ok", {}).error().message.find("at least one key"), std::string::npos);
  EXPECT_NE(secrets.put("ok", {{"a/b", "v"}}).error().message.find("key \"a/b\""), std::string::npos);
  EXPECT_NE(secrets.put("ok", {{"..", "v"}}).error().message.find("key \"..\""), std::string::npos);
  EXPECT_NE(secrets.put("ok", {{"k", std::string(SecretStore::kMaxValueBytes + 1, 'x')}}).error().message.find("allowed"),
            std::string::npos);
  EXPECT_TRUE(secrets.put("ok", {{"K_1.x-y", std::string(SecretStore::kMaxValueBytes, 'x')}}).ok());
  EXPECT_EQ(secrets.remove("missing").error().code, Code::NotFound);
  EXPECT_TRUE(secrets.remove("ok").ok());
  EXPECT_FALSE(secrets.get("ok").ok());
}

}  // namespace
}  // namespace ebb

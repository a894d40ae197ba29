#include "server/credentials.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

namespace ebb::server {
namespace {

struct TempDir {
  std::string path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "ebb-cred-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

TEST(Credentials, NewKeysLookLikeAwsKeysAndDiffer) {
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    AccessKey k = new_admin_key();
    EXPECT_EQ(k.access_key_id.size(), 20u);
    EXPECT_TRUE(k.access_key_id.starts_with("EBB"));
    EXPECT_EQ(k.secret.size(), 40u);
    ids.insert(k.access_key_id);
  }
  EXPECT_EQ(ids.size(), 50u);
}

TEST(Credentials, FileRoundTripsAndIgnoresOtherProfiles) {
  AccessKey k{"EBBABCDEFGHIJKLMNOPQ", "s3cr3t/with+chars"};
  auto back = parse_credentials_file(render_credentials_file(k));
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->access_key_id, k.access_key_id);
  EXPECT_EQ(back->secret, k.secret);
  auto other = parse_credentials_file("[other]\naws_access_key_id=X\naws_secret_access_key=Y\n[default]\n"
                                      "aws_access_key_id = A\r\naws_secret_access_key = B\r\n");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->access_key_id, "A");
  EXPECT_EQ(other->secret, "B");
  EXPECT_FALSE(parse_credentials_file("[default]\naws_access_key_id = A\n").ok());
  EXPECT_FALSE(parse_credentials_file("[default\n").ok());
  EXPECT_FALSE(parse_credentials_file("garbage line\n").ok());
}

TEST(Credentials, CreatedOnceWithMode0600ThenReused) {
  TempDir d;
  auto first = load_or_create_admin_credentials(d.path);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(first->created);
  struct stat sb{};
  ASSERT_EQ(::stat(first->path.c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);
  auto second = load_or_create_admin_credentials(d.path);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->created);
  EXPECT_EQ(second->key.access_key_id, first->key.access_key_id);
  EXPECT_EQ(second->key.secret, first->key.secret);
}

TEST(Credentials, RefusesAGroupReadableFile) {
  TempDir d;
  auto first = load_or_create_admin_credentials(d.path);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(::chmod(first->path.c_str(), 0640), 0);
  auto again = load_or_create_admin_credentials(d.path);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("chmod 600"), std::string::npos);
}

TEST(Credentials, RefusesAMangledFile) {
  TempDir d;
  std::string p = d.path + "/credentials";
  std::ofstream(p) << "[default]\nnot a key\n";
  ASSERT_EQ(::chmod(p.c_str(), 0600), 0);
  auto r = load_or_create_admin_credentials(d.path);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("line 2"), std::string::npos);
}

TEST(KeyRing, StaticKeysThenProviders) {
  KeyRing ring;
  ring.add_key({"ADMIN", "a-secret"});
  bool task_alive = true;
  ring.add_provider([&](const std::string& id) -> std::optional<std::string> {
    if (id == "TASK" && task_alive) return std::string("t-secret");
    return std::nullopt;
  });
  EXPECT_EQ(ring.secret_of("ADMIN"), "a-secret");
  EXPECT_EQ(ring.secret_of("TASK"), "t-secret");
  EXPECT_TRUE(ring.is_admin("ADMIN"));
  EXPECT_FALSE(ring.is_admin("TASK"));
  task_alive = false;  // the task ended: its key is gone
  EXPECT_FALSE(ring.secret_of("TASK"));
  EXPECT_FALSE(ring.secret_of("NOBODY"));
}

}  // namespace
}  // namespace ebb::server

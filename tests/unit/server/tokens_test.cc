// TokenStore, scopes, FailureLimiter and NativeAuth (server/tokens.h, native_auth.h)
// against a real SQLite store and committer in a temporary directory.
#include "server/tokens.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>

#include "api/http/sigv4.h"
#include "base/crypto.h"
#include "server/native_auth.h"
#include "support/fake_clock.h"

namespace ebb::server {
namespace {

struct TempDir {
  std::string path;
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "ebb-tokens-XXXXXX").string();
    path = ::mkdtemp(t.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

// A store, its committer and a TokenStore over them; reopen() simulates a restart.
struct Fixture {
  TempDir dir;
  FakeClock clock;
  std::unique_ptr<Store> store;
  std::unique_ptr<Committer> committer;
  std::unique_ptr<TokenStore> tokens;

  Fixture() { open(); }
  ~Fixture() { close(); }
  void open() {
    store = open_sqlite_store(dir.path + "/ebb.db");
    committer = std::make_unique<Committer>(*store);
    committer->start();
    tokens = std::make_unique<TokenStore>(clock, *committer);
    tokens->load(store->load_records());
  }
  void close() {
    tokens.reset();
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
  std::vector<RecordRow> token_rows() {
    std::vector<RecordRow> out;
    for (auto& r : store->load_records())
      if (r.kind == "token") out.push_back(r);
    return out;
  }
};

TEST(Tokens, CreatedTokenIs256BitRandomAndChecks) {
  Fixture f;
  auto a = f.tokens->create(Scope::Write, TokenStore::kDefaultTtlSeconds, "ci");
  auto b = f.tokens->create(Scope::Write, TokenStore::kDefaultTtlSeconds, "ci");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(a->secret.starts_with("ebb_"));
  EXPECT_EQ(a->secret.size(), 47u);  // "ebb_" + base64url(32 bytes)
  EXPECT_EQ(base64url_decode(a->secret.substr(4))->size(), 32u);
  EXPECT_NE(a->secret, b->secret);
  EXPECT_NE(a->info.id, b->info.id);
  EXPECT_EQ(a->info.expires_ms - a->info.created_ms, 90LL * 24 * 3600 * 1000);
  auto info = f.tokens->check(a->secret);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->id, a->info.id);
  EXPECT_EQ(info->scope, Scope::Write);
  EXPECT_EQ(info->name, "ci");
  // Near misses are refused.
  std::string wrong = a->secret;
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(f.tokens->check(wrong));
  EXPECT_FALSE(f.tokens->check(a->secret.substr(0, 46)));
  EXPECT_FALSE(f.tokens->check(""));
  EXPECT_FALSE(f.tokens->check(a->info.id));
}

TEST(Tokens, StoreHoldsOnlyTheHash) {
  Fixture f;
  auto a = f.tokens->create(Scope::Read, 3600, "reader");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(f.durable(a->commit));
  auto rows = f.token_rows();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].key, a->info.id);
  EXPECT_NE(rows[0].value.find(sha256_hex(a->secret)), std::string::npos);
  EXPECT_EQ(rows[0].value.find(a->secret.substr(4)), std::string::npos);
}

TEST(Tokens, ExpiresAtItsTime) {
  Fixture f;
  auto a = f.tokens->create(Scope::Read, 30, "");
  ASSERT_TRUE(a.ok());
  f.clock.advance_s(29);
  EXPECT_TRUE(f.tokens->check(a->secret));
  f.clock.advance_s(1);
  EXPECT_FALSE(f.tokens->check(a->secret));
  EXPECT_EQ(f.tokens->list().size(), 1u);  // listed (as expired) until the next create
  auto b = f.tokens->create(Scope::Read, 30, "");
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE(f.durable(b->commit));
  EXPECT_EQ(f.tokens->list().size(), 1u);
  EXPECT_EQ(f.token_rows().size(), 1u);  // the expired one is gone from the store too
}

TEST(Tokens, RevokeAndRestart) {
  Fixture f;
  auto keep = f.tokens->create(Scope::Admin, 3600, "keep");
  auto drop = f.tokens->create(Scope::Read, 3600, "drop");
  ASSERT_TRUE(keep.ok() && drop.ok());
  auto t = f.tokens->revoke(drop->info.id);
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(f.durable(*t));
  EXPECT_FALSE(f.tokens->check(drop->secret));
  auto again = f.tokens->revoke(drop->info.id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, Code::NotFound);

  f.reopen();
  auto info = f.tokens->check(keep->secret);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->scope, Scope::Admin);
  EXPECT_EQ(info->name, "keep");
  EXPECT_EQ(info->expires_ms, keep->info.expires_ms);
  EXPECT_FALSE(f.tokens->check(drop->secret));
  EXPECT_EQ(f.tokens->list().size(), 1u);
}

TEST(Tokens, RefusesBadInput) {
  Fixture f;
  EXPECT_EQ(f.tokens->create(Scope::Read, 0, "").error().code, Code::Invalid);
  EXPECT_EQ(f.tokens->create(Scope::Read, -5, "").error().code, Code::Invalid);
  EXPECT_EQ(f.tokens->create(Scope::Read, TokenStore::kMaxTtlSeconds + 1, "").error().code, Code::Invalid);
  EXPECT_EQ(f.tokens->create(Scope::Read, 60, std::string(201, 'x')).error().code, Code::Invalid);
  EXPECT_EQ(f.tokens->create(Scope::Read, 60, "a\nb").error().code, Code::Invalid);
  EXPECT_TRUE(f.tokens->create(Scope::Read, TokenStore::kMaxTtlSeconds, std::string(200, 'x')).ok());
}

TEST(Tokens, MalformedRecordsAreSkipped) {
  Fixture f;
  FakeClock clock;
  Committer c(*f.store);
  TokenStore ts(clock, c);
  ts.load({{"token", "tok_a", "not json"},
           {"token", "tok_b", R"({"scope":"root","sha256":")" + std::string(64, 'a') + R"(","expiresMs":1})"},
           {"token", "tok_c", R"({"scope":"read","sha256":"short","expiresMs":1})"},
           {"service", "x", "{}"}});
  EXPECT_EQ(ts.list().size(), 0u);
  EXPECT_EQ(ts.skipped(), 3u);
}

TEST(Scopes, Matrix) {
  EXPECT_TRUE(scope_allows(Scope::Read, "GET", "/api/v1/queues"));
  EXPECT_TRUE(scope_allows(Scope::Read, "GET", "/metrics"));
  EXPECT_TRUE(scope_allows(Scope::Read, "POST", "/api/v1/logs"));
  EXPECT_FALSE(scope_allows(Scope::Read, "POST", "/api/v1/queues/q/messages"));
  EXPECT_FALSE(scope_allows(Scope::Read, "DELETE", "/api/v1/queues/q"));
  EXPECT_FALSE(scope_allows(Scope::Read, "GET", "/api/v1/tokens"));
  EXPECT_TRUE(scope_allows(Scope::Write, "POST", "/api/v1/apply"));
  EXPECT_TRUE(scope_allows(Scope::Write, "DELETE", "/api/v1/queues/q"));
  EXPECT_FALSE(scope_allows(Scope::Write, "GET", "/api/v1/tokens"));
  EXPECT_FALSE(scope_allows(Scope::Write, "POST", "/api/v1/tokens"));
  EXPECT_FALSE(scope_allows(Scope::Write, "DELETE", "/api/v1/tokens/tok_1"));
  EXPECT_TRUE(scope_allows(Scope::Admin, "POST", "/api/v1/tokens"));
  EXPECT_TRUE(scope_allows(Scope::Admin, "DELETE", "/api/v1/tokens/tok_1"));
  EXPECT_FALSE(is_token_path("/api/v1/tokensx"));
  EXPECT_EQ(parse_scope("write"), Scope::Write);
  EXPECT_FALSE(parse_scope("Write"));
}

TEST(FailureLimiter, TenPerMinutePerAddress) {
  FakeClock clock;
  FailureLimiter l;
  for (int i = 0; i < 9; ++i) l.record_failure("10.0.0.1", clock.mono_now());
  EXPECT_EQ(l.blocked_for("10.0.0.1", clock.mono_now()), 0);
  clock.advance_s(30);
  l.record_failure("10.0.0.1", clock.mono_now());
  EXPECT_EQ(l.blocked_for("10.0.0.1", clock.mono_now()), 30);  // until the first is a minute old
  EXPECT_EQ(l.blocked_for("10.0.0.2", clock.mono_now()), 0);   // other addresses unaffected
  clock.advance_s(30);
  EXPECT_EQ(l.blocked_for("10.0.0.1", clock.mono_now()), 0);   // 9 left in the window
}

TEST(FailureLimiter, MemoryIsBounded) {
  FakeClock clock;
  FailureLimiter l(10, Millis(60'000), 100);
  for (int i = 0; i < 1000; ++i) l.record_failure("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), clock.mono_now());
  for (int i = 0; i < 10; ++i) l.record_failure("192.0.2.1", clock.mono_now());
  EXPECT_GT(l.blocked_for("192.0.2.1", clock.mono_now()), 0);
}

http::HttpRequest request(std::string method, std::string path, std::string authz = "") {
  http::HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  r.remote_addr = "127.0.0.1";
  r.headers.emplace_back("Host", "127.0.0.1:9324");
  if (!authz.empty()) r.headers.emplace_back("Authorization", std::move(authz));
  return r;
}

struct AuthFixture : Fixture {
  http::SigV4Options opts;
  std::unique_ptr<NativeAuth> auth;
  AuthFixture(http::AuthMode mode = http::AuthMode::SigV4) {
    opts.service = "ebb";
    auth = std::make_unique<NativeAuth>(mode, clock, tokens.get(), opts, [](std::string_view id) -> std::optional<std::string> {
      if (id == "EBBADMINKEY000000000") return std::string("admin-secret");
      return std::nullopt;
    });
  }
  http::HttpRequest signed_req(std::string method, std::string path, std::string secret, std::string service = "ebb") {
    auto r = request(std::move(method), std::move(path));
    http::sigv4_sign(r, "EBBADMINKEY000000000", secret, "us-east-1", service, clock.now_ms() / 1000);
    return r;
  }
};

TEST(NativeAuth, DecisionsBySchemeAndScope) {
  AuthFixture f;
  auto d = f.auth->check(request("GET", "/api/v1/queues"));
  EXPECT_EQ(d.status, 401);
  EXPECT_EQ(d.code, "Unauthorized");
  auto reader = f.tokens->create(Scope::Read, 3600, "");
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ(f.auth->check(request("GET", "/api/v1/queues", "Bearer " + reader->secret)).status, 200);
  d = f.auth->check(request("POST", "/api/v1/queues/q/messages", "Bearer " + reader->secret));
  EXPECT_EQ(d.status, 403);
  EXPECT_EQ(d.code, "AccessDenied");
  EXPECT_EQ(f.auth->check(request("GET", "/api/v1/queues", "Bearer ebb_nope")).status, 401);
  // SigV4, service "ebb", admin key: admin scope.
  d = f.auth->check(f.signed_req("POST", "/api/v1/tokens", "admin-secret"));
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.scope, Scope::Admin);
  EXPECT_EQ(f.auth->check(f.signed_req("GET", "/api/v1/queues", "wrong-secret")).status, 401);
  EXPECT_EQ(f.auth->check(f.signed_req("GET", "/api/v1/queues", "admin-secret", "sqs")).status, 401);
}

TEST(NativeAuth, TooManyFailuresThen429EvenWithAValidToken) {
  AuthFixture f;
  auto writer = f.tokens->create(Scope::Write, 3600, "");
  ASSERT_TRUE(writer.ok());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(f.auth->check(request("GET", "/api/v1/queues")).status, 401);  // not counted
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(f.auth->check(request("GET", "/api/v1/queues", "Bearer ebb_wrong")).status, 401) << i;
  auto d = f.auth->check(request("GET", "/api/v1/queues", "Bearer " + writer->secret));
  EXPECT_EQ(d.status, 429);
  EXPECT_EQ(d.retry_after_s, 60);
  EXPECT_EQ(native_auth_reply(d).status, 429);
  f.clock.advance_s(60);
  EXPECT_EQ(f.auth->check(request("GET", "/api/v1/queues", "Bearer " + writer->secret)).status, 200);
}

TEST(NativeAuth, AuthNoneIsOpen) {
  AuthFixture f(http::AuthMode::None);
  EXPECT_EQ(f.auth->check(request("DELETE", "/api/v1/tokens/tok_x")).status, 200);
}

}  // namespace
}  // namespace ebb::server

namespace ebb::server {
namespace {

http::HttpRequest with_cookie(http::HttpRequest r, const std::string& sid) {
  r.headers.emplace_back("Cookie", "other=1; " + std::string(kSessionCookie) + "=" + sid);
  return r;
}

TEST(Sessions, LoginCsrfIdleExpiryAndRevocation) {
  AuthFixture f;
  auto w = f.tokens->create(Scope::Write, 30LL * 24 * 3600, "");
  ASSERT_TRUE(w.ok());
  auto bad = f.auth->login(request("POST", "/ui/login"), "ebb_wrong");
  EXPECT_EQ(bad.d.status, 401);
  auto l = f.auth->login(request("POST", "/ui/login"), w->secret);
  ASSERT_EQ(l.d.status, 200);
  EXPECT_EQ(base64url_decode(l.session_id)->size(), 32u);
  EXPECT_NE(l.session_id, l.csrf);

  EXPECT_EQ(f.auth->check(with_cookie(request("GET", "/api/v1/queues"), l.session_id)).status, 200);
  EXPECT_EQ(f.auth->check(with_cookie(request("GET", "/api/v1/queues"), l.session_id + "x")).status, 401);
  auto post = with_cookie(request("POST", "/api/v1/queues/q/messages"), l.session_id);
  EXPECT_EQ(f.auth->check(post).status, 403);  // no CSRF header
  post.headers.emplace_back("X-CSRF-Token", l.csrf);
  EXPECT_EQ(f.auth->check(post).status, 200);

  // Idle: 12 h without a request ends it; each request restarts the 12 h.
  f.clock.advance(NativeAuth::kSessionIdle - Millis(1000));
  EXPECT_EQ(f.auth->check(with_cookie(request("GET", "/api/v1/queues"), l.session_id)).status, 200);
  f.clock.advance(NativeAuth::kSessionIdle - Millis(1000));
  EXPECT_EQ(f.auth->check(with_cookie(request("GET", "/api/v1/queues"), l.session_id)).status, 200);
  f.clock.advance(NativeAuth::kSessionIdle);
  EXPECT_EQ(f.auth->check(with_cookie(request("GET", "/api/v1/queues"), l.session_id)).status, 401);

  // Revoking the token ends its sessions.
  auto l2 = f.auth->login(request("POST", "/ui/login"), w->secret);
  ASSERT_EQ(l2.d.status, 200);
  ASSERT_TRUE(f.tokens->revoke(w->info.id).ok());
  EXPECT_EQ(f.auth->check(with_cookie(request("GET", "/api/v1/queues"), l2.session_id)).status, 401);
  EXPECT_EQ(session_cookie("abc", false), "ebb_session=abc; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(expired_session_cookie(false), "ebb_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

// Under TLS the cookie is __Host-ebb_session with Secure (reliability.md §4.2), and only
// that name is accepted.
TEST(Sessions, TlsCookieIsHostPrefixedAndSecure) {
  EXPECT_EQ(session_cookie("abc", true), "__Host-ebb_session=abc; Secure; Path=/; HttpOnly; SameSite=Strict");
  EXPECT_EQ(expired_session_cookie(true), "__Host-ebb_session=; Secure; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  AuthFixture f;
  f.auth->set_tls(true);
  auto w = f.tokens->create(Scope::Write, 3600, "ui");
  ASSERT_TRUE(w.ok());
  auto l = f.auth->login(request("POST", "/ui/login"), w->secret);
  ASSERT_EQ(l.d.status, 200);
  auto get = request("GET", "/api/v1/queues");
  get.headers.emplace_back("Cookie", "__Host-ebb_session=" + l.session_id);
  EXPECT_EQ(f.auth->check(get).status, 200);
  EXPECT_EQ(f.auth->check(with_cookie(request("GET", "/api/v1/queues"), l.session_id)).status, 401);
}

TEST(Sessions, LoginFailuresCountTowards429) {
  AuthFixture f;
  for (int i = 0; i < 10; ++i) EXPECT_EQ(f.auth->login(request("POST", "/ui/login"), "ebb_wrong").d.status, 401);
  EXPECT_EQ(f.auth->login(request("POST", "/ui/login"), "ebb_wrong").d.status, 429);
}

}  // namespace
}  // namespace ebb::server

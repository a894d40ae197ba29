// Bearer tokens for the native API, the CLI and /metrics (reliability.md §4.2;
// docs/security.md): 256-bit random ("ebb_" + 43 base64url characters), shown once,
// kept only as SHA-256 hashes in the store (records kind "token", durable like every
// other control-plane object), compared in constant time, each with a scope and an
// expiry (default 90 days).
//
// Scopes: read (GET/HEAD of /api/v1 and /metrics, and POST /api/v1/logs, which only
// reads task output), write (every /api/v1 request but
// token management), admin (everything, /api/v1/tokens included).
//
// Records: kind "token", key = the token's id ("tok_" + 16 hex, public), value
// {"name","scope","sha256","createdMs","expiresMs"}.
#pragma once
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "clock/clock.h"
#include "store/committer.h"
#include "store/store.h"

namespace ebb::server {

enum class Scope { Read, Write, Admin };
std::optional<Scope> parse_scope(std::string_view s);
std::string_view scope_name(Scope s);
// May a caller with `scope` send `method` to `path` (/api/v1/... or /metrics)?
bool scope_allows(Scope scope, std::string_view method, std::string_view path);
bool is_token_path(std::string_view path);  // /api/v1/tokens[/...]

struct TokenInfo {
  std::string id;    // public handle, "tok_" + 16 hex (not derived from the secret)
  std::string name;  // free text for `ebb token list`
  Scope scope = Scope::Read;
  int64_t created_ms = 0;
  int64_t expires_ms = 0;
};

class TokenStore {
 public:
  static constexpr int64_t kDefaultTtlSeconds = 90LL * 24 * 3600;
  static constexpr int64_t kMaxTtlSeconds = 3650LL * 24 * 3600;
  static constexpr size_t kMaxTokens = 1000;
  static constexpr size_t kMaxNameBytes = 200;

  TokenStore(Clock& clock, Committer& committer);
  // Rows of kind "token"; malformed rows are skipped (and logged by the caller's count).
  void load(const std::vector<RecordRow>& records);

  struct Created {
    std::string secret;  // the token itself: returned once, never stored
    TokenInfo info;
    Token commit = 0;    // durable once the committer reaches it
  };
  // Invalid: ttl outside 1 s .. 3650 days, name too long or with control characters,
  // more than kMaxTokens live tokens. Expired tokens are deleted in the same commit.
  Result<Created> create(Scope scope, int64_t ttl_seconds, std::string name);
  // The token's record if it exists and has not expired. Every stored hash is compared
  // (constant time each), so the time taken does not depend on which one matched.
  std::optional<TokenInfo> check(std::string_view secret) const;
  // The record of token `id` if it exists and has not expired (dashboard sessions).
  std::optional<TokenInfo> live(std::string_view id) const;
  std::vector<TokenInfo> list() const;  // by creation time; no secrets, no hashes
  // NotFound when no token has this id.
  Result<Token> revoke(std::string_view id);
  size_t size() const;
  // Malformed records skipped by load().
  size_t skipped() const { return skipped_; }

 private:
  struct Entry {
    std::string sha256_hex;
    TokenInfo info;
  };
  static std::string value_of(const Entry& e);

  Clock& clock_;
  Committer& committer_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  size_t skipped_ = 0;
};

}  // namespace ebb::server

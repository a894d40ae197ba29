#include "server/tokens.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "base/crypto.h"

namespace ebb::server {

namespace {
constexpr std::string_view kKind = "token";
constexpr std::string_view kPrefix = "ebb_";
constexpr size_t kSecretChars = 4 + 43;  // "ebb_" + base64url of 32 bytes
}  // namespace

std::optional<Scope> parse_scope(std::string_view s) {
  if (s == "read") return Scope::Read;
  if (s == "write") return Scope::Write;
  if (s == "admin") return Scope::Admin;
  return std::nullopt;
}

std::string_view scope_name(Scope s) {
  switch (s) {
    case Scope::Read: return "read";
    case Scope::Write: return "write";
    case Scope::Admin: return "admin";
  }
  return "read";
}

bool is_token_path(std::string_view path) { return path == "/api/v1/tokens" || path.starts_with("/api/v1/tokens/"); }

bool scope_allows(Scope scope, std::string_view method, std::string_view path) {
  if (scope == Scope::Admin) return true;
  if (is_token_path(path)) return false;  // token management: admin only, reading included
  if (path == "/api/v1/keys" || path.starts_with("/api/v1/keys/")) return false;  // SQS access keys: likewise
  if (scope == Scope::Write) return true;
  if (method == "POST" && path == "/api/v1/logs") return true;  // reads task output; changes nothing
  return method == "GET" || method == "HEAD";
}

TokenStore::TokenStore(Clock& clock, Committer& committer) : clock_(clock), committer_(committer) {}

std::string TokenStore::value_of(const Entry& e) {
  nlohmann::json v = {{"name", e.info.name},
                      {"scope", scope_name(e.info.scope)},
                      {"sha256", e.sha256_hex},
                      {"createdMs", e.info.created_ms},
                      {"expiresMs", e.info.expires_ms}};
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void TokenStore::load(const std::vector<RecordRow>& records) {
  std::lock_guard lk(mu_);
  entries_.clear();
  skipped_ = 0;
  for (const RecordRow& r : records) {
    if (r.kind != kKind) continue;
    nlohmann::json v = nlohmann::json::parse(r.value, nullptr, false);
    Entry e;
    std::optional<Scope> scope;
    if (v.is_object() && v.contains("scope") && v["scope"].is_string()) scope = parse_scope(v["scope"].get<std::string>());
    if (!scope || !v.contains("sha256") || !v["sha256"].is_string() || !v.contains("expiresMs") ||
        !v["expiresMs"].is_number_integer()) {
      ++skipped_;
      continue;
    }
    e.sha256_hex = v["sha256"].get<std::string>();
    if (e.sha256_hex.size() != 64) {
      ++skipped_;
      continue;
    }
    e.info.id = r.key;
    e.info.scope = *scope;
    e.info.name = v.value("name", "");
    e.info.created_ms = v.value("createdMs", int64_t(0));
    e.info.expires_ms = v["expiresMs"].get<int64_t>();
    entries_.push_back(std::move(e));
  }
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.info.created_ms != b.info.created_ms ? a.info.created_ms < b.info.created_ms : a.info.id < b.info.id;
  });
}

Result<TokenStore::Created> TokenStore::create(Scope scope, int64_t ttl_seconds, std::string name) {
  if (ttl_seconds < 1 || ttl_seconds > kMaxTtlSeconds)
    return err(Code::Invalid, "the expiry must be between 1 second and 3650 days");
  if (name.size() > kMaxNameBytes) return err(Code::Invalid, "the name must be at most 200 bytes");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return err(Code::Invalid, "the name must not contain control characters");
  Created out;
  out.secret = std::string(kPrefix) + base64url_encode(random_bytes(32));
  Entry e;
  e.sha256_hex = sha256_hex(out.secret);
  e.info.id = "tok_" + hex_encode(random_bytes(8));
  e.info.name = std::move(name);
  e.info.scope = scope;
  e.info.created_ms = clock_.now_ms();
  e.info.expires_ms = e.info.created_ms + ttl_seconds * 1000;
  out.info = e.info;

  std::lock_guard lk(mu_);
  std::vector<StoreOp> ops;
  // Expired tokens are of no use to anyone: drop them with this commit.
  std::erase_if(entries_, [&](const Entry& x) {
    if (x.info.expires_ms > e.info.created_ms) return false;
    ops.push_back(op::DeleteRecord{std::string(kKind), x.info.id});
    return true;
  });
  if (entries_.size() >= kMaxTokens) {
    if (!ops.empty()) committer_.append_all(std::move(ops));
    return err(Code::Invalid, "there are already " + std::to_string(kMaxTokens) +
                                  " tokens; revoke some first (ebb token list, ebb token revoke ID)");
  }
  ops.push_back(op::PutRecord{std::string(kKind), e.info.id, value_of(e)});
  entries_.push_back(std::move(e));
  out.commit = committer_.append_all(std::move(ops));
  return out;
}

std::optional<TokenInfo> TokenStore::check(std::string_view secret) const {
  // Anything else cannot be one of ours: no need to hash it.
  if (secret.size() != kSecretChars || !secret.starts_with(kPrefix)) return std::nullopt;
  const std::string h = sha256_hex(secret);
  const int64_t now = clock_.now_ms();
  std::lock_guard lk(mu_);
  const Entry* found = nullptr;
  for (const Entry& e : entries_)
    if (constant_time_equal(e.sha256_hex, h) && !found) found = &e;
  if (!found || found->info.expires_ms <= now) return std::nullopt;
  return found->info;
}

std::optional<TokenInfo> TokenStore::live(std::string_view id) const {
  const int64_t now = clock_.now_ms();
  std::lock_guard lk(mu_);
  for (const Entry& e : entries_)
    if (e.info.id == id) return e.info.expires_ms > now ? std::optional<TokenInfo>(e.info) : std::nullopt;
  return std::nullopt;
}

std::vector<TokenInfo> TokenStore::list() const {
  std::lock_guard lk(mu_);
  std::vector<TokenInfo> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) out.push_back(e.info);
  return out;
}

Result<Token> TokenStore::revoke(std::string_view id) {
  std::lock_guard lk(mu_);
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.info.id == id; });
  if (it == entries_.end()) return err(Code::NotFound, "token " + std::string(id) + " not found (ebb token list)");
  entries_.erase(it);
  return committer_.append(op::DeleteRecord{std::string(kKind), std::string(id)});
}

size_t TokenStore::size() const {
  std::lock_guard lk(mu_);
  return entries_.size();
}

}  // namespace ebb::server

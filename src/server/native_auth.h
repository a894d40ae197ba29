// Who may call the native API (/api/v1) and read /metrics (reliability.md §4.2;
// docs/security.md). With --auth sigv4 (the default) a request needs
//   - `Authorization: Bearer ebb_…` with a live token (server/tokens.h), or
//   - AWS SigV4 with service "ebb" signed by the admin key (<data dir>/credentials),
//     which is what the ebb CLI does when it can read that file;
// and its scope must allow it (read: GET/HEAD; write: all but /api/v1/tokens; admin:
// all; the admin key is admin). With --auth none (loopback only) everything is open.
//
// Dashboard sessions: POST /ui/login with {"token":"ebb_…"} (rate-limited like any
// failed credential) starts a session bound to that token; the browser keeps its id in
// the cookie `ebb_session`, or `__Host-ebb_session` with Secure under TLS (HttpOnly,
// SameSite=Strict, Path=/; see kSessionCookie). A
// request with that cookie and no Authorization header acts with the token's scope
// while the token lives, the session has been used within 12 h and, for every method
// but GET/HEAD, the header X-CSRF-Token equals the session's CSRF token (else 403).
// Sessions live in memory: a restart logs browsers out.
//
// Failed credentials (a token or signature that was presented and is wrong) are
// counted per client address: after 10 in a minute that address gets 429 on every
// request that needs credentials until the oldest failure is a minute old. A request
// without any credentials is not a failure (it is a 401, and never guesses a secret).
#pragma once
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api/http/auth_stage.h"
#include "api/http/http_message.h"
#include "api/http/sigv4.h"
#include "clock/clock.h"
#include "server/tokens.h"

namespace ebb::server {

// Sliding-window failure counter per client address (times from the injectable clock).
class FailureLimiter {
 public:
  FailureLimiter(size_t max_failures = 10, Millis window = Millis(60'000), size_t max_addresses = 10'000)
      : max_(max_failures), window_(window), max_addresses_(max_addresses) {}
  // Seconds until `addr` may try again (0 = not blocked).
  int64_t blocked_for(const std::string& addr, MonoTime now);
  void record_failure(const std::string& addr, MonoTime now);

 private:
  void expire(std::deque<MonoTime>& q, MonoTime now) const;
  size_t max_;
  Millis window_;
  size_t max_addresses_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<MonoTime>> failures_;
};

struct NativeDecision {
  int status = 200;           // 200 = allowed; else 401, 403 or 429
  std::string code;           // Unauthorized | AccessDenied | TooManyRequests
  std::string message;
  int64_t retry_after_s = 0;  // 429 only
  Scope scope = Scope::Admin;
  std::string who;            // "token tok_…", "key EBB…" or "" (--auth none)
};

// The session cookie (reliability.md §4.2). Under TLS it is `__Host-ebb_session` with
// Secure: the browser then sends it only over HTTPS to exactly this host (no Domain,
// Path=/). Plain HTTP keeps `ebb_session` without Secure, because browsers refuse a
// Secure (and so a __Host-) cookie set over http://; Path=/ and no Domain give the
// same host-only scope.
inline constexpr std::string_view kSessionCookie = "ebb_session";
inline constexpr std::string_view kSessionCookieTls = "__Host-ebb_session";
inline std::string_view session_cookie_name(bool tls) { return tls ? kSessionCookieTls : kSessionCookie; }

struct Session {
  std::string token_id;
  Scope scope = Scope::Read;
  std::string csrf;
  MonoTime last_used;
};

class NativeAuth {
 public:
  static constexpr Millis kSessionIdle = Millis(12LL * 3600 * 1000);
  static constexpr size_t kMaxSessions = 10'000;
  // `admin_lookup` answers the secret of the admin key only (task keys are for SQS).
  NativeAuth(http::AuthMode mode, const Clock& clock, TokenStore* tokens, http::SigV4Options sigv4,
             http::SecretLookup admin_lookup);
  http::AuthMode mode() const { return mode_; }
  // ebbd serves HTTPS: the session cookie is __Host-ebb_session (Secure).
  void set_tls(bool tls) { tls_ = tls; }
  bool tls() const { return tls_; }
  NativeDecision check(const http::HttpRequest& req);

  // POST /ui/login: on success the session id and its CSRF token (status 200).
  struct Login {
    NativeDecision d;
    std::string session_id, csrf;
  };
  Login login(const http::HttpRequest& req, std::string_view token);
  // The live session named by the request's cookie (refreshes its idle timer).
  std::optional<Session> session_of(const http::HttpRequest& req);
  void logout(const http::HttpRequest& req);

 private:
  static std::string cookie_value(const http::HttpRequest& req, std::string_view name);
  NativeDecision identify(const http::HttpRequest& req, bool& presented);
  http::AuthMode mode_;
  bool tls_ = false;
  const Clock& clock_;
  TokenStore* tokens_;
  http::SigV4Verifier sigv4_;
  FailureLimiter limiter_;
  std::mutex sessions_mu_;
  std::unordered_map<std::string, Session> sessions_;  // by SHA-256 of the session id
};

// Set-Cookie values: a new session, and the one that deletes it.
std::string session_cookie(const std::string& session_id, bool tls);
std::string expired_session_cookie(bool tls);

// The JSON error answer of a refused decision ({"error":{"code","message","details"}}),
// with WWW-Authenticate on 401 and Retry-After on 429.
http::HttpResponse native_auth_reply(const NativeDecision& d);

}  // namespace ebb::server

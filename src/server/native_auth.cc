#include "server/native_auth.h"

#include <nlohmann/json.hpp>

#include "base/crypto.h"

namespace ebb::server {

void FailureLimiter::expire(std::deque<MonoTime>& q, MonoTime now) const {
  while (!q.empty() && now - q.front() >= window_) q.pop_front();
}

int64_t FailureLimiter::blocked_for(const std::string& addr, MonoTime now) {
  std::lock_guard lk(mu_);
  auto it = failures_.find(addr);
  if (it == failures_.end()) return 0;
  expire(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return 0;
  }
  if (it->second.size() < max_) return 0;
  auto left = std::chrono::duration_cast<std::chrono::seconds>(it->second.front() + window_ - now).count();
  return left < 1 ? 1 : left;
}

void FailureLimiter::record_failure(const std::string& addr, MonoTime now) {
  std::lock_guard lk(mu_);
  if (failures_.size() >= max_addresses_ && !failures_.contains(addr)) {
    // Bounded memory: forget addresses whose failures are all old, else the whole table
    // (a flood from that many addresses is beyond what a per-address limit can stop).
    for (auto it = failures_.begin(); it != failures_.end();) {
      expire(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
    if (failures_.size() >= max_addresses_) failures_.clear();
  }
  auto& q = failures_[addr];
  expire(q, now);
  q.push_back(now);
  while (q.size() > max_) q.pop_front();  // only the newest max_ matter
}

NativeAuth::NativeAuth(http::AuthMode mode, const Clock& clock, TokenStore* tokens, http::SigV4Options sigv4,
                       http::SecretLookup admin_lookup)
    : mode_(mode), clock_(clock), tokens_(tokens), sigv4_(std::move(sigv4), std::move(admin_lookup)) {}

NativeDecision NativeAuth::identify(const http::HttpRequest& req, bool& presented) {
  NativeDecision d;
  presented = false;
  std::string_view authz = req.header("Authorization");
  if (authz.size() > 7 && (authz.substr(0, 7) == "Bearer " || authz.substr(0, 7) == "bearer ")) {
    presented = true;
    std::string_view tok = authz.substr(7);
    while (!tok.empty() && tok.front() == ' ') tok.remove_prefix(1);
    while (!tok.empty() && tok.back() == ' ') tok.remove_suffix(1);
    if (tokens_)
      if (auto info = tokens_->check(tok)) {
        d.scope = info->scope;
        d.who = "token " + info->id;
        return d;
      }
    d.status = 401;
    d.code = "Unauthorized";
    d.message = "the bearer token is not valid: unknown, revoked or expired";
    return d;
  }
  if (!authz.empty() || req.query.find("X-Amz-Signature=") != std::string::npos) {
    presented = true;
    auto id = sigv4_.verify(req, clock_.wall_now());
    if (id.ok()) {
      d.scope = Scope::Admin;
      d.who = "key " + id->access_key_id;
      return d;
    }
    d.status = 401;
    d.code = "Unauthorized";
    d.message = std::string(code_info(id.error().code).query_code) + ": " + id.error().message +
                " (the native API accepts SigV4 with service \"ebb\" signed by the admin key, or a bearer token)";
    return d;
  }
  if (!cookie_value(req, session_cookie_name(tls_)).empty()) {
    if (auto s = session_of(req)) {
      d.scope = s->scope;
      d.who = "session of token " + s->token_id;
      if (req.method != "GET" && req.method != "HEAD" &&
          !constant_time_equal(req.header("X-CSRF-Token"), s->csrf)) {
        d.status = 403;
        d.code = "AccessDenied";
        d.message = "the X-CSRF-Token header is missing or wrong (dashboard session)";
      }
      return d;
    }
    d.status = 401;
    d.code = "Unauthorized";
    d.message = "the dashboard session has ended (12 h idle, token revoked or expired, or ebbd restarted): log in again";
    return d;
  }
  d.status = 401;
  d.code = "Unauthorized";
  d.message =
      "authentication required: send a bearer token (ebb token create; the CLI takes --token or EBB_TOKEN) "
      "or sign with SigV4, service \"ebb\", using the admin key in <data dir>/credentials";
  return d;
}

NativeDecision NativeAuth::check(const http::HttpRequest& req) {
  if (mode_ == http::AuthMode::None) return {};
  const MonoTime now = clock_.mono_now();
  if (int64_t wait = limiter_.blocked_for(req.remote_addr, now); wait > 0) {
    NativeDecision d;
    d.status = 429;
    d.code = "TooManyRequests";
    d.message = "too many failed authentication attempts from " + req.remote_addr + "; try again in " +
                std::to_string(wait) + " s";
    d.retry_after_s = wait;
    return d;
  }
  bool presented = false;
  NativeDecision d = identify(req, presented);
  if (d.status != 200) {
    if (presented) limiter_.record_failure(req.remote_addr, now);
    return d;
  }
  if (d.status == 200 && !scope_allows(d.scope, req.method, req.path)) {
    d.status = 403;
    d.code = "AccessDenied";
    d.message = "a " + std::string(scope_name(d.scope)) + " token may not " + req.method + " " + req.path +
                (is_token_path(req.path) ? " (token management needs the admin scope)"
                                         : " (only GET needs no more than read; ebb token create --scope write)");
  }
  return d;
}

std::string NativeAuth::cookie_value(const http::HttpRequest& req, std::string_view name) {
  for (const auto& [k, v] : req.headers) {
    if (!http::iequals(k, "Cookie")) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      size_t semi = rest.find(';');
      std::string_view part = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=')
        return std::string(part.substr(name.size() + 1));
    }
  }
  return "";
}

NativeAuth::Login NativeAuth::login(const http::HttpRequest& req, std::string_view token) {
  Login out;
  const MonoTime now = clock_.mono_now();
  if (int64_t wait = limiter_.blocked_for(req.remote_addr, now); wait > 0) {
    out.d.status = 429;
    out.d.code = "TooManyRequests";
    out.d.message = "too many failed authentication attempts from " + req.remote_addr + "; try again in " +
                    std::to_string(wait) + " s";
    out.d.retry_after_s = wait;
    return out;
  }
  std::optional<TokenInfo> info;
  if (tokens_) info = tokens_->check(token);
  if (!info) {
    limiter_.record_failure(req.remote_addr, now);
    out.d.status = 401;
    out.d.code = "Unauthorized";
    out.d.message = "the token is not valid: unknown, revoked or expired";
    return out;
  }
  out.session_id = base64url_encode(random_bytes(32));
  out.csrf = base64url_encode(random_bytes(32));
  out.d.scope = info->scope;
  out.d.who = "token " + info->id;
  std::lock_guard lk(sessions_mu_);
  if (sessions_.size() >= kMaxSessions) {
    for (auto it = sessions_.begin(); it != sessions_.end();)
      it = now - it->second.last_used >= kSessionIdle ? sessions_.erase(it) : std::next(it);
    if (sessions_.size() >= kMaxSessions) {
      // Drop the least recently used one.
      auto oldest = sessions_.begin();
      for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
        if (it->second.last_used < oldest->second.last_used) oldest = it;
      sessions_.erase(oldest);
    }
  }
  sessions_[sha256_hex(out.session_id)] = Session{info->id, info->scope, out.csrf, now};
  return out;
}

std::optional<Session> NativeAuth::session_of(const http::HttpRequest& req) {
  std::string sid = cookie_value(req, session_cookie_name(tls_));
  if (sid.empty() || sid.size() > 128) return std::nullopt;
  const std::string key = sha256_hex(sid);
  const MonoTime now = clock_.mono_now();
  std::lock_guard lk(sessions_mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.last_used >= kSessionIdle || !tokens_ || !tokens_->live(it->second.token_id)) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second;
}

void NativeAuth::logout(const http::HttpRequest& req) {
  std::string sid = cookie_value(req, session_cookie_name(tls_));
  if (sid.empty()) return;
  std::lock_guard lk(sessions_mu_);
  sessions_.erase(sha256_hex(sid));
}

std::string session_cookie(const std::string& session_id, bool tls) {
  return std::string(session_cookie_name(tls)) + "=" + session_id + (tls ? "; Secure" : "") +
         "; Path=/; HttpOnly; SameSite=Strict";
}

std::string expired_session_cookie(bool tls) {
  return std::string(session_cookie_name(tls)) + "=" + (tls ? "; Secure" : "") +
         "; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
}

http::HttpResponse native_auth_reply(const NativeDecision& d) {
  http::HttpResponse r;
  r.status = d.status;
  r.content_type = "application/json";
  nlohmann::json body = {{"error", {{"code", d.code}, {"message", d.message}, {"details", {d.message}}}}};
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  r.error_code = d.code;
  if (d.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"ebb\"");
  if (d.status == 429) r.headers.emplace_back("Retry-After", std::to_string(d.retry_after_s));
  return r;
}

}  // namespace ebb::server

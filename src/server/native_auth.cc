#include "server/native_auth.h"

#include <nlohmann/json.hpp>

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

NativeDecision NativeAuth::identify(const http::HttpRequest& req, bool& presented) const {
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
  if (!scope_allows(d.scope, req.method, req.path)) {
    d.status = 403;
    d.code = "AccessDenied";
    d.message = "a " + std::string(scope_name(d.scope)) + " token may not " + req.method + " " + req.path +
                (is_token_path(req.path) ? " (token management needs the admin scope)"
                                         : " (only GET needs no more than read; ebb token create --scope write)");
  }
  return d;
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

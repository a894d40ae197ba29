#include "server/token_routes.h"

#include <nlohmann/json.hpp>

#include "api/admin/admin_reply.h"
#include "base/rfc3339.h"

namespace ebb::server {
namespace {

using nlohmann::json;

http::HttpResponse tagged(http::HttpResponse r, const char* action) {
  r.api = "native";
  r.action = action;
  return r;
}

json view(const TokenInfo& t, int64_t now_ms) {
  return {{"id", t.id},
          {"name", t.name},
          {"scope", scope_name(t.scope)},
          {"createdAt", rfc3339_s(t.created_ms)},
          {"expiresAt", rfc3339_s(t.expires_ms)},
          {"expired", t.expires_ms <= now_ms}};
}

// Answers `r` once the commit covering `t` is durable (500 if the store failed).
void when_durable(Committer& committer, Token t, http::HttpResponse r, http::Respond done) {
  committer.when_durable(t, [r = std::move(r), done = std::move(done)](bool ok) mutable {
    if (ok) return done(std::move(r));
    done(tagged(admin::error_reply(Code::InternalError, "the store failed; the change may not be durable"), "tokens"));
  });
}

}  // namespace

void handle_token_request(const http::HttpRequest& req, TokenStore& tokens, Committer& committer, const Clock& clock,
                          http::Respond done) {
  const int64_t now = clock.now_ms();
  if (req.path == "/api/v1/tokens" && (req.method == "GET" || req.method == "HEAD")) {
    json items = json::array();
    for (const auto& t : tokens.list()) items.push_back(view(t, now));
    return done(tagged(admin::json_reply(200, {{"items", items}}), "tokens_list"));
  }
  if (req.path == "/api/v1/tokens" && req.method == "POST") {
    json b = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
    if (b.is_discarded() || !b.is_object())
      return done(tagged(admin::error_reply(Code::Invalid, "the body must be a JSON object {\"scope\", "
                                                           "\"expiresInSeconds\", \"name\"}"),
                         "tokens_create"));
    for (auto& [k, _] : b.items())
      if (k != "scope" && k != "expiresInSeconds" && k != "name")
        return done(tagged(admin::error_reply(Code::Invalid, k + ": unknown field (scope, expiresInSeconds, name)"),
                           "tokens_create"));
    std::string scope_s = "read";
    if (b.contains("scope")) {
      if (!b["scope"].is_string())
        return done(tagged(admin::error_reply(Code::Invalid, "scope must be read, write or admin"), "tokens_create"));
      scope_s = b["scope"].get<std::string>();
    }
    auto scope = parse_scope(scope_s);
    if (!scope)
      return done(tagged(admin::error_reply(Code::Invalid, "scope must be read, write or admin, not \"" + scope_s + "\""),
                         "tokens_create"));
    int64_t ttl = TokenStore::kDefaultTtlSeconds;
    if (b.contains("expiresInSeconds")) {
      if (!b["expiresInSeconds"].is_number_integer())
        return done(tagged(admin::error_reply(Code::Invalid, "expiresInSeconds must be an integer"), "tokens_create"));
      ttl = b["expiresInSeconds"].get<int64_t>();
    }
    std::string name;
    if (b.contains("name")) {
      if (!b["name"].is_string())
        return done(tagged(admin::error_reply(Code::Invalid, "name must be a string"), "tokens_create"));
      name = b["name"].get<std::string>();
    }
    auto made = tokens.create(*scope, ttl, std::move(name));
    if (!made.ok()) return done(tagged(admin::error_reply(made.error()), "tokens_create"));
    json v = view(made->info, now);
    v["token"] = made->secret;
    auto r = tagged(admin::json_reply(201, v), "tokens_create");
    r.headers.emplace_back("Cache-Control", "no-store");
    return when_durable(committer, made->commit, std::move(r), std::move(done));
  }
  if (req.path.starts_with("/api/v1/tokens/") && req.method == "DELETE") {
    std::string id = req.path.substr(std::string_view("/api/v1/tokens/").size());
    auto gone = tokens.revoke(id);
    if (!gone.ok()) return done(tagged(admin::error_reply(gone.error()), "tokens_revoke"));
    return when_durable(committer, *gone, tagged(admin::json_reply(200, {{"deleted", "token/" + id}}), "tokens_revoke"),
                        std::move(done));
  }
  auto r = admin::error_reply(Code::Invalid, "use GET or POST /api/v1/tokens, DELETE /api/v1/tokens/ID");
  r.status = 405;
  return done(tagged(std::move(r), "tokens"));
}

}  // namespace ebb::server

#include "server/key_routes.h"

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

http::HttpResponse invalid(std::string message) {
  return tagged(admin::error_reply(Code::Invalid, std::move(message)), "keys_create");
}

json view(const AccessKeyInfo& k, int64_t now_ms) {
  return {{"id", k.id},
          {"name", k.name},
          {"role", sqs::key_role_name(k.role)},
          {"queues", k.queues},
          {"createdAt", rfc3339_s(k.created_ms)},
          {"expiresAt", k.expires_ms == 0 ? json(nullptr) : json(rfc3339_s(k.expires_ms))},
          {"expired", k.expires_ms != 0 && k.expires_ms <= now_ms}};
}

void when_durable(Committer& committer, Token t, http::HttpResponse r, http::Respond done) {
  committer.when_durable(t, [r = std::move(r), done = std::move(done)](bool ok) mutable {
    if (ok) return done(std::move(r));
    done(tagged(admin::error_reply(Code::InternalError, "the store failed; the change may not be durable"), "keys"));
  });
}

}  // namespace

bool is_key_path(std::string_view path) { return path == "/api/v1/keys" || path.starts_with("/api/v1/keys/"); }

void handle_key_request(const http::HttpRequest& req, AccessKeyStore& keys, Committer& committer, const Clock& clock,
                        http::Respond done) {
  const int64_t now = clock.now_ms();
  if (req.path == "/api/v1/keys" && (req.method == "GET" || req.method == "HEAD")) {
    json items = json::array();
    for (const auto& k : keys.list()) items.push_back(view(k, now));
    return done(tagged(admin::json_reply(200, {{"items", items}}), "keys_list"));
  }
  if (req.path == "/api/v1/keys" && req.method == "POST") {
    json b = req.body.empty() ? json::object() : json::parse(req.body, nullptr, false);
    if (b.is_discarded() || !b.is_object())
      return done(invalid("the body must be a JSON object {\"role\", \"queues\", \"expiresInSeconds\", \"name\"}"));
    for (auto& [k, _] : b.items())
      if (k != "role" && k != "queues" && k != "expiresInSeconds" && k != "name")
        return done(invalid(k + ": unknown field (role, queues, expiresInSeconds, name)"));
    if (!b.contains("role") || !b["role"].is_string())
      return done(invalid("role is required: admin, producer or consumer"));
    const std::string role_s = b["role"].get<std::string>();
    auto role = sqs::parse_key_role(role_s);
    if (!role) return done(invalid("role must be admin, producer or consumer, not \"" + role_s + "\""));
    std::vector<std::string> queues;
    if (b.contains("queues")) {
      if (!b["queues"].is_array()) return done(invalid("queues must be a list of queue-name patterns"));
      for (const auto& q : b["queues"]) {
        if (!q.is_string()) return done(invalid("queues must be a list of queue-name patterns (strings)"));
        queues.push_back(q.get<std::string>());
      }
    }
    int64_t ttl = 0;
    if (b.contains("expiresInSeconds") && !b["expiresInSeconds"].is_null()) {
      if (!b["expiresInSeconds"].is_number_integer() || b["expiresInSeconds"].get<int64_t>() <= 0)
        return done(invalid("expiresInSeconds must be a positive integer (leave it out: the key never expires)"));
      ttl = b["expiresInSeconds"].get<int64_t>();
    }
    std::string name;
    if (b.contains("name")) {
      if (!b["name"].is_string()) return done(invalid("name must be a string"));
      name = b["name"].get<std::string>();
    }
    auto made = keys.create(*role, std::move(queues), ttl, std::move(name));
    if (!made.ok()) return done(tagged(admin::error_reply(made.error()), "keys_create"));
    json v = view(made->info, now);
    v["accessKeyId"] = made->info.id;
    v["secretAccessKey"] = made->secret;
    auto r = tagged(admin::json_reply(201, v), "keys_create");
    r.headers.emplace_back("Cache-Control", "no-store");
    return when_durable(committer, made->commit, std::move(r), std::move(done));
  }
  if (req.path.starts_with("/api/v1/keys/") && req.method == "DELETE") {
    std::string id = req.path.substr(std::string_view("/api/v1/keys/").size());
    auto gone = keys.revoke(id);
    if (!gone.ok()) return done(tagged(admin::error_reply(gone.error()), "keys_revoke"));
    return when_durable(committer, *gone, tagged(admin::json_reply(200, {{"deleted", "key/" + id}}), "keys_revoke"),
                        std::move(done));
  }
  auto r = admin::error_reply(Code::Invalid, "use GET or POST /api/v1/keys, DELETE /api/v1/keys/ID");
  r.status = 405;
  return done(tagged(std::move(r), "keys"));
}

}  // namespace ebb::server

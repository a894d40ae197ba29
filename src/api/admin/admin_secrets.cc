// Native API routes for secrets (docs/api.md "Secrets", reliability.md §4.7):
//   GET /secrets, GET /secrets/NAME        metadata only: names, keys, sizes, times
//   PUT /secrets/NAME {"data": {KEY: base64}}   create or replace (the whole key set)
//   DELETE /secrets/NAME
// No route returns a value: secrets are write-only through the API.
#include <nlohmann/json.hpp>

#include "api/admin/admin_api.h"
#include "api/admin/admin_reply.h"
#include "base/crypto.h"
#include "store/secret_store.h"

namespace ebb::admin {

bool AdminApi::handle_secrets(const std::vector<std::string>& s, const http::HttpRequest& req, http::Respond respond) {
  if (s.empty() || s[0] != "secrets" || s.size() > 2) return false;
  auto out = [respond](http::HttpResponse r) {
    r.api = "native";
    r.action = "secrets";
    respond(std::move(r));
  };
  SecretStore* secrets = controllers_.secrets;
  if (!secrets) return out(error_reply(Code::ServiceUnavailable, "secrets are not available on this server")), true;
  const std::string& m = req.method;
  auto not_allowed = [] {
    auto r = error_reply(Code::Invalid, "method not allowed on this resource");
    r.status = 405;
    return r;
  };
  if (s.size() == 1) return out(m == "GET" ? json_reply(200, secrets->list()) : not_allowed()), true;
  const std::string& name = s[1];
  if (m == "GET") {
    auto g = secrets->get(name);
    return out(g.ok() ? json_reply(200, *g) : error_reply(g.error())), true;
  }
  if (m == "DELETE") {
    auto t = secrets->remove(name);
    if (!t.ok()) return out(error_reply(t.error())), true;
    answer_when_durable(*t, json_reply(200, {{"deleted", "secret/" + name}}), out);
    return true;
  }
  if (m != "PUT") return out(not_allowed()), true;
  // The body is never echoed, logged or put into an error message: it holds the values.
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (!body.is_object() || !body.contains("data") || !body["data"].is_object())
    return out(error_reply(Code::Invalid, "body must be {\"data\": {KEY: base64 value, ...}}")), true;
  std::map<std::string, std::string> data;
  for (auto& [k, v] : body["data"].items()) {
    std::optional<std::string> raw = v.is_string() ? base64_decode(v.get<std::string>()) : std::nullopt;
    if (!raw) return out(error_reply(Code::Invalid, "data." + k + ": must be a base64 string (standard alphabet, padded)")), true;
    data[k] = std::move(*raw);
  }
  auto r = secrets->put(name, data);
  if (!r.ok()) return out(error_reply(r.error())), true;
  const int status = r->first == "created" ? 201 : 200;
  answer_when_durable(r->second, json_reply(status, {{"secret", "secret/" + name}, {"action", r->first}}), out);
  return true;
}

}  // namespace ebb::admin

// ebb token create|list|revoke (docs/cli.md, docs/security.md): bearer tokens for the
// native API, the CLI and /metrics. Managing tokens needs the admin scope (the admin
// key in <data dir>/credentials, or an admin token). `create` prints the token once,
// alone on stdout; nothing keeps it but the caller.
#include <cstdio>

#include "cli/commands.h"
#include "cli/table.h"

namespace ebb::cli {

std::optional<int64_t> parse_token_expiry(const std::string& s) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  int64_t mult = 1;
  std::string digits = s;
  switch (s.back()) {
    case 'd': mult = 86400; digits.pop_back(); break;
    case 'h': mult = 3600; digits.pop_back(); break;
    case 'm': mult = 60; digits.pop_back(); break;
    case 's': digits.pop_back(); break;
    default: break;
  }
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  for (char c : digits)
    if (c < '0' || c > '9') return std::nullopt;
  return std::stoll(digits) * mult;
}

int run_token(ApiClient& api, const TokenOptions& o) {
  if (o.verb == "create") {
    nlohmann::json body = {{"scope", o.scope}};
    if (!o.expires.empty()) {
      auto ttl = parse_token_expiry(o.expires);
      if (!ttl || *ttl <= 0)
        return report(usage_error("--expires \"" + o.expires + "\": use a positive count of d, h, m or s (90d, 12h, 30m)"));
      body["expiresInSeconds"] = *ttl;
    }
    if (!o.name.empty()) body["name"] = o.name;
    Outcome<nlohmann::json> r = api.post("/api/v1/tokens", body);
    if (!r.ok()) return report(r.error());
    std::printf("%s\n", r->value("token", "").c_str());
    std::fprintf(stderr,
                 "token %s (scope %s) expires %s. It is shown only now: keep it safe. Use it with "
                 "ebb --token or EBB_TOKEN, or as the HTTP header \"Authorization: Bearer <token>\".\n",
                 r->value("id", "").c_str(), r->value("scope", "").c_str(), r->value("expiresAt", "").c_str());
    return 0;
  }
  if (o.verb == "list") {
    Outcome<nlohmann::json> r = api.get("/api/v1/tokens");
    if (!r.ok()) return report(r.error());
    if (o.output == "json") {
      std::printf("%s\n", dump_json(*r, 2).c_str());
      return 0;
    }
    Table t({"ID", "NAME", "SCOPE", "CREATED", "EXPIRES"});
    for (const auto& it : r->value("items", nlohmann::json::array()))
      t.add_row({it.value("id", ""), it.value("name", ""), it.value("scope", ""), it.value("createdAt", ""),
                 it.value("expiresAt", "") + (it.value("expired", false) ? " (expired)" : "")});
    std::fputs(t.render(o.no_headers).c_str(), stdout);
    return 0;
  }
  if (o.verb == "revoke") {
    if (o.id.empty()) return report(usage_error("revoke needs a token id", "ebb token list shows them (tok_…)"));
    Outcome<nlohmann::json> r = api.del("/api/v1/tokens/" + api.escape(o.id));
    if (!r.ok()) return report(r.error());
    std::printf("token/%s revoked\n", o.id.c_str());
    return 0;
  }
  return report(usage_error("ebb token create|list|revoke"));
}

}  // namespace ebb::cli

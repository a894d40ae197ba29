// ebb key create|list|revoke: access keys for the SQS API with a role and queue
// patterns (reliability.md §3.2 step 12). Managing keys needs the admin scope (the
// admin key in <data dir>/credentials, or an admin token). `create` prints the key pair
// once on stdout, in a form a shell or an AWS credentials file takes as is; nothing
// else ever shows the secret.
#include "cli/cmd_key.h"

#include <cstdio>

#include "cli/commands.h"
#include "cli/table.h"

namespace ebb::cli {
namespace {

// A profile name for the credentials form: the key's name when it is a plain word.
std::string profile_name(const std::string& name, const std::string& id) {
  if (name.empty() || name.size() > 64) return id;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
          c == '.'))
      return id;
  return name;
}

std::string queues_text(const nlohmann::json& k) {
  std::string out;
  for (const auto& q : k.value("queues", nlohmann::json::array()))
    if (q.is_string()) out += (out.empty() ? "" : ",") + q.get<std::string>();
  return out.empty() ? "*" : out;
}

std::string expires_text(const nlohmann::json& k) {
  if (!k.contains("expiresAt") || !k["expiresAt"].is_string()) return "never";
  return k["expiresAt"].get<std::string>() + (k.value("expired", false) ? " (expired)" : "");
}

}  // namespace

int run_key(ApiClient& api, const KeyOptions& o) {
  if (o.verb == "create") {
    if (o.role.empty()) return report(usage_error("--role is required: admin, producer or consumer"));
    nlohmann::json body = {{"role", o.role}, {"queues", o.queues}};
    if (!o.expires.empty()) {
      auto ttl = parse_token_expiry(o.expires);
      if (!ttl || *ttl <= 0)
        return report(usage_error("--expires \"" + o.expires + "\": use a positive count of d, h, m or s (90d, 12h, 30m)"));
      body["expiresInSeconds"] = *ttl;
    }
    if (!o.name.empty()) body["name"] = o.name;
    Outcome<nlohmann::json> r = api.post("/api/v1/keys", body);
    if (!r.ok()) return report(r.error());
    const std::string id = r->value("accessKeyId", ""), secret = r->value("secretAccessKey", "");
    if (o.format == "credentials")
      std::printf("[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
                  profile_name(o.name, id).c_str(), id.c_str(), secret.c_str());
    else
      std::printf("export AWS_ACCESS_KEY_ID=%s\nexport AWS_SECRET_ACCESS_KEY=%s\n", id.c_str(), secret.c_str());
    std::fprintf(stderr,
                 "access key %s (role %s, queues %s) expires %s. The secret is shown only now: keep it safe. "
                 "It is for the SQS API (any AWS SDK or CLI with --endpoint-url).\n",
                 id.c_str(), r->value("role", "").c_str(), queues_text(*r).c_str(), expires_text(*r).c_str());
    return 0;
  }
  if (o.verb == "list") {
    Outcome<nlohmann::json> r = api.get("/api/v1/keys");
    if (!r.ok()) return report(r.error());
    if (o.output == "json") {
      std::printf("%s\n", dump_json(*r, 2).c_str());
      return 0;
    }
    Table t({"ID", "NAME", "ROLE", "QUEUES", "CREATED", "EXPIRES"});
    for (const auto& k : r->value("items", nlohmann::json::array()))
      t.add_row({k.value("id", ""), k.value("name", ""), k.value("role", ""), queues_text(k), k.value("createdAt", ""),
                 expires_text(k)});
    std::fputs(t.render(o.no_headers).c_str(), stdout);
    return 0;
  }
  if (o.verb == "revoke") {
    if (o.id.empty()) return report(usage_error("revoke needs an access key id", "ebb key list shows them (EBB…)"));
    Outcome<nlohmann::json> r = api.del("/api/v1/keys/" + api.escape(o.id));
    if (!r.ok()) return report(r.error());
    std::printf("key/%s revoked\n", o.id.c_str());
    return 0;
  }
  return report(usage_error("ebb key create|list|revoke"));
}

}  // namespace ebb::cli

// ebb apply -f FILE|DIR|- [--dry-run=client|server] (ecosystem.md §3.2): parse and
// validate every document locally (the same library ebbd uses) so that mistakes are
// reported before the server is contacted, then POST /api/v1/apply.
#include <cctype>
#include <cstdio>

#include "cli/commands.h"
#include "cli/manifest_files.h"
#include "manifest/manifest.h"

namespace ebb::cli {
namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

CliError invalid(const std::string& message) {
  CliError e{kExitRefused, "", {}, ""};
  std::size_t p = 0;
  while (p <= message.size()) {
    std::size_t n = message.find('\n', p);
    if (n == std::string::npos) n = message.size();
    e.details.push_back(message.substr(p, n - p));
    p = n + 1;
  }
  e.message = "the manifests are invalid (" + std::to_string(e.details.size()) +
              (e.details.size() == 1 ? " error" : " errors") + "); nothing was applied";
  for (const std::string& d : e.details) {
    if (d.find("hint: quote") != std::string::npos) {
      e.hint = "YAML reads unquoted on/off/yes/no, numbers and dates as non-strings; quote such values";
      break;
    }
  }
  return e;
}

// Client dry run: ask the server whether each object exists, to say created or
// configured; without a server, say only that the documents are valid.
int client_dry_run(ApiClient& api, const std::vector<manifest::Validated>& docs) {
  for (const auto& v : docs) {
    std::string action = "valid";
    if (v.kind == "Queue") {
      Outcome<nlohmann::json> got = api.get(api.queue_path(v.name));
      if (got.ok()) action = "configured";
      else if (is_not_found(got.error())) action = "created";
    }
    std::printf("%s/%s %s (dry run)\n", lower(v.kind).c_str(), v.name.c_str(), action.c_str());
  }
  return kExitOk;
}

}  // namespace

int run_apply(ApiClient& api, const ApplyOptions& o) {
  if (o.files.empty()) return report(usage_error("apply needs -f FILE, DIR or -"));
  Outcome<std::vector<ManifestText>> texts = read_manifests(o.files);
  if (!texts.ok()) return report(texts.error());

  std::vector<manifest::Document> docs;
  std::string errors;
  for (const ManifestText& m : *texts) {
    auto parsed = manifest::parse_file(m.text, m.source);
    if (!parsed.ok()) {
      errors += (errors.empty() ? "" : "\n") + parsed.error().message;
      continue;
    }
    for (auto& d : *parsed) docs.push_back(std::move(d));
  }
  if (!errors.empty()) return report(invalid(errors));
  auto validated = manifest::validate_all(docs);
  if (!validated.ok()) return report(invalid(validated.error().message));
  for (const auto& v : *validated) {
    for (const std::string& w : v.warnings) {
      std::fprintf(stderr, "warning: %s/%s: %s\n", lower(v.kind).c_str(), v.name.c_str(), w.c_str());
    }
  }
  if (o.dry_run == "client") return client_dry_run(api, *validated);

  nlohmann::json body = {{"items", nlohmann::json::array()}};
  for (const auto& v : *validated) body["items"].push_back(v.doc);
  const bool server_dry = o.dry_run == "server";
  Outcome<nlohmann::json> r = api.post(server_dry ? "/api/v1/apply?dryRun=true" : "/api/v1/apply", body);
  if (!r.ok()) return report(r.error());
  const nlohmann::json& results = (*r)["results"];
  if (!results.is_array()) return report(CliError{kExitUnreachable, "apply: the server's answer has no results", {dump_json(*r)}, ""});
  for (const auto& res : results) {
    std::string kind = res.is_object() && res.contains("kind") && res["kind"].is_string() ? res["kind"].get<std::string>() : "?";
    std::string name = res.is_object() && res.contains("name") && res["name"].is_string() ? res["name"].get<std::string>() : "?";
    std::string action = res.is_object() && res.contains("action") && res["action"].is_string() ? res["action"].get<std::string>() : "?";
    std::printf("%s/%s %s%s\n", lower(kind).c_str(), name.c_str(), action.c_str(), server_dry ? " (server dry run)" : "");
  }
  return kExitOk;
}

}  // namespace ebb::cli

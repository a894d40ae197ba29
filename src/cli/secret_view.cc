#include "cli/secret_view.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>

#include "base/crypto.h"
#include "cli/cli_error.h"
#include "cli/resource_kind.h"

namespace ebb::cli {

std::vector<std::string> secret_row(const nlohmann::json& s, bool wide, TimePoint now) {
  std::string keys;
  int64_t bytes = 0;
  if (const nlohmann::json* k = find_at(s, {"status", "keys"}); k && k->is_array())
    for (const auto& key : *k)
      if (key.is_string()) keys += (keys.empty() ? "" : ",") + key.get<std::string>();
  if (const nlohmann::json* z = find_at(s, {"status", "sizes"}); z && z->is_object())
    for (const auto& [_, n] : z->items())
      if (n.is_number_integer()) bytes += n.get<int64_t>();
  std::vector<std::string> row = {object_name(s), keys.empty() ? "<none>" : keys, age_of(s, now)};
  if (wide) {
    row.push_back(std::to_string(bytes));
    row.push_back(age_since(string_at(s, {"status", "updated"}), now));
  }
  return row;
}

namespace {

Outcome<std::string> read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return CliError{kExitUsage, "cannot read " + path, {}, ""};
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (!f.good() && !f.eof()) return CliError{kExitUsage, "cannot read " + path, {}, ""};
  return data;
}

std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

int run_secret_create(ApiClient& api, const SecretCreateOptions& o) {
  if (o.from_file.empty() && o.from_stdin.empty())
    return report(usage_error("give the values with --from-file [KEY=]PATH or --from-stdin KEY",
                              "values are never taken from the command line (shell history, ps)"));
  std::map<std::string, std::string> data;
  for (const std::string& spec : o.from_file) {
    const size_t eq = spec.find('=');
    const std::string key = eq == std::string::npos ? base_name(spec) : spec.substr(0, eq);
    const std::string path = eq == std::string::npos ? spec : spec.substr(eq + 1);
    if (key.empty() || path.empty()) return report(usage_error("--from-file " + spec + ": expected [KEY=]PATH"));
    if (data.count(key)) return report(usage_error("key " + key + " given twice"));
    Outcome<std::string> v = read_all(path);
    if (!v.ok()) return report(v.error());
    data[key] = std::move(*v);
  }
  if (!o.from_stdin.empty()) {
    if (data.count(o.from_stdin)) return report(usage_error("key " + o.from_stdin + " given twice"));
    std::string v((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    // One trailing newline is what `echo` and editors add; it is not part of a password.
    if (!v.empty() && v.back() == '\n') v.pop_back();
    if (!v.empty() && v.back() == '\r') v.pop_back();
    data[o.from_stdin] = std::move(v);
  }
  nlohmann::json body = {{"data", nlohmann::json::object()}};
  for (auto& [k, v] : data) body["data"][k] = base64_encode(v);
  Outcome<nlohmann::json> r = api.put("/api/v1/secrets/" + api.escape(o.name), body);
  if (!r.ok()) return report(r.error());
  std::printf("secret/%s %s\n", o.name.c_str(), r->value("action", std::string("created")).c_str());
  return kExitOk;
}

}  // namespace ebb::cli

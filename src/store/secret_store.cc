#include "store/secret_store.h"

#include "base/crypto.h"
#include "base/rfc3339.h"

namespace ebb {

using nlohmann::json;

namespace {

// Kubernetes object names (DNS-1123 subdomain): lower-case alphanumerics, '-' and '.',
// starting and ending with an alphanumeric, at most 253 characters.
std::string check_name(const std::string& n) {
  if (n.empty()) return "must not be empty";
  if (n.size() > 253) return "must be at most 253 characters";
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  for (char c : n)
    if (!alnum(c) && c != '-' && c != '.')
      return "must consist of lower-case letters, digits, '-' and '.' (got \"" + n + "\")";
  if (!alnum(n.front()) || !alnum(n.back())) return "must start and end with a letter or digit";
  return "";
}

}  // namespace

std::string SecretStore::check_key(const std::string& key) {
  if (key.empty()) return "must not be empty";
  if (key.size() > 253) return "must be at most 253 characters";
  if (key == "." || key == "..") return "must not be \".\" or \"..\"";
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return "must consist of letters, digits, '-', '_' and '.'";
  return "";
}

SecretStore::SecretStore(Clock& clock, Committer& committer, SecretBox box)
    : clock_(clock), committer_(committer), box_(std::move(box)) {}

void SecretStore::load(const std::vector<RecordRow>& records) {
  std::lock_guard lk(mu_);
  for (const RecordRow& r : records) {
    if (r.kind != "secret") continue;
    json v = json::parse(r.value, nullptr, false);
    if (!v.is_object() || !v.contains("data") || !v["data"].is_object()) continue;
    Secret s;
    s.created_ms = v.value("created", int64_t{0});
    s.updated_ms = v.value("updated", s.created_ms);
    for (auto& [k, sealed] : v["data"].items()) {
      if (!sealed.is_string()) continue;
      s.sealed[k] = sealed.get<std::string>();
      // Sizes are metadata for `get secrets`; a value that no longer opens (another key
      // file) still lists, and a launch that needs it fails with a clear message.
      auto plain = box_.open(s.sealed[k], context(r.key, k));
      s.sizes[k] = plain.ok() ? plain->size() : 0;
    }
    secrets_[r.key] = std::move(s);
  }
}

Result<std::pair<std::string, Token>> SecretStore::put(const std::string& name,
                                                       const std::map<std::string, std::string>& data) {
  if (std::string why = check_name(name); !why.empty()) return err(Code::Invalid, "secret name: " + why);
  if (data.empty()) return err(Code::Invalid, "secret " + name + ": give at least one key");
  if (data.size() > kMaxKeys) return err(Code::Invalid, "secret " + name + ": at most " + std::to_string(kMaxKeys) + " keys");
  size_t total = 0;
  for (auto& [k, v] : data) {
    if (std::string why = check_key(k); !why.empty()) return err(Code::Invalid, "secret " + name + ": key \"" + k + "\" " + why);
    if (v.size() > kMaxValueBytes)
      return err(Code::Invalid, "secret " + name + ": key " + k + " is " + std::to_string(v.size()) +
                                    " bytes, more than the " + std::to_string(kMaxValueBytes) + " allowed");
    total += v.size();
  }
  if (total > kMaxTotalBytes)
    return err(Code::Invalid, "secret " + name + ": " + std::to_string(total) + " bytes in all, more than the " +
                                  std::to_string(kMaxTotalBytes) + " allowed");
  std::lock_guard lk(mu_);
  const int64_t now = clock_.wall_now().time_since_epoch().count();
  auto it = secrets_.find(name);
  if (it != secrets_.end() && it->second.sealed.size() == data.size()) {
    bool same = true;
    for (auto& [k, v] : data) {
      auto s = it->second.sealed.find(k);
      if (s == it->second.sealed.end()) { same = false; break; }
      auto plain = box_.open(s->second, context(name, k));
      if (!plain.ok() || !constant_time_equal(*plain, v)) { same = false; break; }
    }
    if (same) return std::make_pair(std::string("unchanged"), Token{0});
  }
  Secret s;
  s.created_ms = it != secrets_.end() ? it->second.created_ms : now;
  s.updated_ms = now;
  json sealed = json::object();
  for (auto& [k, v] : data) {
    s.sealed[k] = box_.seal(v, context(name, k));
    s.sizes[k] = v.size();
    sealed[k] = s.sealed[k];
  }
  const bool created = it == secrets_.end();
  secrets_[name] = std::move(s);
  Token t = committer_.append(
      op::PutRecord{"secret", name, json{{"data", sealed}, {"created", secrets_[name].created_ms}, {"updated", now}}.dump()});
  return std::make_pair(std::string(created ? "created" : "configured"), t);
}

Result<Token> SecretStore::remove(const std::string& name) {
  std::lock_guard lk(mu_);
  if (!secrets_.erase(name)) return err(Code::NotFound, "secret/" + name + " not found");
  return committer_.append(op::DeleteRecord{"secret", name});
}

json SecretStore::view(const std::string& name, const Secret& s) const {
  json keys = json::array(), sizes = json::object();
  for (auto& [k, n] : s.sizes) {
    keys.push_back(k);
    sizes[k] = n;
  }
  return {{"apiVersion", "ebb/v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"creationTimestamp", rfc3339_s(s.created_ms)}}},
          {"status", {{"keys", keys}, {"sizes", sizes}, {"updated", rfc3339_s(s.updated_ms)}}}};
}

json SecretStore::list() const {
  std::lock_guard lk(mu_);
  json items = json::array();
  for (auto& [n, s] : secrets_) items.push_back(view(n, s));
  return {{"items", items}};
}

Result<json> SecretStore::get(const std::string& name) const {
  std::lock_guard lk(mu_);
  auto it = secrets_.find(name);
  if (it == secrets_.end()) return err(Code::NotFound, "secret/" + name + " not found");
  return view(name, it->second);
}

bool SecretStore::has(const std::string& name, const std::string& key) const {
  std::lock_guard lk(mu_);
  auto it = secrets_.find(name);
  return it != secrets_.end() && it->second.sealed.count(key);
}

std::optional<std::string> SecretStore::value(const std::string& name, const std::string& key) const {
  std::lock_guard lk(mu_);
  auto it = secrets_.find(name);
  if (it == secrets_.end()) return std::nullopt;
  auto k = it->second.sealed.find(key);
  if (k == it->second.sealed.end()) return std::nullopt;
  auto plain = box_.open(k->second, context(name, key));
  if (!plain.ok()) return std::nullopt;
  return std::move(*plain);
}

}  // namespace ebb

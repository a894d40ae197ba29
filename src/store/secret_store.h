// SecretStore: named secrets for tasks and alarm webhooks (reliability.md §4.7). A
// secret is a small map key → value, like a Kubernetes Secret; manifests refer to one
// with `valueFrom.secretKeyRef {name, key, optional}` and never contain the value.
// Values are sealed with the SecretBox before they reach the store, and no method that
// the API uses returns one: only `value()`, called at task launch, opens them.
//
// Records: kind "secret", key NAME, value
//   {"data": {KEY: sealed}, "created": epoch ms, "updated": epoch ms}.
#pragma once
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "clock/clock.h"
#include "store/committer.h"
#include "store/secret_box.h"
#include "store/store.h"

namespace ebb {

class SecretStore {
 public:
  static constexpr size_t kMaxValueBytes = 64 * 1024;   // one key's value
  static constexpr size_t kMaxTotalBytes = 256 * 1024;  // all keys of one secret
  static constexpr size_t kMaxKeys = 64;

  SecretStore(Clock& clock, Committer& committer, SecretBox box);

  void load(const std::vector<RecordRow>& records);

  // Creates or replaces NAME with exactly `data` → ("created" | "configured"
  // | "unchanged", token). Invalid names the rule broken (name: DNS-1123 subdomain;
  // key: letters, digits, '-', '_', '.'; sizes above).
  Result<std::pair<std::string, Token>> put(const std::string& name, const std::map<std::string, std::string>& data);
  Result<Token> remove(const std::string& name);

  // Metadata only (name, keys, sizes, times) — never a value.
  nlohmann::json list() const;
  Result<nlohmann::json> get(const std::string& name) const;
  bool has(const std::string& name, const std::string& key) const;

  // The value of NAME/KEY, opened; nullopt when either is missing (or does not open).
  std::optional<std::string> value(const std::string& name, const std::string& key) const;

  static std::string check_key(const std::string& key);  // "" = valid, else why not

 private:
  struct Secret {
    std::map<std::string, std::string> sealed;  // key → sealed value
    std::map<std::string, size_t> sizes;        // key → plaintext bytes
    int64_t created_ms = 0, updated_ms = 0;
  };
  nlohmann::json view(const std::string& name, const Secret& s) const;
  static std::string context(const std::string& name, const std::string& key) { return "secret/" + name + "/" + key; }

  Clock& clock_;
  Committer& committer_;
  SecretBox box_;
  mutable std::mutex mu_;
  std::map<std::string, Secret> secrets_;
};

}  // namespace ebb

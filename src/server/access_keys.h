// Access keys for the SQS API with policies (reliability.md §3.2 step 12, §4.2;
// docs/security.md "Access keys"): `ebb key create --role admin|producer|consumer
// [--queue PATTERN…]` makes an AWS-style key pair — id "EBB" + 17 upper-case
// letters/digits, 40-character secret from the OS CSPRNG — shown once.
//
// Records: kind "access_key", key = the access key id, value
// {"name","role","queues":[…],"secret":<SecretBox-sealed>,"createdMs","expiresMs"}
// (expiresMs 0 = never). The secret is sealed with AES-256-GCM under the key file
// (SecretBox, context "access_key/<id>"), so a copied database alone yields no
// credentials. Every live key is held in memory in a hash map (secret and policy), so
// the per-request lookup is O(1) and reads no store; create and revoke update it.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/sqs/key_policy.h"
#include "base/result.h"
#include "clock/clock.h"
#include "store/committer.h"
#include "store/secret_box.h"
#include "store/store.h"

namespace ebb::server {

struct AccessKeyInfo {
  std::string id;    // the access key id (public)
  std::string name;  // free text for `ebb key list`
  sqs::KeyRole role = sqs::KeyRole::Consumer;
  std::vector<std::string> queues;  // globs; empty = every queue
  int64_t created_ms = 0;
  int64_t expires_ms = 0;  // 0 = never
};

class AccessKeyStore {
 public:
  static constexpr int64_t kMaxTtlSeconds = 3650LL * 24 * 3600;
  static constexpr size_t kMaxKeys = 1000;
  static constexpr size_t kMaxNameBytes = 200;

  AccessKeyStore(Clock& clock, Committer& committer, SecretBox box);
  // Rows of kind "access_key"; malformed rows and secrets that do not open with this
  // key file are skipped (counted by skipped()).
  void load(const std::vector<RecordRow>& records);

  struct Created {
    std::string secret;  // returned once; stored only sealed
    AccessKeyInfo info;
    Token commit = 0;    // durable once the committer reaches it
  };
  // ttl_seconds 0 = never expires, else 1 s .. 3650 days. Invalid: a bad pattern, more
  // than 50 patterns, a name too long or with control characters, kMaxKeys live keys.
  // Expired keys are deleted in the same commit.
  Result<Created> create(sqs::KeyRole role, std::vector<std::string> queues, int64_t ttl_seconds, std::string name);
  // Secret of a live (known, unexpired) key; nullopt otherwise. O(1).
  std::optional<std::string> secret_of(std::string_view id) const;
  // Policy of a live key; nullptr otherwise. O(1).
  std::shared_ptr<const sqs::KeyPolicy> policy_of(std::string_view id) const;
  std::vector<AccessKeyInfo> list() const;  // by creation time; never a secret
  // NotFound when no key has this id. Refused at once; durable at the returned token.
  Result<Token> revoke(std::string_view id);
  // Called with the id after a revoke (drops cached signing keys).
  void on_revoke(std::function<void(const std::string&)> f) { on_revoke_ = std::move(f); }
  size_t size() const;
  size_t skipped() const { return skipped_; }

 private:
  struct Entry {
    AccessKeyInfo info;
    std::string secret;
    std::string sealed;
    std::shared_ptr<const sqs::KeyPolicy> policy;
  };
  static std::string value_of(const Entry& e);
  bool live(const Entry& e, int64_t now) const { return e.info.expires_ms == 0 || e.info.expires_ms > now; }

  Clock& clock_;
  Committer& committer_;
  SecretBox box_;
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::function<void(const std::string&)> on_revoke_;
  size_t skipped_ = 0;
};

}  // namespace ebb::server

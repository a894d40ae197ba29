// ebbd's access keys (reliability.md §4.2): the admin key pair in a 0600 credentials
// file in the data dir, created on first start, and a KeyRing that answers "which
// secret belongs to this access key id" for the SigV4 verifier (admin key first, then
// the per-task keys of running tasks, which disappear when the task ends).
//
// The credentials file is an AWS shared-credentials file, so
//   AWS_SHARED_CREDENTIALS_FILE=<data dir>/credentials aws sqs list-queues ...
// works as is; the ebb CLI reads it too.
#pragma once
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace ebb::sqs {
struct KeyPolicy;
}

namespace ebb::server {

class AccessKeyStore;

struct AccessKey {
  std::string access_key_id;
  std::string secret;
};

inline constexpr std::string_view kCredentialsFileName = "credentials";

// A fresh admin key pair from the OS CSPRNG: id "EBB" + 17 upper-case letters/digits,
// 40-character secret.
AccessKey new_admin_key();

// The file's text for a key pair, and the [default] profile's key read back. Errors
// name the line.
std::string render_credentials_file(const AccessKey& key);
Result<AccessKey> parse_credentials_file(std::string_view text);

struct AdminCredentials {
  AccessKey key;
  std::string path;
  bool created = false;  // true: made now (print it once)
};

// Reads <data_dir>/credentials, or creates it (mode 0600, atomically) when absent.
// Refuses a file that is group- or world-accessible, with the chmod that fixes it.
Result<AdminCredentials> load_or_create_admin_credentials(const std::string& data_dir);

// Thread-safe: lookups come from every HTTP thread.
class KeyRing {
 public:
  using Provider = std::function<std::optional<std::string>(const std::string& access_key_id)>;
  void add_key(AccessKey key);
  // Providers (per-task keys of the service and job controllers) are asked in order
  // after the static keys. Add them before serving.
  void add_provider(Provider p);
  // Keys made by `ebb key create` (server/access_keys.h), asked after the static keys
  // and before the providers. Set before serving.
  void set_access_keys(const AccessKeyStore* keys) { access_keys_ = keys; }
  std::optional<std::string> secret_of(std::string_view access_key_id) const;
  // The key's SQS policy (reliability.md §3.2 step 12): nullopt for an unknown (e.g. just
  // revoked) key; a null pointer for a key with every right (the admin key, per-task keys).
  std::optional<std::shared_ptr<const sqs::KeyPolicy>> policy_of(std::string_view access_key_id) const;
  bool is_admin(std::string_view access_key_id) const;  // a static (admin) key

 private:
  mutable std::mutex mu_;
  std::vector<AccessKey> keys_;
  std::vector<Provider> providers_;
  const AccessKeyStore* access_keys_ = nullptr;
};

}  // namespace ebb::server

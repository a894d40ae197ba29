// SecretBox: authenticated encryption of secret values at rest (reliability.md §4.2,
// §4.7). AES-256-GCM (OpenSSL EVP) with a 256-bit key from a separate 0600 key file,
// so a copied database alone does not yield the values. Each sealed value carries its
// own random 96-bit nonce and is bound to a context string (e.g. "secret/db/password")
// as additional authenticated data, so a sealed value cannot be moved to another
// secret or key without failing to open.
#pragma once
#include <string>
#include <string_view>

#include "base/result.h"

namespace ebb {

class SecretBox {
 public:
  // Reads the key file (64 hex characters), or creates it (0600, fsynced, renamed into
  // place) when absent. Refuses a file readable or writable by group or others, naming
  // the chmod that fixes it, and a file of the wrong shape.
  static Result<SecretBox> load_or_create(const std::string& path);
  // A box over raw key bytes (32 bytes) — for tests and tools.
  static Result<SecretBox> from_key(std::string_view key);

  // base64(nonce ‖ ciphertext ‖ tag).
  std::string seal(std::string_view plaintext, std::string_view context) const;
  // Invalid when the text was altered, sealed for another context or with another key.
  Result<std::string> open(std::string_view sealed, std::string_view context) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;  // 32 bytes
};

}  // namespace ebb

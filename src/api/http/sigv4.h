// AWS Signature Version 4 verification (reliability.md §3). No I/O: the caller hands
// in the request, the wall-clock time and a secret lookup, and gets back the
// authenticated access key id or an Error whose Code is one of the §3.3 table
// (MissingAuthenticationToken, IncompleteSignature, InvalidClientTokenId,
// SignatureDoesNotMatch). The checks run in exactly the §3.2 order.
//
// Both places a signature can be are verified: the Authorization header and the
// presigned query string (X-Amz-Algorithm … X-Amz-Signature, with X-Amz-Expires);
// a request carrying both is IncompleteSignature.
#pragma once
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/http/http_message.h"
#include "base/result.h"
#include "clock/clock.h"

namespace ebb::http {

struct SigV4Options {
  std::vector<std::string> regions{"us-east-1"};  // regions this server answers for
  std::string service = "sqs";                     // "sqs" (SQS API) or "ebb" (native API)
  std::chrono::seconds max_skew{900};              // ±15 min
  std::chrono::seconds max_presign_expiry{604800}; // 7 days, as AWS
};

// Secret of an enabled access key, nullopt when unknown or disabled.
using SecretLookup = std::function<std::optional<std::string>(std::string_view access_key_id)>;

struct SigV4Identity {
  std::string access_key_id;
  bool presigned = false;
};

// What the server log records on a mismatch (never the response, unless --debug-auth).
struct SigV4Debug {
  std::string canonical_request;
  std::string string_to_sign;
};

// The parsed Authorization header or presigned query parameters (step 2).
struct SigV4Params {
  std::string access_key_id, date, region, service, terminator;
  std::string signed_headers;               // "host;x-amz-date"
  std::vector<std::string> signed_names;    // split signed_headers
  std::string signature;                    // 64 lowercase hex
  // presigned form only
  bool presigned = false;
  std::string amz_date;                     // X-Amz-Date parameter
  int64_t expires = 0;                      // X-Amz-Expires seconds
};

// Step 2 for the header form. Error: IncompleteSignature naming the problem.
Result<SigV4Params> parse_authorization(std::string_view header);

// Canonical-request pieces (exposed for tests and the fuzzer).
std::string sigv4_canonical_uri(std::string_view raw_path);
// `skip` names a parameter left out (X-Amz-Signature for presigned URLs). nullopt on a
// malformed percent escape.
std::optional<std::string> sigv4_canonical_query(std::string_view raw_query, std::string_view skip = {});
std::string sigv4_canonical_header_value(const HttpRequest& req, std::string_view name);

// "YYYYMMDDTHHMMSSZ" → seconds since the epoch; nullopt if malformed.
std::optional<int64_t> parse_amz_date(std::string_view s);
// IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" → seconds since the epoch.
std::optional<int64_t> parse_imf_fixdate(std::string_view s);
std::string format_amz_date(int64_t epoch_seconds);

// kSigning = HMAC chain over ("AWS4"+secret, date, region, service, "aws4_request").
std::string sigv4_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                              std::string_view service);

class SigV4Verifier {
 public:
  SigV4Verifier(SigV4Options opts, SecretLookup lookup);

  // Steps 1–11 of §3.2. `debug` (optional) receives the canonical request and string to
  // sign whenever they were built.
  Result<SigV4Identity> verify(const HttpRequest& req, WallTime now, SigV4Debug* debug = nullptr) const;

  // Drops cached signing keys of a key id (call when a key is revoked).
  void forget(std::string_view access_key_id) const;
  size_t cached_keys() const;
  const SigV4Options& options() const { return opts_; }

 private:
  std::string signing_key(std::string_view akid, std::string_view secret, std::string_view date,
                          std::string_view region, std::string_view service, int64_t now_s) const;

  SigV4Options opts_;
  SecretLookup lookup_;
  struct CachedKey {
    std::string key;
    std::string secret_digest;  // a changed secret must not reuse an old key
    int64_t created_s;
  };
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, CachedKey> cache_;  // "akid/date/region/service"
};

// Signs a request in the header form (adds X-Amz-Date and Authorization). Used by the
// CLI and by tests; signs host, x-amz-date, x-amz-target if present, content-type.
void sigv4_sign(HttpRequest& req, std::string_view access_key_id, std::string_view secret, std::string_view region,
                std::string_view service, int64_t now_s);

}  // namespace ebb::http

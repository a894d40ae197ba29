// Authentication stage in front of the SQS API (reliability.md §3, §4.2). With
// --auth sigv4 (the default) every SQS request is verified by SigV4Verifier (service
// "sqs"); with --auth none (loopback only) it only extracts the access key id, from
// the Authorization header or the presigned X-Amz-Credential query parameter.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "api/http/http_message.h"
#include "api/http/sigv4.h"
#include "base/result.h"

namespace ebb::http {

enum class AuthMode { None, SigV4 };

// "none" / "sigv4" → mode; nullopt otherwise.
std::optional<AuthMode> parse_auth_mode(std::string_view s);

// Access key id from "AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, ...".
// nullopt if the header is not SigV4 or has no Credential.
std::optional<std::string> access_key_from_authorization(std::string_view header);
// Access key id from a credential scope value "AKID/date/region/service/aws4_request".
std::optional<std::string> access_key_from_credential(std::string_view credential);

struct AuthResult {
  std::string access_key_id;  // "" when the request carried none
};

class AuthStage {
 public:
  // `lookup` answers secrets for SigV4 (unused with AuthMode::None).
  explicit AuthStage(AuthMode mode, SigV4Options sqs = {}, SecretLookup lookup = {});
  AuthMode mode() const { return mode_; }
  // SigV4: the §3.2 checks (errors carry the §3.3 codes). None: accepts everything.
  // `debug` receives the canonical request and string to sign for the server log.
  Result<AuthResult> authenticate(const HttpRequest& req, WallTime now, SigV4Debug* debug = nullptr) const;
  const SigV4Verifier& sqs_verifier() const { return sqs_; }
  // --debug-auth: signature mismatches answer with the canonical request and string to sign.
  void set_debug_auth(bool on) { debug_auth_ = on; }
  bool debug_auth() const { return debug_auth_; }

 private:
  AuthMode mode_;
  SigV4Verifier sqs_;
  bool debug_auth_ = false;
};

}  // namespace ebb::http

// Authentication stage in front of the SQS API (reliability.md §3, §4.2). For now it
// only extracts the access key id (from the Authorization header or the presigned
// X-Amz-Credential query parameter) and accepts any signature; SigV4 verification
// slots into authenticate() later without touching the router.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "api/http/http_message.h"
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
  explicit AuthStage(AuthMode mode) : mode_(mode) {}
  AuthMode mode() const { return mode_; }
  // Both modes accept every signature until verification lands (a start-up warning says so).
  Result<AuthResult> authenticate(const HttpRequest& req) const;

 private:
  AuthMode mode_;
};

}  // namespace ebb::http

#include "api/http/auth_stage.h"

#include "api/http/query_string.h"

namespace ebb::http {

std::optional<AuthMode> parse_auth_mode(std::string_view s) {
  if (s == "none") return AuthMode::None;
  if (s == "sigv4") return AuthMode::SigV4;
  return std::nullopt;
}

std::optional<std::string> access_key_from_credential(std::string_view credential) {
  size_t slash = credential.find('/');
  if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
  return std::string(credential.substr(0, slash));
}

std::optional<std::string> access_key_from_authorization(std::string_view header) {
  constexpr std::string_view kScheme = "AWS4-HMAC-SHA256";
  if (!header.starts_with(kScheme)) return std::nullopt;
  std::string_view rest = header.substr(kScheme.size());
  if (rest.empty() || (rest[0] != ' ' && rest[0] != '\t')) return std::nullopt;
  // Components are comma separated, optional whitespace around them, any order.
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view part = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    constexpr std::string_view kCred = "Credential=";
    if (part.starts_with(kCred)) return access_key_from_credential(part.substr(kCred.size()));
  }
  return std::nullopt;
}

AuthStage::AuthStage(AuthMode mode, SigV4Options sqs, SecretLookup lookup)
    : mode_(mode), sqs_(std::move(sqs), std::move(lookup)) {}

Result<AuthResult> AuthStage::authenticate(const HttpRequest& req, WallTime now, SigV4Debug* debug) const {
  AuthResult r;
  if (mode_ == AuthMode::SigV4) {
    EBB_TRY(SigV4Identity id, sqs_.verify(req, now, debug));
    r.access_key_id = std::move(id.access_key_id);
    return r;
  }
  auto authz = req.header("Authorization");
  if (!authz.empty()) {
    if (auto id = access_key_from_authorization(authz)) r.access_key_id = *id;
  } else if (auto cred = query_param(req.query, "X-Amz-Credential")) {
    if (auto id = access_key_from_credential(*cred)) r.access_key_id = *id;
  }
  return r;
}

}  // namespace ebb::http

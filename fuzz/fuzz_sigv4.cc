// SigV4 Authorization header and X-Amz-Credential parsing (reliability.md §3.1).
// TODO(sigv4): the full verifier (canonical request, string to sign, signature
// check) is being written on another branch; when it lands on main, extend this
// target to canonicalize random method/path/query/headers/body (deterministic, never
// crashes) and check that random signatures never verify (reliability.md §6.4 T3).
// Today it covers what exists: access-key extraction from the header and the query
// credential.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/http/auth_stage.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto a = ebb::http::access_key_from_authorization(text);
  auto b = ebb::http::access_key_from_authorization(text);
  if (a != b) __builtin_trap();
  // A key id found in the header is a substring of it.
  if (a && text.find(*a) == std::string_view::npos) __builtin_trap();
  auto c = ebb::http::access_key_from_credential(text);
  if (c && text.find(*c) == std::string_view::npos) __builtin_trap();
  return 0;
}

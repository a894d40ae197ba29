// Minimal query-string access for the non-SQS routes and the auth stage (the SQS
// codecs have their own strict parser).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace ebb::http {

// Percent-decodes ('+' → space); nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view s);

// Decoded value of the first `name=` parameter, nullopt if absent or malformed.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

}  // namespace ebb::http

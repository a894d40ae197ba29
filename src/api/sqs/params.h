// Typed access to request parameters in the Value tree, the same for both protocols.
// Errors are the SQS ones: absent/empty required → MissingParameter
// ("The request must contain the parameter <Name>."); wrong type or range →
// InvalidParameterValue ("Value <v> for parameter <Name> is invalid. Reason: …").
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/value.h"

namespace ebb::sqs {

Error missing_parameter(std::string_view name);
Error invalid_value(std::string_view value, std::string_view name, std::string_view reason);

// Strict decimal integer: optional '-', 1–18 digits, nothing else (no '+', spaces,
// fraction, exponent, hex). JSON numbers arrive as their text; a JSON double
// (10.0, 1e3) keeps a '.', so it is rejected too. nullopt when not an integer.
std::optional<int64_t> parse_strict_int(std::string_view text);

// The member, or nullptr if absent or JSON null.
const Value* find(const Value& obj, std::string_view name);

// A string member; nullptr if absent. Non-string → InvalidParameterValue.
Result<const std::string*> opt_string(const Value& obj, std::string_view name);
// A string member that must be present and non-empty.
Result<const std::string*> req_string(const Value& obj, std::string_view name);

// An integer member (JSON number or numeric string; Query decimal text) within
// [min, max]; anything else → InvalidParameterValue with `reason`.
Result<std::optional<int>> opt_int(const Value& obj, std::string_view name, int64_t min, int64_t max,
                                   std::string_view reason);

// Boolean member: JSON true/false, or "true"/"false" in any case.
Result<std::optional<bool>> opt_bool(const Value& obj, std::string_view name);

// A list of strings (absent → empty).
Result<std::vector<std::string>> string_list(const Value& obj, std::string_view name);

// A map of strings (absent → empty). JSON numbers/booleans as values are taken as text.
Result<std::map<std::string, std::string>> string_map(const Value& obj, std::string_view name);

// A list member; nullptr if absent. Non-list → InvalidParameterValue.
Result<const Value*> opt_list(const Value& obj, std::string_view name);
// An object (map) member; nullptr if absent. Non-object → InvalidParameterValue.
Result<const Value*> opt_object(const Value& obj, std::string_view name);

// Text of a scalar for error messages.
std::string scalar_text(const Value& v);

}  // namespace ebb::sqs

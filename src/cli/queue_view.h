// Read-only accessors over API objects (docs/api.md) for tables and `describe`, and
// the queue's table row. Missing or mistyped fields read as absent, never throw.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ebb::cli {

using TimePoint = std::chrono::system_clock::time_point;

// j[a][b]… itself, or nullptr.
const nlohmann::json* find_at(const nlohmann::json& j, std::initializer_list<const char*> path);

// j[a][b]… as an integer / number / string / boolean, or nullopt.
std::optional<int64_t> int_at(const nlohmann::json& j, std::initializer_list<const char*> path);
std::optional<double> number_at(const nlohmann::json& j, std::initializer_list<const char*> path);
std::optional<std::string> string_at(const nlohmann::json& j, std::initializer_list<const char*> path);
std::optional<bool> bool_at(const nlohmann::json& j, std::initializer_list<const char*> path);

// A scalar as table text: strings as they are, numbers and booleans in JSON's
// spelling, "" for null, absent, arrays and objects.
std::string scalar_text(const nlohmann::json* v);

// "5h" from metadata.creationTimestamp, "" when absent.
std::string age_of(const nlohmann::json& object, TimePoint now);
// "5h" since an RFC 3339 timestamp, "" when absent or unparsable.
std::string age_since(const std::optional<std::string>& timestamp, TimePoint now);

// "" or a number as text; "" for absent values so tables print <none>.
std::string text_of(const std::optional<int64_t>& v);

// metadata.labels as "k=v,k2=v2" (sorted by key), "" when none.
std::string labels_text(const nlohmann::json& object);

// Strings of an array joined by `sep` (non-strings in JSON spelling).
std::string join_strings(const nlohmann::json* array, const std::string& sep);

// Queue table columns (ecosystem.md §3.2): NAME VISIBLE IN-FLIGHT DELAYED OLDEST DLQ
// AGE / wide adds TYPE VISIBILITY RETENTION MAX-RECEIVES URL.
std::vector<std::string> queue_row(const nlohmann::json& q, bool wide, TimePoint now);

}  // namespace ebb::cli

// Read-only accessors over a Queue object as the API returns it (docs/api.md), for
// tables and `describe`. Missing or mistyped fields read as absent, never throw.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace ebb::cli {

// j[a][b]… as an integer / string, or nullopt.
std::optional<int64_t> int_at(const nlohmann::json& j, std::initializer_list<const char*> path);
std::optional<std::string> string_at(const nlohmann::json& j, std::initializer_list<const char*> path);
std::optional<bool> bool_at(const nlohmann::json& j, std::initializer_list<const char*> path);

// "5h" from metadata.creationTimestamp, "" when absent.
std::string age_of(const nlohmann::json& object, std::chrono::system_clock::time_point now);

// "" or a number as text; "" for absent values so tables print <none>.
std::string text_of(const std::optional<int64_t>& v);

}  // namespace ebb::cli

// JSON → YAML text for `-o yaml`. Strings that a YAML reader could take for a
// number, boolean or null are double-quoted, so what `get -o yaml` prints,
// `apply -f` accepts back (ecosystem.md §3.2).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace ebb::cli {

std::string to_yaml(const nlohmann::json& j);

}  // namespace ebb::cli

// Reads one YAML (or JSON) document into JSON, strictly (reliability.md §5.4):
// duplicate keys, alias bombs (more than kMaxExpandedNodes nodes once aliases are
// expanded, or aliases nested kMaxAliasDepth deep), ambiguous plain scalars
// (plain_scalar.h), explicit tags other than the core ones, non-string keys and
// invalid UTF-8 are errors. Used by parse.cc only.
//
// It drives yaml-cpp's event parser instead of YAML::Load so that it sees anchors,
// aliases, scalar styles and positions, and can stop a bomb before expanding it.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ebb::manifest {

struct ReadResult {
  std::optional<nlohmann::json> doc;  // nullopt: empty document (only comments), or errors
  std::vector<std::string> errors;    // "line L, column C: path: message" (1-based)
};

// `first_line` (0-based) is added to yaml-cpp's positions so that errors point into
// the whole file. `json` selects JSON's number grammar for plain scalars.
ReadResult read_document(std::string_view text, int first_line, bool json);

}  // namespace ebb::manifest

// Reads what `apply -f` names: a file, a directory (its *.yaml, *.yml and *.json
// files, sorted, not recursive, as kubectl does) or "-" for stdin. Files larger than
// 1 MiB are refused before they are read in full (reliability.md §5.4).
#pragma once
#include <string>
#include <vector>

#include "cli/cli_error.h"

namespace ebb::cli {

struct ManifestText {
  std::string source;  // the path as the user wrote it, or "-" for stdin
  std::string text;
};

Outcome<std::vector<ManifestText>> read_manifests(const std::vector<std::string>& args);

}  // namespace ebb::cli

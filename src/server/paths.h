// Where ebbd keeps its files (ecosystem.md §3.5, reliability.md §4.4).
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "base/result.h"

namespace ebb::server {

using EnvLookup = std::function<std::optional<std::string>(const char*)>;
std::optional<std::string> process_env(const char* name);  // non-empty values only

// EBB_DATA_DIR > STATE_DIRECTORY (systemd; first of a ':' list) > $XDG_DATA_HOME/ebb
// > $HOME/.local/share/ebb. The --data-dir flag, when given, wins before this is asked.
Result<std::string> default_data_dir(const EnvLookup& env);

// mkdir -p with mode 0700 for what it creates; refuses a path that is not a directory.
Status ensure_private_dir(const std::string& path);

// Writes `text` to `path` atomically (temporary file in the same directory + rename),
// so a test polling for the file never reads half of it.
Status write_file_atomically(const std::string& path, const std::string& text);

}  // namespace ebb::server

// Secrets (docs/api.md "Secrets", reliability.md §4.7): the `get secrets` row and
// `ebb secret create`. Values go to the server only; nothing here prints one.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli/queue_view.h"

namespace ebb::cli {

// NAME KEYS AGE / wide adds BYTES UPDATED.
std::vector<std::string> secret_row(const nlohmann::json& s, bool wide, TimePoint now);

struct SecretCreateOptions {
  std::string name;
  std::vector<std::string> from_file;  // "[KEY=]PATH": KEY defaults to the file's base name
  std::string from_stdin;              // KEY read from standard input ("" = not given)
};
// Creates or replaces the secret with exactly the given keys. Values never come from a
// command-line argument (shell history, `ps`): files or stdin only.
int run_secret_create(ApiClient& api, const SecretCreateOptions& o);

}  // namespace ebb::cli

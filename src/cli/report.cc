// report(): the one place that writes errors to stderr.
#include <cstdio>

#include "cli/cli_error.h"

namespace ebb::cli {

int report(const CliError& e) {
  std::fprintf(stderr, "error: %s\n", e.message.c_str());
  for (const std::string& d : e.details) std::fprintf(stderr, "  %s\n", d.c_str());
  if (!e.hint.empty()) std::fprintf(stderr, "hint: %s\n", e.hint.c_str());
  return e.exit;
}

}  // namespace ebb::cli

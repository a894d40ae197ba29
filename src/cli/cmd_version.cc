// ebb version: the client's version. The API has no version endpoint yet
// (docs/api.md), so unlike kubectl there is no server line.
#include <cstdio>

#include "cli/commands.h"

namespace ebb::cli {

int run_version() {
  // Keep in step with project(VERSION) in the top-level CMakeLists.txt.
  std::printf("ebb version 0.1.0\n");
  return kExitOk;
}

}  // namespace ebb::cli

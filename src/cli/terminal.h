// The terminal seam: whether a stream is a terminal, and yes/no questions for
// destructive commands (ecosystem.md §3.2: ask on a terminal, require --yes otherwise).
#pragma once
#include <string_view>

namespace ebb::cli {

bool stdin_is_terminal();
bool stderr_is_terminal();

// Asks `question` on stderr and reads an answer from the terminal; true only for
// "y" or "yes". Call only when stdin_is_terminal().
bool confirm(std::string_view question);

}  // namespace ebb::cli

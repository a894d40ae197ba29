// UTF-8 validation for manifest text: nlohmann-json throws when dumping invalid UTF-8
// (ecosystem.md §1.4 P5), so invalid bytes are rejected where they enter.
#pragma once
#include <string_view>

namespace ebb::manifest {

// True for well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool valid_utf8(std::string_view s);

}  // namespace ebb::manifest

// Strict integer parsing for command-line values (reliability.md §5.6 and §5.2):
// plain decimal digits with an optional leading '-', no spaces, '+', hex, octal
// prefixes, exponents or fractions. CLI11's own conversion accepts "0x10", so
// numeric options are taken as text and parsed here.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "cli/cli_error.h"

namespace ebb::cli {

// `flag` names the option in the error ("--max"); the range is inclusive.
Outcome<int64_t> parse_int_flag(std::string_view flag, std::string_view text, int64_t min, int64_t max);

}  // namespace ebb::cli

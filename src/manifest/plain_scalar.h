// How ebb reads an unquoted (plain) YAML scalar. YAML 1.1 and 1.2 disagree on many
// plain scalars (`on`, `yes`, `0755`, `1e3`, `12:30`, `2025-01-01`), and users rarely
// mean what either reads (reliability.md §5.4). ebb accepts only the readings both
// versions share and calls everything else ambiguous, so the user is told to quote it.
// Used by the YAML reader only; pure functions.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace ebb::manifest {

struct PlainScalar {
  enum class Kind { String, Null, Bool, Int, Float, Ambiguous };
  Kind kind = Kind::String;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  std::string why;  // Ambiguous: what YAML might read instead ("a YAML 1.1 boolean")
};

// Classify the text of a plain scalar. With `json` set the text came from a JSON
// document, where numbers follow JSON's grammar and are never ambiguous.
PlainScalar classify_plain(std::string_view text, bool json);

}  // namespace ebb::manifest

// Splits a YAML stream into its documents. yaml-cpp 0.7's LoadAll can loop forever on
// hostile input (ecosystem.md §1.4 P4, jbeder/yaml-cpp#1040), so ebb never calls it:
// it cuts the text at document markers itself and parses each piece on its own.
// A marker is a line that is `---` or `...` at column 0, alone or followed by a
// blank; YAML forbids such lines inside content, so the cut is exact.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace ebb::manifest {

struct DocumentText {
  std::string text;     // the document; a `--- ` prefix is blanked out, columns kept
  int first_line = 0;   // 0-based line of `text`'s first line in the whole stream
};

// Never fails; documents may be empty or hold only comments (the reader skips them).
std::vector<DocumentText> split_documents(std::string_view stream);

}  // namespace ebb::manifest

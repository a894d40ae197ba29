// Value → compact XML for the Query protocol (sqs-api.md §3.2): flattened lists and
// maps named by the Value's XML hints; text escaped so a parser returns it exactly.
#pragma once
#include <string>
#include <string_view>

#include "base/value.h"

namespace ebb::sqs {

// Escapes & < > " and CR (as &#xD;: parsers turn a raw CR into LF).
// Error messages echo user input, which may hold bytes XML 1.0 cannot carry at all
// (control characters, invalid UTF-8): those become U+FFFD so the document stays
// parseable. Message bodies never need this (they are validated on the way in).
std::string xml_safe_text(std::string_view text);

void xml_escape_into(std::string_view text, std::string& out);

// Writes each member of `obj` as elements (no wrapper element).
void write_xml_members(const Value& obj, std::string& out);

}  // namespace ebb::sqs

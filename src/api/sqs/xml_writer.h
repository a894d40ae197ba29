// Value → compact XML for the Query protocol (sqs-api.md §3.2): flattened lists and
// maps named by the Value's XML hints; text escaped so a parser returns it exactly.
#pragma once
#include <string>
#include <string_view>

#include "base/value.h"

namespace ebb::sqs {

// Escapes & < > " and CR (as &#xD;: parsers turn a raw CR into LF).
void xml_escape_into(std::string_view text, std::string& out);

// Writes each member of `obj` as elements (no wrapper element).
void write_xml_members(const Value& obj, std::string& out);

}  // namespace ebb::sqs

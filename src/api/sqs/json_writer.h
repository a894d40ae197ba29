// Value → compact JSON for the JSON 1.0 protocol (sqs-api.md §4). Null members are
// omitted: the protocol never sends null.
#pragma once
#include <string>
#include <string_view>

#include "base/value.h"

namespace ebb::sqs {

void json_escape_into(std::string_view text, std::string& out);  // without quotes
void write_json(const Value& v, std::string& out);

}  // namespace ebb::sqs

// application/x-www-form-urlencoded decoding for the Query protocol (sqs-api.md §3.1):
// '+' is a space, %XX are bytes, a malformed escape is an InvalidQueryParameter error.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace ebb::sqs {

using FormParams = std::vector<std::pair<std::string, std::string>>;

// Appends the decoded pairs of `text` to `out` in order (later pairs override
// earlier ones when the tree is built). Empty segments ("a=1&&b=2") are skipped.
Status decode_form(std::string_view text, FormParams& out);

// Percent-decodes one component; false on a malformed escape.
bool percent_decode_into(std::string_view in, std::string& out);

}  // namespace ebb::sqs

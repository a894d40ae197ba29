// JSON protocol request bodies → the Value tree (sqs-api.md §4; reliability.md §5.2).
// simdjson DOM with a per-thread parser (the hot path). Rejected with
// SerializationException: invalid JSON, a non-object root, duplicate keys, nesting
// deeper than 32, an object with more than 1024 members, trailing garbage, a BOM,
// NaN/Infinity, integers too large for 64 bits. A lone \u surrogate in a string is
// InvalidMessageContents (§4). Bytes that are not UTF-8 are InvalidMessageContents
// too (reliability.md §5.2: the body is where they matter). An empty body is {}.
#pragma once
#include <string>

#include "base/result.h"
#include "base/value.h"

namespace ebb::sqs {

Result<Value> decode_json_body(const std::string& body);

}  // namespace ebb::sqs

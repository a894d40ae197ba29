// Rendering of results and errors in either protocol (sqs-api.md §3.2, §4, §5.1).
#pragma once
#include <string_view>

#include "api/sqs/protocol.h"
#include "api/sqs/sqs_api.h"
#include "base/error.h"
#include "base/value.h"

namespace ebb::sqs {

// `result` null = an action without output (<OpResponse> with only metadata / {}).
SqsResponse render_result(Protocol p, std::string_view action, const Value* result, std::string_view request_id);

// Status and codes from code_info(); JSON errors carry x-amzn-query-error when the
// table says so. NonExistentQueue gets each protocol's AWS wording.
SqsResponse render_error(Protocol p, std::string_view action, const Error& e, std::string_view request_id);

}  // namespace ebb::sqs

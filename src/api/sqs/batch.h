// Batch request shape and result building shared by the three batch actions
// (sqs-api.md §5.3, §10.9).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "api/sqs/call.h"
#include "api/sqs/result_writer.h"

namespace ebb::sqs {

// Request-level checks in the documented order: queue exists; entries non-empty;
// at most 10; ids valid; ids distinct. Returns the Entries list.
Result<const Value*> check_batch_shape(Call& c, const std::string& queue, std::string_view entry_param);

// One Failed entry: Id, SenderFault=true, the Query-style code, the message.
Value failed_entry(const std::string& id, const Error& e);

// { Successful: [...], Failed: [...] } with empty arrays omitted (like AWS).
// `success_item` names the XML element of a successful entry.
Value batch_result(Value successful, Value failed);
Value success_list(std::string_view xml_item);
Value failed_list();

// The same for the hot batch actions, which render with a ResultWriter: the Failed
// list (omitted when empty), after the Successful one.
struct FailedEntry {
  const std::string* id;  // points into the request parameters
  Error error;
};
void write_failed(ResultWriter& w, const std::vector<FailedEntry>& failed);

}  // namespace ebb::sqs

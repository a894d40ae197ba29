// Wire-level message validation the API layer owns (sqs-api.md §8, §9.6 id rules,
// §5.2 batch ids). Queue-state rules (size limit, FIFO requirements) are the engine's.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/value.h"
#include "model/message.h"

namespace ebb::sqs {

inline constexpr std::string_view kInvalidCharacters =
    "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | "
    "#xE000 to #xFFFD | #x10000 to #x10FFFF";

// MessageBody: present, non-empty (MissingParameter), valid UTF-8 in the XML character
// set (InvalidMessageContents).
Status check_body(const std::string* body);

// MessageAttributes map (may be null) → validated attributes sorted by name bytes.
Result<MsgAttrs> parse_message_attributes(const Value* map);

// MessageSystemAttributes (may be null): only AWSTraceHeader of type String.
struct SystemAttrs {
  bool present = false;      // the request carried the member (even if empty)
  std::string trace_header;  // "" = none
  std::string md5;           // MD5OfMessageSystemAttributes, "" when nothing was sent
};
Result<SystemAttrs> parse_system_attributes(const Value* map);

// MessageGroupId / MessageDeduplicationId / ReceiveRequestAttemptId: 1–128 of
// alphanumerics and ASCII punctuation.
Status check_fifo_id(const std::string& value, std::string_view name);

// Batch entry id: 1–80 of [A-Za-z0-9_-].
bool valid_batch_entry_id(std::string_view id);

// §8.3 size of one message: body + each attribute's name, type and value bytes.
size_t message_size(std::string_view body, const MsgAttrs& attrs);

// Number attribute text rule (§8.2): decimal, ≤ 38 significant digits, in range.
bool valid_number_text(std::string_view s);

// MessageAttributeNames selection (§8.5): All, .*, *, "<prefix>.*", exact names.
bool attribute_selected(const std::vector<std::string>& names, std::string_view attr);

}  // namespace ebb::sqs

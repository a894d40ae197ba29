// Body of POST /api/v1/queues/NAME/messages → SendEntry, with the wire-level checks
// the engine leaves to the API layer (body characters, attribute names and count).
#pragma once
#include <nlohmann/json.hpp>

#include "base/result.h"
#include "queue/engine.h"

namespace ebb::admin {

// {"body":"…","attributes":{"k":"v"},"delaySeconds":0,"groupId":"g","dedupId":"d"}
Result<SendEntry> parse_send_request(const nlohmann::json& j);

// SQS allows #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF (sqs-api.md §8.1).
bool valid_message_text(std::string_view utf8);

}  // namespace ebb::admin

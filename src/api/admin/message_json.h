// Messages in the SQS JSON shapes the native API reuses (docs/api.md): receive/peek
// entries, and the MD5 digests SendMessage returns (sqs-api.md §8).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "model/message.h"
#include "queue/engine.h"

namespace ebb::admin {

// MD5OfMessageAttributes (the SQS codecs' digest; attributes sorted by name).
std::string md5_of_attributes(const MsgAttrs& attrs);

// One ReceiveMessage entry; without a receipt handle for peek.
nlohmann::json delivered_json(const Delivered& d, bool with_receipt_handle);

}  // namespace ebb::admin

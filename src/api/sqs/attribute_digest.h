// MD5OfMessageAttributes / MD5OfMessageSystemAttributes (sqs-api.md §11.2, §11.3).
#pragma once
#include <string>

#include "model/message.h"

namespace ebb::sqs {

// Digest over `attrs`, which must be sorted by name bytes (MsgAttrs invariant).
// Empty input → "" (the digest is omitted, never the MD5 of nothing).
std::string attributes_md5(const MsgAttrs& attrs);

// The byte buffer the digest is taken of (exposed for tests).
std::string attributes_digest_input(const MsgAttrs& attrs);

}  // namespace ebb::sqs

// The JSON protocol's strict request decoding (reliability.md §5.2: duplicate keys,
// depth > 32, > 1,024 members, trailing garbage, BOM, comments, NaN -> errors).
// Invariants: no crash, deterministic; anything accepted re-decodes the same way.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/sqs/json_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  auto a = ebb::sqs::decode_json_body(body);
  auto b = ebb::sqs::decode_json_body(body);
  if (a.ok() != b.ok()) __builtin_trap();
  if (!a.ok() && a.error().message != b.error().message) __builtin_trap();
  return 0;
}

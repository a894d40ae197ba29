// Receipt handles (reliability.md §2.2): opaque base64url text, authenticated with a
// server-side HMAC key and bound to (queue, message, delivery number). The first
// eight bytes of the message's random UUID are included too, so an internal id that
// were ever reused could not make an old handle match a new message.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ebb {

struct HandleFields {
  int64_t queue_id = 0;
  int64_t message_id = 0;  // internal id
  uint32_t grant = 0;
  uint64_t uuid_tag = 0;   // first 8 bytes of the MessageId UUID
};

uint64_t uuid_tag(std::string_view message_uuid);

class ReceiptHandleCodec {
 public:
  explicit ReceiptHandleCodec(std::string key) : key_(std::move(key)) {}
  std::string encode(const HandleFields& f) const;
  // nullopt when malformed, truncated or forged.
  std::optional<HandleFields> decode(std::string_view handle) const;

 private:
  std::string key_;
};

}  // namespace ebb

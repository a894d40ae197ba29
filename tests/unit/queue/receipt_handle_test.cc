// Receipt handles: round trip, tampering, and the fast HMAC equal to OpenSSL's.
#include <gtest/gtest.h>

#include "base/crypto.h"
#include "queue/receipt_handle.h"

namespace ebb {
namespace {

TEST(ReceiptHandle, RoundTripAndTamper) {
  ReceiptHandleCodec c("secret-key");
  HandleFields f{42, 1234567890123, 7, uuid_tag("5fea7756-0ea4-451a-a703-a558b933e274")};
  std::string h = c.encode(f);
  auto d = c.decode(h);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->queue_id, 42);
  EXPECT_EQ(d->message_id, 1234567890123);
  EXPECT_EQ(d->grant, 7u);
  EXPECT_EQ(d->uuid_tag, f.uuid_tag);
  for (size_t i = 0; i < h.size(); ++i) {
    std::string t = h;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(c.decode(t)) << "tampered at " << i;
  }
  EXPECT_FALSE(c.decode(h.substr(0, h.size() - 1)));
  EXPECT_FALSE(c.decode(""));
  EXPECT_FALSE(c.decode("garbage"));
  EXPECT_FALSE(c.decode(std::string(5000, 'A')));
  EXPECT_FALSE(ReceiptHandleCodec("other-key").decode(h));
}

TEST(ReceiptHandle, MacEqualsOpenSslHmac) {
  // The precomputed-pad HMAC must be exactly HMAC-SHA256: the MAC field is the last
  // 16 bytes of the decoded handle.
  for (std::string key : {std::string("k"), std::string(64, 'x'), std::string(100, 'y')}) {
    ReceiptHandleCodec c(key);
    std::string h = c.encode({1, 2, 3, 4});
    auto raw = base64url_decode(h);
    ASSERT_TRUE(raw);
    std::string body = raw->substr(0, raw->size() - 16);
    EXPECT_EQ(raw->substr(raw->size() - 16), hmac_sha256(key, body).substr(0, 16));
  }
}

}  // namespace
}  // namespace ebb

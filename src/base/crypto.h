// Small wrappers over OpenSSL: digests, HMAC, random bytes, UUIDs, base64.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ebb {

std::string md5_hex(std::string_view data);            // lower-case hex
std::string sha256_hex(std::string_view data);         // lower-case hex
std::string sha256_raw(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
bool constant_time_equal(std::string_view a, std::string_view b);
std::string random_bytes(size_t n);                    // CSPRNG
std::string uuid_v4();                                 // lower case, 36 chars

std::string base64_encode(std::string_view data);      // standard alphabet, padded
std::optional<std::string> base64_decode(std::string_view text);  // strict, standard alphabet
std::string base64url_encode(std::string_view data);   // no padding
std::optional<std::string> base64url_decode(std::string_view text);

std::string hex_encode(std::string_view data);

}  // namespace ebb

// The --listen value: "HOST:PORT", "[v6]:PORT", or ":PORT" (loopback). Pure.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ebb::http {

struct ListenAddress {
  std::string host;   // literal IP or "localhost"; no brackets
  uint16_t port = 0;  // 0 = any free port
  std::string to_string() const;  // brackets IPv6 literals
};

Result<ListenAddress> parse_listen_address(std::string_view s);

// True for 127.0.0.0/8, ::1, ::ffff:127.x and "localhost": the only places where
// plain HTTP and --auth none are allowed (reliability.md §4.1, §4.2).
bool is_loopback_host(std::string_view host);

}  // namespace ebb::http

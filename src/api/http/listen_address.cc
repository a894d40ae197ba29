#include "api/http/listen_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace ebb::http {

std::string ListenAddress::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<ListenAddress> parse_listen_address(std::string_view s) {
  auto bad = [&](const char* why) { return err(Code::Invalid, "--listen " + std::string(s) + ": " + why); };
  ListenAddress a;
  std::string_view port_text;
  if (s.starts_with("[")) {
    size_t close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':')
      return bad("expected [IPv6]:PORT");
    a.host = std::string(s.substr(1, close - 1));
    port_text = s.substr(close + 2);
  } else {
    size_t colon = s.rfind(':');
    if (colon == std::string_view::npos) return bad("expected HOST:PORT");
    a.host = std::string(s.substr(0, colon));
    if (a.host.find(':') != std::string::npos) return bad("IPv6 addresses need brackets: [::1]:PORT");
    port_text = s.substr(colon + 1);
  }
  if (a.host.empty()) a.host = "127.0.0.1";
  unsigned port = 0;
  auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc{} || p != port_text.data() + port_text.size() || port > 65535)
    return bad("port must be 0..65535");
  a.port = static_cast<uint16_t>(port);
  if (a.host != "localhost") {
    unsigned char buf[16];
    if (inet_pton(AF_INET, a.host.c_str(), buf) != 1 && inet_pton(AF_INET6, a.host.c_str(), buf) != 1)
      return bad("host must be an IP address or localhost");
  }
  return a;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost") return true;
  std::string h(host);
  unsigned char b[16];
  if (inet_pton(AF_INET, h.c_str(), b) == 1) return b[0] == 127;
  if (inet_pton(AF_INET6, h.c_str(), b) == 1) {
    static const unsigned char kLoop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    if (std::equal(b, b + 16, kLoop)) return true;
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::equal(b, b + 12, kMapped) && b[12] == 127;
  }
  return false;
}

}  // namespace ebb::http

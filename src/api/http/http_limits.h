// ebb's explicit HTTP limits (reliability.md §4.3). Beast's own defaults are not ebb's,
// so the server configures its parser from this struct only.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ebb::http {

struct HttpLimits {
  size_t request_line = 8 * 1024;          // 414
  size_t header_total = 16 * 1024;         // 431 (request line included, as Beast counts)
  size_t header_count = 64;                // 431
  size_t header_one = 8 * 1024;            // 431
  uint64_t body_sqs = 4 * 1024 * 1024;     // 413, close
  uint64_t body_native = 1024 * 1024;      // 413 (/api/v1)
  uint64_t body_ui = 64 * 1024;            // 413 (dashboard: /ui/login and friends)
  std::chrono::seconds header_timeout{10};   // close, no response
  std::chrono::seconds body_timeout{60};     // 408, close (whole body)
  std::chrono::seconds body_grace{5};        // then the body must average body_min_rate
  uint64_t body_min_rate = 16 * 1024;        // bytes/s since the body began; 408, close (0: off)
  std::chrono::seconds write_timeout{30};    // close
  std::chrono::seconds idle_timeout{65};     // close (above the 20 s long poll)
  size_t max_connections = 1024;
  size_t max_connections_per_addr = 256;

  // The native API and manifests get the smaller body limit, the dashboard's own
  // endpoints the smallest; everything else may be SQS.
  uint64_t body_limit(std::string_view path) const {
    if (path == "/ui" || path.starts_with("/ui/")) return body_ui;
    return path.starts_with("/api/") ? body_native : body_sqs;
  }
};

}  // namespace ebb::http

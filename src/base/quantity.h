// Kubernetes resource quantities (reliability.md §5.4): CPU "500m", "1", "0.5", "2";
// memory "512Mi", "1Gi", "1G", "1000000", "1.5Gi". Rejected: negative, unknown or
// doubled suffixes ("1GiB", "500mm"), exponents ("1e400"), overflow, empty.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace ebb {

// CPU in millicores: "500m" → 500, "0.5" → 500, "2" → 2000. At most 3 decimals.
Result<int64_t> parse_cpu_quantity(std::string_view s);
// Memory in bytes: binary (Ki Mi Gi Ti Pi Ei) and decimal (k M G T P E) suffixes.
Result<int64_t> parse_memory_quantity(std::string_view s);
// 500 → "500m", 2000 → "2"; 1073741824 → "1Gi", 1536 → "1536".
std::string format_cpu_millis(int64_t millis);
std::string format_memory_bytes(int64_t bytes);

}  // namespace ebb

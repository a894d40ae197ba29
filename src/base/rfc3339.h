// RFC 3339 UTC timestamps as the API and events print them: "2026-11-28T02:23:08Z"
// and, with milliseconds, "2026-11-28T02:23:08.029Z". One formatter for every
// controller and view.
#pragma once
#include <cstdint>
#include <string>

namespace ebb {

std::string rfc3339_s(int64_t wall_ms);   // whole seconds (floored)
std::string rfc3339_ms(int64_t wall_ms);  // milliseconds

}  // namespace ebb

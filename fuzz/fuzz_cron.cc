// Schedule expressions (reliability.md §5.5): Kubernetes cron and EventBridge
// cron()/rate()/at(), with a time zone taken from the input. Input format:
// first byte selects the dialect, then "zone\n" and the expression. Invariants: no
// crash, bounded next-fire search, next fire strictly after the reference time.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sched/expression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size > 512) return 0;
  using namespace ebb::sched;
  Dialect d = (data[0] & 1) ? Dialect::EventBridge : Dialect::Kubernetes;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string_view zone_name = "UTC";
  if (auto nl = rest.find('\n'); nl != std::string_view::npos && nl <= 64) {
    zone_name = rest.substr(0, nl);
    rest = rest.substr(nl + 1);
  }
  auto zone = Zone::find(zone_name);
  if (!zone.ok()) return 0;
  const int64_t now = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
  auto e = Expression::parse(rest, d, *zone, now, (data[0] & 2) != 0);
  if (!e.ok()) return 0;
  int64_t t = now;
  for (int i = 0; i < 4; i++) {
    auto n = e->next_after(t);
    if (!n) break;
    if (*n <= t) __builtin_trap();
    t = *n;
  }
  (void)e->describe();
  return 0;
}

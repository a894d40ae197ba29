#include "base/rfc3339.h"

#include <chrono>
#include <cstdio>

namespace ebb {
namespace {

std::string civil(int64_t wall_ms, bool with_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds{wall_ms}};
  const sys_days day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> hms{t - day};
  char buf[48];
  if (with_ms) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                  int(hms.seconds().count()), int(hms.subseconds().count()));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()), unsigned(ymd.month()),
                  unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                  int(hms.seconds().count()));
  }
  return buf;
}

}  // namespace

std::string rfc3339_s(int64_t wall_ms) { return civil(wall_ms, false); }
std::string rfc3339_ms(int64_t wall_ms) { return civil(wall_ms, true); }

}  // namespace ebb

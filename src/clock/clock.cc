#include "clock/clock.h"

namespace ebb {

WallTime SystemClock::wall_now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}
MonoTime SystemClock::mono_now() const { return std::chrono::steady_clock::now(); }

}  // namespace ebb

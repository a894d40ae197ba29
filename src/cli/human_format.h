// Human-readable numbers for tables and `describe`: ages as kubectl prints them
// (k8s.io/apimachinery duration.HumanDuration: 45s, 3m20s, 12m, 5h, 3d4h, 3d, 2y),
// byte sizes with binary units, RFC 3339 timestamps parsed for AGE columns.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ebb::cli {

std::string human_duration(std::chrono::seconds d);
std::string human_bytes(int64_t bytes);  // 262144 → "256Ki", 1000 → "1000"
// A measured size, rounded to the largest binary unit it fills: 31457280 → "30Mi",
// 31600000 → "30.1Mi", 1000 → "1000".
std::string human_bytes_rounded(int64_t bytes);
// A number with at most two decimals, trailing zeros dropped: 51.5, 0.33, 5.
std::string decimal_text(double v);

// "2026-11-27T10:00:00Z" (optionally with fractional seconds) → time point; nullopt otherwise.
std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view text);

}  // namespace ebb::cli

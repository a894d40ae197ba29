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

// "2026-11-27T10:00:00Z" (optionally with fractional seconds) → time point; nullopt otherwise.
std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view text);

}  // namespace ebb::cli

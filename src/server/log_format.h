// spdlog formatters for ebbd's stderr log (ecosystem.md §3.4): JSON lines with
// time (RFC 3339 UTC, microseconds), level, logger, msg, then the fields; or a text
// line for terminals.
#pragma once
#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ebb::logf {

enum class Format { Json, Text, Auto };
std::optional<Format> parse_format(std::string_view s);
// "debug|info|warning|error" (and spdlog's own names) → level.
std::optional<spdlog::level::level_enum> parse_level(std::string_view s);

std::string rfc3339_micros(spdlog::log_clock::time_point t);

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

class TextFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<TextFormatter>(); }
};

// Installs the default logger "ebbd" on stderr. Auto = text on a terminal, else JSON.
void setup_logging(Format format, spdlog::level::level_enum level);

}  // namespace ebb::logf

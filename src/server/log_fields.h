// Structured log lines (ecosystem.md §3.4) over spdlog: the message and its fields
// travel in one payload, "msg \x1f {json fields}", which the JSON formatter spreads
// into the line's object and the text formatter renders as key=value.
#pragma once
#include <spdlog/spdlog.h>

#include <initializer_list>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ebb::logf {

constexpr char kFieldSep = '\x1f';
constexpr size_t kMaxValue = 1024;  // user-supplied values are size-capped

struct Field {
  std::string key;
  nlohmann::json value;
  Field(std::string k, std::string_view v) : key(std::move(k)), value(cap(v)) {}
  Field(std::string k, const char* v) : key(std::move(k)), value(cap(v)) {}
  Field(std::string k, const std::string& v) : key(std::move(k)), value(cap(v)) {}
  template <class N, class = std::enable_if_t<std::is_arithmetic_v<N>>>
  Field(std::string k, N v) : key(std::move(k)), value(v) {}

  static std::string cap(std::string_view v) {
    return v.size() <= kMaxValue ? std::string(v) : std::string(v.substr(0, kMaxValue)) + "…";
  }
};

// Builds the payload for spdlog.
std::string payload(std::string_view msg, std::initializer_list<Field> fields);

inline void log(spdlog::level::level_enum lvl, std::string_view msg, std::initializer_list<Field> fields = {}) {
  auto logger = spdlog::default_logger_raw();
  if (!logger->should_log(lvl)) return;
  logger->log(lvl, "{}", payload(msg, fields));
}
inline void info(std::string_view msg, std::initializer_list<Field> f = {}) { log(spdlog::level::info, msg, f); }
inline void warn(std::string_view msg, std::initializer_list<Field> f = {}) { log(spdlog::level::warn, msg, f); }
inline void error(std::string_view msg, std::initializer_list<Field> f = {}) { log(spdlog::level::err, msg, f); }
inline void debug(std::string_view msg, std::initializer_list<Field> f = {}) { log(spdlog::level::debug, msg, f); }

}  // namespace ebb::logf

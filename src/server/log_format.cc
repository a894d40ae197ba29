#include "server/log_format.h"

#include <unistd.h>

#include <spdlog/sinks/stdout_sinks.h>

#include <nlohmann/json.hpp>

#include "server/log_fields.h"

namespace ebb::logf {
namespace {

// Splits "msg \x1f {fields}" back apart; fields is "" when there are none.
std::pair<std::string_view, std::string_view> split_payload(std::string_view p) {
  size_t sep = p.find(kFieldSep);
  if (sep == std::string_view::npos) return {p, {}};
  return {p.substr(0, sep), p.substr(sep + 1)};
}

void append(spdlog::memory_buf_t& dest, std::string_view s) { dest.append(s.data(), s.data() + s.size()); }

std::string_view level_name(spdlog::level::level_enum l) {
  auto sv = spdlog::level::to_string_view(l);
  return std::string_view(sv.data(), sv.size());
}

}  // namespace

std::string payload(std::string_view msg, std::initializer_list<Field> fields) {
  std::string out(msg);
  if (fields.size() == 0) return out;
  nlohmann::ordered_json obj = nlohmann::ordered_json::object();  // keep the caller's order
  for (auto& f : fields) obj[f.key] = f.value;
  out += kFieldSep;
  // Invalid UTF-8 from users must not make logging throw.
  out += obj.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return out;
}

std::optional<Format> parse_format(std::string_view s) {
  if (s == "json") return Format::Json;
  if (s == "text") return Format::Text;
  if (s == "auto") return Format::Auto;
  return std::nullopt;
}

std::optional<spdlog::level::level_enum> parse_level(std::string_view s) {
  if (s == "debug") return spdlog::level::debug;
  if (s == "info") return spdlog::level::info;
  if (s == "warning" || s == "warn") return spdlog::level::warn;
  if (s == "error") return spdlog::level::err;
  if (s == "trace") return spdlog::level::trace;
  if (s == "critical") return spdlog::level::critical;
  return std::nullopt;
}

std::string rfc3339_micros(spdlog::log_clock::time_point t) {
  using namespace std::chrono;
  auto us = duration_cast<microseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  long frac = static_cast<long>(us % 1000000);
  if (frac < 0) { frac += 1000000; --secs; }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[80];  // generous: the compiler cannot bound the year
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

void JsonFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  auto [text, fields] = split_payload(std::string_view(msg.payload.data(), msg.payload.size()));
  nlohmann::ordered_json line;
  line["time"] = rfc3339_micros(msg.time);
  line["level"] = level_name(msg.level);
  line["logger"] = std::string_view(msg.logger_name.data(), msg.logger_name.size());
  line["msg"] = text;
  if (!fields.empty()) {
    auto f = nlohmann::ordered_json::parse(fields, nullptr, false);
    if (f.is_object())
      for (auto& [k, v] : f.items())
        if (!line.contains(k)) line[k] = v;  // never let a field overwrite the fixed keys
  }
  append(dest, line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  append(dest, "\n");
}

void TextFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  auto [text, fields] = split_payload(std::string_view(msg.payload.data(), msg.payload.size()));
  append(dest, rfc3339_micros(msg.time));
  append(dest, " ");
  append(dest, level_name(msg.level));
  append(dest, " ");
  append(dest, text);
  if (!fields.empty()) {
    auto f = nlohmann::ordered_json::parse(fields, nullptr, false);
    if (f.is_object())
      for (auto& [k, v] : f.items()) {
        append(dest, " ");
        append(dest, k);
        append(dest, "=");
        append(dest, v.is_string() ? v.get<std::string>() : v.dump());
      }
  }
  append(dest, "\n");
}

void setup_logging(Format format, spdlog::level::level_enum level) {
  if (format == Format::Auto) format = isatty(STDERR_FILENO) ? Format::Text : Format::Json;
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  if (format == Format::Json) sink->set_formatter(std::make_unique<JsonFormatter>());
  else sink->set_formatter(std::make_unique<TextFormatter>());
  auto logger = std::make_shared<spdlog::logger>("ebbd", sink);
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);  // one line per event, never lost on _exit
  spdlog::set_default_logger(logger);
}

}  // namespace ebb::logf

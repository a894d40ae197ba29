#include "server/log_format.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/log_fields.h"

namespace ebb::logf {
namespace {

std::string format_line(spdlog::formatter& f, const std::string& payload, spdlog::level::level_enum lvl) {
  spdlog::details::log_msg msg(spdlog::source_loc{}, "ebbd", lvl, payload);
  msg.time = spdlog::log_clock::time_point(std::chrono::microseconds(1700000000123456LL));
  spdlog::memory_buf_t buf;
  f.format(msg, buf);
  return std::string(buf.data(), buf.size());
}

TEST(JsonLog, OneObjectPerLineWithFields) {
  JsonFormatter f;
  std::string line = format_line(f, payload("listening", {{"addr", "127.0.0.1:9324"}, {"threads", 2}}),
                                 spdlog::level::info);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["time"], "2023-11-14T22:13:20.123456Z");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["logger"], "ebbd");
  EXPECT_EQ(j["msg"], "listening");
  EXPECT_EQ(j["addr"], "127.0.0.1:9324");
  EXPECT_EQ(j["threads"], 2);
  // Fixed keys come first, in this order.
  EXPECT_EQ(line.rfind("{\"time\":", 0), 0u);
}

TEST(JsonLog, EscapesUserTextAndKeepsFixedKeys) {
  JsonFormatter f;
  std::string line = format_line(f, payload("a \"quoted\"\nline", {{"msg", "spoof"}, {"queue", "q\x01"}}),
                                 spdlog::level::warn);
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["msg"], "a \"quoted\"\nline");
  EXPECT_EQ(j["level"], "warning");
  EXPECT_EQ(j["queue"], "q\x01");
}

TEST(JsonLog, PlainSpdlogMessagesWork) {
  JsonFormatter f;
  auto j = nlohmann::json::parse(format_line(f, "no fields", spdlog::level::err));
  EXPECT_EQ(j["msg"], "no fields");
  EXPECT_EQ(j["level"], "error");
}

TEST(JsonLog, CapsLongValues) {
  Field fl("body", std::string(5000, 'x'));
  EXPECT_LT(fl.value.get<std::string>().size(), 1100u);
}

TEST(TextLog, KeyValues) {
  TextFormatter f;
  std::string line = format_line(f, payload("listening", {{"addr", "a:1"}}), spdlog::level::info);
  EXPECT_NE(line.find("info listening addr=a:1"), std::string::npos) << line;
}

}  // namespace
}  // namespace ebb::logf

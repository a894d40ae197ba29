#include "source/event_body.h"

#include "base/rfc3339.h"

#include <cstdio>

#include <nlohmann/json.hpp>

namespace ebb::source {

std::string s3_encode_key(std::string_view key) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(key.size());
  for (unsigned char c : key) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '*') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string rfc3339_ms(WallTime t) { return ebb::rfc3339_ms(t.time_since_epoch().count()); }

std::string s3_event_body(const FileEvent& e) {
  using ordered = nlohmann::ordered_json;
  ordered object = {{"key", s3_encode_key(e.key)}, {"size", e.size}};
  if (e.etag) object["eTag"] = *e.etag;
  object["sequencer"] = e.sequencer;
  ordered record = {
      {"eventVersion", "2.1"},
      {"eventSource", "aws:s3"},
      {"awsRegion", e.region},
      {"eventTime", rfc3339_ms(e.event_time)},
      {"eventName", "ObjectCreated:Put"},
      {"userIdentity", {{"principalId", "ebb"}}},
      {"requestParameters", {{"sourceIPAddress", "127.0.0.1"}}},
      {"responseElements", {{"x-amz-request-id", e.request_id}, {"x-amz-id-2", e.host_id}}},
      {"s3",
       {{"s3SchemaVersion", "1.0"},
        {"configurationId", e.source},
        {"bucket", {{"name", e.bucket}, {"ownerIdentity", {{"principalId", "ebb"}}}, {"arn", "arn:aws:s3:::" + e.bucket}}},
        {"object", object}}},
  };
  ordered body = {{"Records", ordered::array({record})}};
  // File names need not be UTF-8; replace invalid bytes rather than throw (the key
  // itself is percent-encoded, so only the bucket can carry them).
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string simple_event_body(const FileEvent& e) {
  nlohmann::ordered_json body = {{"bucket", e.bucket}, {"key", e.key}, {"size", e.size}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace ebb::source

// Message bodies of event sources. "s3" is the S3 event notification that AWS puts on
// an SQS queue for ObjectCreated:Put (event version 2.1), so consumers written for
// S3 → SQS run unchanged; "simple" is {"bucket", "key", "size"}. Pure functions.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "clock/clock.h"

namespace ebb::source {

struct FileEvent {
  std::string source;              // EventSource name (s3.configurationId)
  std::string region;              // awsRegion
  std::string bucket;              // bucket name
  std::string key;                 // file name, not encoded
  int64_t size = 0;
  std::optional<std::string> etag; // MD5 hex of the content; absent for large files
  std::string sequencer;           // hex; later versions of a key sort higher
  WallTime event_time{};
  std::string request_id;          // x-amz-request-id
  std::string host_id;             // x-amz-id-2
};

// S3 event notification JSON (Records[0]); key keys in AWS's order.
std::string s3_event_body(const FileEvent& e);
// {"bucket":…,"key":…,"size":…} with the key unencoded.
std::string simple_event_body(const FileEvent& e);

// Object keys in S3 notifications are form-URL-encoded: unreserved characters
// (A-Z a-z 0-9 - _ . *) stay, space becomes '+', every other byte %XX (upper hex).
std::string s3_encode_key(std::string_view key);

// "2025-01-01T00:00:00.000Z".
std::string rfc3339_ms(WallTime t);

}  // namespace ebb::source

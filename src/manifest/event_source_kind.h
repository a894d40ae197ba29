// kind: EventSource (apiVersion ebb/v1): a watched directory whose new files become
// messages on a queue, the S3 event notification → SQS pattern on one machine
// (source/event_source.h runs it). Validation only; defaults are documented here and
// returned by event_source_defaults().
//
// spec:
//   directory     required; absolute path, no ".." component, no NUL
//   queue         required; queue name (names.h)
//   body          "s3" (default: an S3 event notification, as AWS sends it) or "simple"
//                 ({"bucket", "key", "size"})
//   bucket        the bucket name reported in message bodies; default: the directory
//   include       list of fnmatch(3) patterns matched on the file name ("*.jpg");
//                 default: every file
//   ignoreHidden  default true: names starting with '.' and names ending in .tmp,
//                 .part or .swp (what atomic writers use before renaming) are ignored
// Not recursive: only regular files directly in `directory`.
#pragma once
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "manifest/checker.h"

namespace ebb::manifest {

inline constexpr std::size_t kMaxIncludePatterns = 100;

void check_event_source_spec(const nlohmann::json& spec, const std::string& name, Checker& c);

// {body: "s3", ignoreHidden: true}; bucket defaults to spec.directory and include to
// "every file" (absent).
nlohmann::json event_source_defaults();

}  // namespace ebb::manifest

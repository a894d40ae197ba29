// SourceSpec: an EventSource's settings with defaults applied (manifest/
// event_source_kind.h documents the fields), and which file names it announces.
// Pure: no I/O.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ebb::source {

struct SourceSpec {
  std::string directory;
  std::string queue;
  std::string body = "s3";            // "s3" | "simple"
  std::string bucket;                 // defaults to `directory`
  std::vector<std::string> include;   // fnmatch patterns; empty = every file
  bool ignore_hidden = true;
};

// From a validated document's `spec` (missing or mistyped fields take defaults).
SourceSpec source_spec_from(const nlohmann::json& spec);

// True when `name` (a file name, no '/') is one the source announces: not hidden or
// a temporary name (".x", "*.tmp", "*.part", "*.swp") unless ignore_hidden is off,
// and matching one of `include` (fnmatch, no flags) when given.
bool accepts_file_name(const SourceSpec& s, std::string_view name);

}  // namespace ebb::source

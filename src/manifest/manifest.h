// Manifests (ecosystem.md §3.6, reliability.md §5.4): YAML/JSON documents in the
// Kubernetes shape, parsed strictly and validated per kind before anything changes.
// Shared by the CLI (parse + early validation) and ebbd (authoritative validation).
// Later kinds (Service, Schedule, Job, CronJob, Alarm, ...) register here.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace ebb::manifest {

// Parse one file's text (YAML, several documents, or JSON; `kind: List` expanded)
// into JSON documents. Errors (Code::Invalid) name the source, document and line.
Result<std::vector<nlohmann::json>> parse_documents(std::string_view text, std::string_view source);

// A document that passed validation for its kind.
struct Validated {
  std::string api_version;
  std::string kind;   // "Queue", ...
  std::string name;
  nlohmann::json doc; // the document, normalised (defaults filled in), status removed
};

// Strict validation: unknown fields, wrong types, names, ranges. Error messages start
// with the field path ("spec.visibilityTimeoutSeconds: must be between 0 and 43200").
Result<Validated> validate(const nlohmann::json& doc);

// Validate every document first; all-or-nothing (errors of all documents joined).
Result<std::vector<Validated>> validate_all(const std::vector<nlohmann::json>& docs);

// kind: Queue → what the SQS layer understands.
struct QueueSpec {
  std::string name;
  bool fifo = false;
  std::map<std::string, std::string> attributes;  // SQS attribute names/values, without RedrivePolicy
  std::string dead_letter_queue;                  // name, "" = none
  int max_receive_count = 0;
  std::map<std::string, std::string> tags;        // from metadata.labels
};
QueueSpec queue_spec(const Validated& v);

// Supported apiVersion/kind pairs, for error messages and `ebb api-resources`.
std::vector<std::pair<std::string, std::string>> supported_kinds();

}  // namespace ebb::manifest

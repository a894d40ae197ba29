// Manifests (ecosystem.md §3.6, reliability.md §5.4): YAML/JSON documents in the
// Kubernetes shape, parsed strictly and validated per kind before anything changes.
// Shared by the CLI (parse + early validation) and ebbd (authoritative validation).
// Kinds plug in with one row each in kinds.cc (Queue, Service, EventSource, Schedule,
// TaskDefinition, batch/v1 Job and CronJob, v1 ConfigMap, Alarm).
//
// Every error is Code::Invalid. Where several errors are reported at once, the
// message holds one error per line (the API puts each line into `details`).
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace ebb::manifest {

// Limits from reliability.md §5.4.
inline constexpr std::size_t kMaxManifestBytes = 1 << 20;  // larger files: error before reading
inline constexpr std::size_t kMaxExpandedNodes = 10'000;   // alias bombs stop here
inline constexpr int kMaxAliasDepth = 8;                   // aliases of aliases of …: rejected at 8

// Parse one file's text (YAML, several documents, or JSON; `kind: List` expanded)
// into JSON documents. Empty documents are skipped. Strict: duplicate keys, alias
// bombs, YAML 1.1 look-alike plain scalars (`on`, `0755`, `1e3`), unsupported tags and
// invalid UTF-8 are errors naming the line and column. Errors name `source` and the
// document number; all errors of the file are reported (one per line).
Result<std::vector<nlohmann::json>> parse_documents(std::string_view text, std::string_view source);

// A parsed document and where it came from ("thumbnails.yaml document 2",
// "- document 1 item 3"), for error messages.
struct Document {
  nlohmann::json doc;
  std::string origin;
};
// As parse_documents, keeping each document's origin.
Result<std::vector<Document>> parse_file(std::string_view text, std::string_view source);

// A document that passed validation for its kind.
struct Validated {
  std::string api_version;
  std::string kind;   // "Queue", ...
  std::string name;
  // The document with `status`, `metadata.namespace` and server-written metadata
  // (creationTimestamp, uid, resourceVersion, generation) removed. Defaults are NOT
  // filled in: what the user left out stays out, so apply can compare given fields.
  nlohmann::json doc;
  std::vector<std::string> warnings;  // e.g. "metadata.namespace: ignored (ebb has one namespace)"
};

// Strict validation: unknown fields, wrong types, names, ranges. Error messages start
// with the field path ("spec.visibilityTimeoutSeconds: must be between 0 and 43200");
// every error of the document is reported, one per line.
Result<Validated> validate(const nlohmann::json& doc);

// Validate every document first; all-or-nothing (errors of all documents, one per
// line, each prefixed with "document N (Kind/name): ").
Result<std::vector<Validated>> validate_all(const std::vector<nlohmann::json>& docs);
// Same, prefixing errors with each Document's origin instead of "document N".
Result<std::vector<Validated>> validate_all(const std::vector<Document>& docs);

// kind: Queue → what the SQS layer understands. Only fields the user gave appear in
// `attributes` (so apply can compare with the existing queue); a name ending ".fifo"
// means FIFO even when `fifo` is absent.
struct QueueSpec {
  std::string name;
  bool fifo = false;
  std::map<std::string, std::string> attributes;  // SQS attribute names/values, without RedrivePolicy
  std::string dead_letter_queue;                  // name, "" = none
  int max_receive_count = 0;
  std::map<std::string, std::string> tags;        // from metadata.labels
  // spec.redriveAllowPolicy; empty permission = not given. Source queues are names
  // (the server turns them into ARNs for the RedriveAllowPolicy attribute).
  std::string redrive_permission;                 // "allowAll" | "denyAll" | "byQueue" | ""
  std::vector<std::string> redrive_source_queues;
};
QueueSpec queue_spec(const Validated& v);

// Supported apiVersion/kind pairs, for error messages and `ebb api-resources`.
std::vector<std::pair<std::string, std::string>> supported_kinds();

}  // namespace ebb::manifest

// The table of manifest kinds. Adding a kind (Service, Schedule, Job, CronJob, Alarm,
// EventSource, TaskDefinition) is one row in kinds.cc plus its validator file.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "manifest/checker.h"

namespace ebb::manifest {

struct KindInfo {
  std::string_view api_version;  // "ebb/v1", "batch/v1"
  std::string_view kind;         // "Queue"
  // Reason the name is invalid for this kind, or "" (names.h).
  std::string (*check_name)(std::string_view name);
  // Validates `spec` (null when absent) of a document named `name`; reports through
  // `c` with paths starting at "spec".
  void (*check_spec)(const nlohmann::json& spec, const std::string& name, Checker& c);
  // Kinds without `spec` (v1 ConfigMap: data, binaryData, immutable beside metadata):
  // check_spec then receives the document minus apiVersion, kind, metadata and status,
  // reports unknown top-level fields itself, and its paths start at the top level.
  bool body_at_top_level = false;
};

// Every supported kind. Never empty.
const std::vector<KindInfo>& kinds();
const KindInfo* find_kind(std::string_view api_version, std::string_view kind);

}  // namespace ebb::manifest

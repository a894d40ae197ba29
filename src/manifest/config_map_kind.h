// kind: ConfigMap (apiVersion v1): plain key/value data that Job templates read with
// env valueFrom.configMapKeyRef (ecosystem.md §3.6). Kubernetes' shape, no `spec`:
//   data        map of key → string; keys 1-253 characters of [-._a-zA-Z0-9]
//   binaryData  map of key → base64 string; keys must not repeat those of data
//   immutable   boolean
// Total size of keys and values at most kMaxConfigMapBytes (Kubernetes' 1 MiB).
#pragma once
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "manifest/checker.h"

namespace ebb::manifest {

inline constexpr std::size_t kMaxConfigMapBytes = 1 << 20;

// `body` is the document without apiVersion, kind, metadata and status (KindInfo::
// body_at_top_level); paths start at the top level ("data[\"source-0\"]").
void check_config_map(const nlohmann::json& body, const std::string& name, Checker& c);

}  // namespace ebb::manifest

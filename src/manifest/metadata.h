// metadata of every kind: name (checked by the kind's rule), labels, annotations;
// namespace accepted and ignored with a warning (ecosystem.md §3.6); fields the
// server writes (creationTimestamp, uid, resourceVersion, generation) accepted so
// that what `ebb get -o yaml` prints can be applied back.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "manifest/checker.h"
#include "manifest/kinds.h"

namespace ebb::manifest {

// Returns metadata.name when it is a string (even if the kind's rule rejects it, so
// that later errors can still name the document).
std::optional<std::string> check_metadata(const nlohmann::json& doc, const KindInfo& kind, Checker& c);

// Fields of metadata that the server writes and apply ignores.
inline constexpr std::string_view kServerMetadata[] = {"creationTimestamp", "uid", "resourceVersion", "generation"};

}  // namespace ebb::manifest

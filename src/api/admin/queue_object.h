// The native API's Queue object (docs/api.md) built from engine state.
#pragma once
#include <string>

#include <nlohmann/json.hpp>

#include "queue/engine.h"

namespace ebb::admin {

// url_base: "http://host:port" or the public URL, without a trailing slash.
nlohmann::json queue_object(const Engine& engine, const QueueStats& s, const std::string& url_base, int64_t now_ms);

std::string rfc3339_seconds(int64_t epoch_seconds);

}  // namespace ebb::admin

// JSON answers and errors of the native API (docs/api.md): error bodies are
// {"error":{"code","message","details"}} with the status the code implies.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http/http_message.h"
#include "base/error.h"

namespace ebb::admin {

http::HttpResponse json_reply(int status, const nlohmann::json& body);
http::HttpResponse error_reply(const Error& e, const std::vector<std::string>& details = {});
http::HttpResponse error_reply(Code c, std::string message);

// Native API status and code for an ebb::Error (NonExistentQueue → 404 NotFound, ...).
int native_status(Code c);
std::string native_code(Code c);

}  // namespace ebb::admin

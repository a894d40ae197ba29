// ApiClient: ebbd's native API (docs/api.md) as JSON calls. Maps the API's error
// shape {"error":{"code","message","details"}} to CliErrors: 4xx and 503 → exit 1
// (refused; the server's code is shown), other 5xx and garbled answers → exit 3
// (the outcome is unknown).
#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "cli/cli_error.h"
#include "cli/http_client.h"

namespace ebb::cli {

class ApiClient {
 public:
  explicit ApiClient(std::string base_url) : http_(std::move(base_url)) {}

  const std::string& server() const { return http_.base_url(); }
  void set_auth(ClientAuth auth) { http_.set_auth(std::move(auth)); }
  void set_ca_file(std::string path) { http_.set_ca_file(std::move(path)); }

  Outcome<nlohmann::json> get(std::string_view path);
  Outcome<nlohmann::json> post(std::string_view path, const nlohmann::json& body,
                               std::chrono::seconds timeout = std::chrono::seconds(30));
  Outcome<nlohmann::json> del(std::string_view path);
  Outcome<nlohmann::json> put(std::string_view path, const nlohmann::json& body);

  // "/api/v1/queues/" + escaped name.
  std::string queue_path(std::string_view name) const { return "/api/v1/queues/" + http_.escape(name); }
  // Percent-escapes a path segment or query value.
  std::string escape(std::string_view text) const { return http_.escape(text); }

 private:
  Outcome<nlohmann::json> call(std::string_view method, std::string_view path, const std::string& body,
                               std::chrono::seconds timeout);
  HttpClient http_;
};

// True when `e` is the server's NotFound (404) answer.
bool is_not_found(const CliError& e);

// nlohmann dump that never throws on invalid UTF-8 (ecosystem.md §1.4 P5).
std::string dump_json(const nlohmann::json& j, int indent = -1);

}  // namespace ebb::cli

// A minimal blocking HTTP client over libcurl for talking to ebbd's /api/v1.
// One request at a time; not thread-safe. Failures to get an answer are CliErrors
// with exit 3 (unreachable, or sent but no reply: outcome unknown).
#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include "cli/cli_error.h"
#include "cli/client_auth.h"

namespace ebb::cli {

struct HttpResponse {
  long status = 0;
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(std::string base_url);  // "http://127.0.0.1:9324", no trailing slash
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  const std::string& base_url() const { return base_; }
  // Every request then carries the bearer token or is signed with SigV4 (service "ebb").
  void set_auth(ClientAuth auth) { auth_ = std::move(auth); }
  const ClientAuth& auth() const { return auth_; }
  // https://: trust the CA certificates in this PEM file instead of the system store.
  void set_ca_file(std::string path) { ca_file_ = std::move(path); }

  // method: GET, POST, DELETE. `path` starts with "/" and is already escaped.
  // `body` is sent as application/json when non-empty or when method is POST.
  Outcome<HttpResponse> request(std::string_view method, std::string_view path, std::string_view body,
                                std::chrono::seconds timeout = std::chrono::seconds(30));

  // Percent-escapes one path segment (a queue name).
  std::string escape(std::string_view segment) const;

 private:
  std::string base_;
  ClientAuth auth_;
  std::string ca_file_;
  void* curl_;  // CURL*, kept opaque so that callers need not include curl.h
};

}  // namespace ebb::cli

#include "cli/api_client.h"

namespace ebb::cli {

std::string dump_json(const nlohmann::json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool is_not_found(const CliError& e) { return e.exit == kExitRefused && e.message.rfind("NotFound:", 0) == 0; }

Outcome<nlohmann::json> ApiClient::get(std::string_view path) { return call("GET", path, "", std::chrono::seconds(30)); }

Outcome<nlohmann::json> ApiClient::post(std::string_view path, const nlohmann::json& body,
                                        std::chrono::seconds timeout) {
  return call("POST", path, dump_json(body), timeout);
}

Outcome<nlohmann::json> ApiClient::put(std::string_view path, const nlohmann::json& body) {
  return call("PUT", path, dump_json(body), std::chrono::seconds(30));
}

Outcome<nlohmann::json> ApiClient::del(std::string_view path) { return call("DELETE", path, "", std::chrono::seconds(30)); }

Outcome<nlohmann::json> ApiClient::call(std::string_view method, std::string_view path, const std::string& body,
                                        std::chrono::seconds timeout) {
  Outcome<HttpResponse> r = http_.request(method, path, body, timeout);
  if (!r.ok()) return r.error();
  nlohmann::json j = nlohmann::json::parse(r->body, nullptr, /*allow_exceptions=*/false);
  if (r->status >= 200 && r->status < 300) {
    if (j.is_discarded()) {
      return CliError{kExitUnreachable, std::string(method) + " " + std::string(path) + ": the server's answer is not JSON",
                      {r->body.substr(0, 200)}, ""};
    }
    return j;
  }
  // An error answer. 4xx and 503 are refusals: nothing changed.
  const bool refused = (r->status >= 400 && r->status < 500) || r->status == 503;
  CliError e{refused ? kExitRefused : kExitUnreachable, "", {}, ""};
  if (j.is_object() && j.contains("error") && j["error"].is_object()) {
    const nlohmann::json& err = j["error"];
    std::string code = err.value("code", "Error");
    std::string message = err.value("message", "");
    e.message = code + ": " + message;
    if (auto d = err.find("details"); d != err.end() && d->is_array()) {
      for (const auto& line : *d) {
        std::string text = line.is_string() ? line.get<std::string>() : dump_json(line);
        if (text != message) e.details.push_back(text);  // some answers repeat the message
      }
    }
  } else {
    std::string text = r->body.substr(0, 200);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    e.message = "HTTP " + std::to_string(r->status) + " from " + std::string(method) + " " + std::string(path) +
                (text.empty() ? "" : ": " + text);
  }
  if (!refused) e.details.push_back("the request may or may not have taken effect");
  if (r->status == 401) {
    const ClientAuth& a = http_.auth();
    e.hint = a.source.empty() ? "give a token with --token or EBB_TOKEN (ebb token create), or run where the admin "
                                "credentials file is readable (--credentials-file, EBB_CREDENTIALS_FILE)"
                              : "the credentials from " + a.source + " were refused";
  } else if (r->status == 403) {
    e.hint = "the token's scope does not allow this (ebb token create --scope write|admin)";
  }
  return e;
}

}  // namespace ebb::cli

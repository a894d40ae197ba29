#include "api/admin/admin_reply.h"

namespace ebb::admin {

int native_status(Code c) {
  switch (c) {
    case Code::NonExistentQueue:
    case Code::NotFound:
    case Code::ResourceNotFound: return 404;
    case Code::Conflict:
    case Code::QueueAlreadyExists:
    case Code::QueueDeletedRecently:
    case Code::PurgeQueueInProgress: return 409;
    case Code::Invalid: return 400;
    default: {
      int s = code_info(c).http_status;
      return s == 403 ? 400 : s;  // native callers fix their request; 403 means auth here
    }
  }
}

std::string native_code(Code c) {
  if (c == Code::NonExistentQueue) return "NotFound";
  // The short SQS name (without "AWS.SimpleQueueService.") reads best in the CLI.
  std::string_view q = code_info(c).query_code;
  constexpr std::string_view kPrefix = "AWS.SimpleQueueService.";
  if (q.starts_with(kPrefix)) q.remove_prefix(kPrefix.size());
  return std::string(q);
}

http::HttpResponse json_reply(int status, const nlohmann::json& body) {
  http::HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  r.body += '\n';
  return r;
}

http::HttpResponse error_reply(const Error& e, const std::vector<std::string>& details) {
  nlohmann::json err = {{"code", native_code(e.code)}, {"message", e.message}};
  err["details"] = details.empty() ? nlohmann::json::array({e.message}) : nlohmann::json(details);
  auto r = json_reply(native_status(e.code), {{"error", err}});
  r.error_code = native_code(e.code);
  return r;
}

http::HttpResponse error_reply(Code c, std::string message) { return error_reply(Error{c, std::move(message)}); }

}  // namespace ebb::admin

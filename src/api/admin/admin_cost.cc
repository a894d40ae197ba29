// GET /api/v1/cost?since=30d: the cost report of docs/cost.md (usage, Fargate
// price, always-on comparison, right-sizing advice), from memory.
#include "api/admin/admin_api.h"
#include "api/admin/admin_reply.h"
#include "api/http/query_string.h"
#include "obs/cost_model.h"

namespace ebb::admin {

void AdminApi::cost(const http::HttpRequest& req, http::Respond respond) {
  if (!activity_) return respond(error_reply(Code::NotFound, "cost accounting is not enabled on this server"));
  std::string since = "30d";
  if (req.query.find("since=") != std::string::npos) {
    auto v = http::query_param(req.query, "since");
    if (!v) return respond(error_reply(Code::Invalid, "since: malformed query parameter"));
    since = *v;
  }
  auto span = obs::parse_since(since);
  if (!span.ok()) return respond(error_reply(span.error()));
  const int64_t now = clock_.now_ms();
  respond(json_reply(200, activity_->cost_report(now - *span, now)));
}

}  // namespace ebb::admin

// Native API routes for alarms (docs/api.md "Alarms"): GET /alarms, GET and DELETE
// /alarms/NAME. Creating and changing go through POST /apply like every kind.
#include "alarm/alarm_controller.h"
#include "api/admin/admin_api.h"
#include "api/admin/admin_reply.h"

namespace ebb::admin {

bool AdminApi::handle_alarms(const std::vector<std::string>& s, const http::HttpRequest& req, http::Respond respond) {
  if (s.empty() || s[0] != "alarms" || s.size() > 2) return false;
  auto out = [respond](http::HttpResponse r) {
    r.api = "native";
    r.action = "alarms";
    respond(std::move(r));
  };
  auto* alarms = controllers_.alarms;
  if (!alarms) return out(error_reply(Code::ServiceUnavailable, "alarms are not available on this server")), true;
  const std::string& m = req.method;
  auto not_allowed = [] {
    auto r = error_reply(Code::Invalid, "method not allowed on this resource");
    r.status = 405;
    return r;
  };
  if (s.size() == 1) return out(m == "GET" ? json_reply(200, alarms->list()) : not_allowed()), true;
  const std::string& name = s[1];
  if (m == "GET") {
    auto a = alarms->get(name);
    return out(a.ok() ? json_reply(200, *a) : error_reply(a.error())), true;
  }
  if (m != "DELETE") return out(not_allowed()), true;
  auto t = alarms->remove(name);
  if (!t.ok()) return out(error_reply(t.error())), true;
  answer_when_durable(*t, json_reply(200, {{"deleted", "alarm/" + name}}), out);
  return true;
}

}  // namespace ebb::admin

// GET /api/v1/series: the time series ebbd keeps itself (docs/dashboard.md).
//   ?name=queue_visible,queue_in_flight&queue=thumbnails&range=1h
//     → {"columns":["t","queue_visible","queue_in_flight"],"step":1,"data":[[t…],[…],[…]]}
//       (`data` is uPlot's data argument; null = no sample). `names` and `since` are
//       accepted as spellings of `name` and `range`. Every other parameter is a label;
//       no label = the total over all queues/services.
//   without name → {"items":[{"name","labels","last","lastTime"}],"total":N}, paged
//     with offset/limit (default 100, at most 1000), filtered by the label parameters.
#include <cmath>

#include "api/admin/admin_api.h"
#include "api/admin/list_page.h"
#include "api/admin/admin_reply.h"
#include "api/http/query_string.h"
#include "obs/cost_model.h"

namespace ebb::admin {

namespace {

using nlohmann::json;

bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

void AdminApi::series(const http::HttpRequest& req, http::Respond respond) {
  if (!series_) return respond(error_reply(Code::NotFound, "time series are not kept on this server"));
  std::vector<std::string> names;
  std::string range = "1h";
  size_t offset = 0, limit = 100;
  obs::Labels labels;
  std::string_view q = req.query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view part = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view{} : q.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    auto k = http::percent_decode(part.substr(0, eq));
    auto v = http::percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1));
    if (!k || !v) return respond(error_reply(Code::Invalid, "malformed query string"));
    if (*k == "name" || *k == "names") {
      std::string_view list = *v;
      while (!list.empty()) {
        size_t comma = list.find(',');
        std::string one(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (!valid_name(one)) return respond(error_reply(Code::Invalid, "name: not a series name: " + one));
        names.push_back(std::move(one));
      }
      if (names.size() > 16) return respond(error_reply(Code::Invalid, "name: at most 16 series per request"));
    } else if (*k == "range" || *k == "since") {
      range = *v;
    } else if (*k == "offset") {
      auto n = parse_count(*v, 1'000'000'000);
      if (!n) return respond(error_reply(Code::Invalid, "offset: must be a non-negative integer"));
      offset = *n;
    } else if (*k == "limit") {
      auto n = parse_count(*v, 1000);
      if (!n || *n == 0) return respond(error_reply(Code::Invalid, "limit: must be between 1 and 1000"));
      limit = *n;
    } else if (valid_name(*k)) {
      if (v->size() > 256) return respond(error_reply(Code::Invalid, *k + ": label value too long"));
      labels[*k] = *v;
    } else {
      return respond(error_reply(Code::Invalid, "not a label name: " + *k));
    }
  }
  const int64_t now_s = clock_.now_ms() / 1000;
  if (names.empty()) {
    size_t total = 0;
    json items = json::array();
    for (auto& i : series_->list("", labels, offset, limit, &total)) {
      json j = {{"name", i.name}, {"labels", i.labels}, {"lastTime", i.last_s}};
      j["last"] = std::isfinite(i.last) ? json(i.last) : json(nullptr);
      items.push_back(std::move(j));
    }
    return respond(json_reply(200, {{"items", items}, {"total", total}, {"offset", offset}}));
  }
  auto span = obs::parse_since(range);
  if (!span.ok()) return respond(error_reply(span.error()));
  int64_t range_s = *span / 1000;
  auto max_s = series_->config().coarse_span_s;
  if (range_s < 1 || range_s > max_s)
    return respond(error_reply(Code::Invalid, "range: must be between 1s and " + std::to_string(max_s / 3600) + "h"));
  std::vector<std::pair<std::string, obs::Labels>> wanted;
  for (auto& n : names) wanted.emplace_back(n, labels);
  auto table = series_->query(wanted, range_s, now_s);
  json columns = json::array({"t"});
  for (auto& n : names) columns.push_back(n);
  json data = json::array();
  data.push_back(table.t);
  for (auto& col : table.columns) {
    json c = json::array();
    for (auto& v : col) c.push_back(v ? json(*v) : json(nullptr));
    data.push_back(std::move(c));
  }
  respond(json_reply(200, {{"columns", columns}, {"labels", labels}, {"step", table.step_s}, {"data", data}}));
}

}  // namespace ebb::admin

#include "api/admin/list_page.h"

#include "api/http/query_string.h"

namespace ebb::admin {

std::optional<size_t> parse_count(std::string_view v, size_t max) {
  // At most 10 digits: 9,999,999,999 fits size_t, so the loop cannot overflow.
  if (v.empty() || v.size() > 10) return std::nullopt;
  size_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + size_t(c - '0');
  }
  if (n > max) return std::nullopt;
  return n;
}

Result<ListPage> parse_list_page(const http::HttpRequest& req) {
  ListPage p;
  const std::string_view q = req.query;
  auto has = [&](std::string_view k) {
    return q.starts_with(std::string(k) + "=") || q.find("&" + std::string(k) + "=") != std::string_view::npos;
  };
  if (has("limit")) {
    auto v = http::query_param(q, "limit");
    auto n = v ? parse_count(*v, 1000) : std::nullopt;
    if (!n || *n == 0) return err(Code::Invalid, "limit: must be between 1 and 1000");
    p.paged = true;
    p.limit = *n;
  }
  if (has("offset")) {
    auto v = http::query_param(q, "offset");
    auto n = v ? parse_count(*v, 1'000'000'000) : std::nullopt;
    if (!n) return err(Code::Invalid, "offset: must be a non-negative integer");
    p.offset = *n;
  }
  if (has("filter")) {
    auto v = http::query_param(q, "filter");
    if (!v || v->size() > 256) return err(Code::Invalid, "filter: malformed or longer than 256 characters");
    p.filter = *v;
  }
  if (has("sort")) {
    auto v = http::query_param(q, "sort");
    if (!v || (*v != "name" && *v != "visible" && *v != "age"))
      return err(Code::Invalid, "sort: must be name, visible or age");
    p.sort = *v;
  }
  return p;
}

}  // namespace ebb::admin

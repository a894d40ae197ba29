// Server-side paging of the native API's lists (docs/api.md "Paging"), so the
// dashboard stays light at 1,000 queues and 10,000 tasks:
//   ?limit=N (1..1000) &offset=M &filter=SUBSTRING &sort=name|visible|age
// Without `limit` a list is whole, as before.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "api/http/http_message.h"
#include "base/result.h"

namespace ebb::admin {

struct ListPage {
  bool paged = false;
  size_t offset = 0, limit = 0;
  std::string filter;  // substring of the name (case-sensitive)
  std::string sort;    // "" = the list's own order
};

Result<ListPage> parse_list_page(const http::HttpRequest& req);

// A decimal count of at most 10 digits and at most `max` (query parameters such as
// limit, offset, points); nullopt for anything else (signs, spaces, empty).
std::optional<size_t> parse_count(std::string_view v, size_t max);

}  // namespace ebb::admin

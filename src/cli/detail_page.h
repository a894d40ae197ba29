// The building blocks of `describe` pages, kubectl's layout: "Label:  value" lines
// with the values in one column, indented sections, small tables, an Events table.
#pragma once
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/queue_view.h"
#include "cli/table.h"

namespace ebb::cli {

// "<none>" for "".
std::string or_none(const std::string& s);

// `label` padded to the value column (24), then `value` or <none>.
void detail_line(const char* label, const std::string& value, int indent = 0);

// "2026-11-27T22:39:58Z (3m ago)", "" when absent.
std::string time_with_age(const std::optional<std::string>& timestamp, TimePoint now);

// "2m (120s)"; "45s"; "" when absent.
std::string seconds_detail(const std::optional<int64_t>& s);

// `title` then the table indented by two spaces; `title <none>` when it has no rows.
void detail_table(const char* title, const Table& t, bool empty);

// Events: TYPE REASON AGE MESSAGE for the last `limit` of `events` (oldest first, the
// API's Event objects).
void detail_events(const nlohmann::json* events, TimePoint now, size_t limit = 20);

}  // namespace ebb::cli

#include "cli/eventsource_view.h"

#include <cstdio>

#include "cli/detail_page.h"
#include "cli/api_client.h"

namespace ebb::cli {

std::vector<std::string> eventsource_row(const nlohmann::json& es, bool wide, TimePoint now) {
  std::vector<std::string> row = {
      string_at(es, {"metadata", "name"}).value_or(""),
      scalar_text(find_at(es, {"spec", "directory"})),
      scalar_text(find_at(es, {"spec", "queue"})),
      scalar_text(find_at(es, {"status", "announced"})),
      scalar_text(find_at(es, {"status", "pending"})),
      age_of(es, now),
  };
  if (wide) {
    row.push_back(scalar_text(find_at(es, {"spec", "body"})));
    row.push_back(scalar_text(find_at(es, {"status", "lastFile"})));
  }
  return row;
}

void describe_eventsource(const nlohmann::json& es) {
  const TimePoint now = std::chrono::system_clock::now();
  detail_line("Name:", string_at(es, {"metadata", "name"}).value_or(""));
  detail_line("Labels:", labels_text(es));
  detail_line("Created:", time_with_age(string_at(es, {"metadata", "creationTimestamp"}), now));
  detail_line("Directory:", scalar_text(find_at(es, {"spec", "directory"})));
  detail_line("Queue:", scalar_text(find_at(es, {"spec", "queue"})));
  detail_line("Body:", scalar_text(find_at(es, {"spec", "body"})));
  std::printf("Status:\n");
  detail_line("Announced:", scalar_text(find_at(es, {"status", "announced"})), 2);
  detail_line("Pending:", scalar_text(find_at(es, {"status", "pending"})), 2);
  detail_line("Last file:", scalar_text(find_at(es, {"status", "lastFile"})), 2);
  detail_line("Last announced:", time_with_age(string_at(es, {"status", "lastAnnouncedAt"}), now), 2);
  const nlohmann::json* err = find_at(es, {"status", "error"});
  detail_line("Error:", err && err->is_object() ? dump_json(*err) : scalar_text(err), 2);
  detail_line("Events:", "");
}

}  // namespace ebb::cli

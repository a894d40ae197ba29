#include "cli/detail_page.h"

#include <cstdio>

#include "cli/human_format.h"

namespace ebb::cli {

std::string or_none(const std::string& s) { return s.empty() ? "<none>" : s; }

void detail_line(const char* label, const std::string& value, int indent) {
  std::printf("%*s%-*s%s\n", indent, "", 24 - indent, label, or_none(value).c_str());
}

std::string time_with_age(const std::optional<std::string>& timestamp, TimePoint now) {
  if (!timestamp || timestamp->empty()) return "";
  std::string age = age_since(timestamp, now);
  return *timestamp + (age.empty() ? "" : " (" + age + " ago)");
}

std::string seconds_detail(const std::optional<int64_t>& s) {
  if (!s) return "";
  std::string h = human_duration(std::chrono::seconds(*s));
  return h == std::to_string(*s) + "s" ? h : h + " (" + std::to_string(*s) + "s)";
}

void detail_table(const char* title, const Table& t, bool empty) {
  if (empty) {
    detail_line(title, "");
    return;
  }
  std::printf("%s\n", title);
  std::string text = t.render(false);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::printf("  %s\n", text.substr(start, end - start).c_str());
    start = end + 1;
  }
}

void detail_events(const nlohmann::json* events, TimePoint now, size_t limit) {
  Table t({"TYPE", "REASON", "AGE", "MESSAGE"});
  size_t n = events && events->is_array() ? events->size() : 0;
  for (size_t i = n > limit ? n - limit : 0; i < n; ++i) {
    const nlohmann::json& e = (*events)[i];
    std::string age = age_since(string_at(e, {"time"}), now);
    if (age.empty()) {
      if (auto ms = int_at(e, {"timeMs"})) {
        auto when = TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(*ms)));
        age = human_duration(std::chrono::duration_cast<std::chrono::seconds>(now - when));
      }
    }
    t.add_row({string_at(e, {"type"}).value_or(""), string_at(e, {"reason"}).value_or(""), age,
               string_at(e, {"message"}).value_or("")});
  }
  detail_table("Events:", t, n == 0);
}

}  // namespace ebb::cli

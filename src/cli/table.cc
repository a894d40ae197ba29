#include "cli/table.h"

#include <algorithm>

namespace ebb::cli {
namespace {

// Display width: count UTF-8 lead bytes, so names with non-ASCII letters align.
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (std::string& c : cells) {
    if (c.empty()) c = "<none>";
  }
  rows_.push_back(std::move(cells));
}

std::string Table::render(bool no_headers) const {
  std::vector<std::size_t> w(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], width(row[i]));
  };
  if (!no_headers) measure(headers_);
  for (const auto& r : rows_) measure(r);
  std::string out;
  auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(w[i] - width(row[i]) + 3, ' ');
    }
    out += line + "\n";
  };
  if (!no_headers) emit(headers_);
  for (const auto& r : rows_) emit(r);
  return out;
}

}  // namespace ebb::cli

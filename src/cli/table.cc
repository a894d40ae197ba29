#include "cli/table.h"

#include <algorithm>

namespace ebb::cli {
namespace {

// Display width: count UTF-8 lead bytes, so names with non-ASCII letters align.
std::size_t width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string emit(const std::vector<std::string>& row, const std::vector<std::size_t>& w) {
  std::string line;
  for (std::size_t i = 0; i < row.size(); ++i) {
    line += row[i];
    const std::size_t cw = i < w.size() ? w[i] : 0;
    const std::size_t have = width(row[i]);
    if (i + 1 < row.size()) line += std::string((cw > have ? cw - have : 0) + 3, ' ');
  }
  return line + "\n";
}

}  // namespace

void Table::add_row(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (std::string& c : cells) {
    if (c.empty()) c = "<none>";
  }
  rows_.push_back(std::move(cells));
}

std::vector<std::size_t> Table::widths(bool no_headers) const {
  std::vector<std::size_t> w(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], width(row[i]));
  };
  if (!no_headers) measure(headers_);
  for (const auto& r : rows_) measure(r);
  return w;
}

std::string Table::render(bool no_headers) const {
  const std::vector<std::size_t> w = widths(no_headers);
  std::string out;
  if (!no_headers) out += emit(headers_, w);
  for (const auto& r : rows_) out += emit(r, w);
  return out;
}

std::string Table::render_line(std::vector<std::string> cells, const std::vector<std::size_t>& widths) {
  for (std::string& c : cells) {
    if (c.empty()) c = "<none>";
  }
  return emit(cells, widths);
}

}  // namespace ebb::cli

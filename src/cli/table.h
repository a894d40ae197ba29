// Table output in kubectl's style (ecosystem.md §3.2): upper-case headers, columns
// padded and separated by three spaces, no borders, `<none>` for empty cells.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace ebb::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add_row(std::vector<std::string> cells);
  // The table as text, each line ending in '\n'; no header line when `no_headers`.
  std::string render(bool no_headers) const;
  // The width of each column as render() pads it.
  std::vector<std::size_t> widths(bool no_headers) const;

  // One line of `cells` padded to `widths` (a cell wider than its column pushes the
  // rest right), ending in '\n'; empty cells print as <none>. For `get --watch`,
  // whose later rows line up with the table printed first.
  static std::string render_line(std::vector<std::string> cells, const std::vector<std::size_t>& widths);

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace ebb::cli

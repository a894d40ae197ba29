#include "manifest/document_split.h"

namespace ebb::manifest {
namespace {

// `---` or `...` followed by end of line or a blank.
bool is_marker(std::string_view line, std::string_view marker) {
  if (line.substr(0, 3) != marker) return false;
  return line.size() == 3 || line[3] == ' ' || line[3] == '\t' || line[3] == '\r' || line[3] == '\n';
}

// True while a document holds only blank lines, comments and `%` directives: a `---`
// then opens this document rather than ending it.
bool only_preamble(std::string_view text) {
  std::size_t p = 0;
  while (p < text.size()) {
    std::size_t e = text.find('\n', p);
    if (e == std::string_view::npos) e = text.size();
    std::string_view line = text.substr(p, e - p);
    std::size_t first = line.find_first_not_of(" \t\r");
    if (first != std::string_view::npos && line[first] != '#' && line[first] != '%') return false;
    p = e + 1;
  }
  return true;
}

}  // namespace

std::vector<DocumentText> split_documents(std::string_view stream) {
  std::vector<DocumentText> docs(1);
  bool opened = false;  // the current document already had its `---`
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < stream.size()) {
    std::size_t nl = stream.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? stream.size() : nl + 1;
    std::string_view line = stream.substr(pos, end - pos);
    if (is_marker(line, "---")) {
      if (opened || !only_preamble(docs.back().text)) docs.push_back(DocumentText{"", line_no});
      opened = true;
      std::string rest(line);
      rest.replace(0, 3, "   ");  // keep columns of content after `--- `
      docs.back().text += rest;
    } else if (is_marker(line, "...")) {
      docs.push_back(DocumentText{"", line_no + 1});
      opened = false;
    } else {
      docs.back().text += line;
    }
    ++line_no;
    pos = end;
  }
  return docs;
}

}  // namespace ebb::manifest

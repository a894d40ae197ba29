#include "server/prometheus_text.h"

#include <cmath>
#include <cstdio>

namespace ebb::server {

std::string escape_label(std::string_view v) {
  std::string o;
  o.reserve(v.size());
  for (char c : v) {
    if (c == '\\') o += "\\\\";
    else if (c == '"') o += "\\\"";
    else if (c == '\n') o += "\\n";
    else o += c;
  }
  return o;
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, std::string_view name,
            std::initializer_list<std::pair<std::string_view, std::string_view>> labels, double value) {
  out.append(name);
  if (labels.size()) {
    out += '{';
    bool first = true;
    for (auto& [k, v] : labels) {
      if (!first) out += ',';
      first = false;
      out.append(k).append("=\"").append(escape_label(v)).append("\"");
    }
    out += '}';
  }
  char buf[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) std::snprintf(buf, sizeof buf, " %.0f\n", value);
  else std::snprintf(buf, sizeof buf, " %.17g\n", value);
  out += buf;
}

}  // namespace ebb::server

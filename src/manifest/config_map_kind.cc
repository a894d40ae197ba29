#include "manifest/config_map_kind.h"

#include <set>

namespace ebb::manifest {
namespace {

bool valid_key(const std::string& k) {
  if (k.empty() || k.size() > 253 || k == "." || k == "..") return false;
  for (char ch : k) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                    ch == '_' || ch == '.';
    if (!ok) return false;
  }
  return true;
}

bool base64_shape(const std::string& s) {
  if (s.size() % 4 != 0) return false;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    if (ch == '=') {
      ++pad;
      continue;
    }
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '+' ||
                    ch == '/';
    if (!ok || pad > 0) return false;  // '=' only at the end
  }
  return pad <= 2;
}

}  // namespace

void check_config_map(const nlohmann::json& body, const std::string& /*name*/, Checker& c) {
  if (!c.object(body, "", {"data", "binaryData", "immutable"})) return;
  std::set<std::string> keys;
  std::size_t total = 0;
  for (const char* section : {"data", "binaryData"}) {
    auto it = body.find(section);
    if (it == body.end()) continue;
    if (!it->is_object()) {
      c.error(section, "must be a map of strings, got " + describe_value(*it));
      continue;
    }
    const bool binary = std::string_view(section) == "binaryData";
    for (auto e = it->begin(); e != it->end(); ++e) {
      const std::string p = field_path(section, e.key());
      if (!valid_key(e.key())) c.error(p, "keys are 1-253 characters of letters, digits, '-', '_' and '.'");
      else if (!keys.insert(e.key()).second) c.error(p, "duplicate key (also in data)");
      std::optional<std::string> v = c.as_string(e.value(), p);
      if (!v) continue;
      if (binary && !base64_shape(*v)) c.error(p, "must be base64");
      total += e.key().size() + v->size();
    }
  }
  if (total > kMaxConfigMapBytes) {
    c.error("data", "keys and values take " + std::to_string(total) + " bytes; the limit is 1 MiB");
  }
  c.boolean(body, "immutable", "");
}

}  // namespace ebb::manifest

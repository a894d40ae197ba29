#include "cli/yaml_output.h"

#include <yaml-cpp/emitter.h>

#include "manifest/plain_scalar.h"

namespace ebb::cli {
namespace {

void emit_string(YAML::Emitter& out, const std::string& s) {
  const bool needs_quotes = manifest::classify_plain(s, false).kind != manifest::PlainScalar::Kind::String;
  if (s.find('\n') != std::string::npos) out << YAML::Literal << s;
  else if (needs_quotes) out << YAML::DoubleQuoted << s;
  else out << s;
}

void emit(YAML::Emitter& out, const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      out << YAML::BeginMap;
      for (auto it = j.begin(); it != j.end(); ++it) {
        out << YAML::Key;
        emit_string(out, it.key());
        out << YAML::Value;
        emit(out, it.value());
      }
      out << YAML::EndMap;
      return;
    case nlohmann::json::value_t::array:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      out << YAML::BeginSeq;
      for (const auto& e : j) emit(out, e);
      out << YAML::EndSeq;
      return;
    case nlohmann::json::value_t::string: emit_string(out, j.get<std::string>()); return;
    case nlohmann::json::value_t::boolean: out << (j.get<bool>() ? "true" : "false"); return;
    case nlohmann::json::value_t::null: out << YAML::Null; return;
    default: out << j.dump(); return;  // numbers: JSON's spelling is valid YAML
  }
}

}  // namespace

std::string to_yaml(const nlohmann::json& j) {
  YAML::Emitter out;
  emit(out, j);
  std::string s = out.c_str();
  if (s.empty() || s.back() != '\n') s += '\n';
  return s;
}

}  // namespace ebb::cli

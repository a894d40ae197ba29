#include "manifest/task_definition_kind.h"

#include <set>

#include "base/quantity.h"
#include "manifest/names.h"
#include "manifest/task_template_kind.h"

namespace ebb::manifest {
namespace {

bool all_digits(const std::string& s) {
  if (s.empty() || s.size() > 9) return false;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
  }
  return true;
}

std::string trim(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  return s;
}

// A decimal "0.25" → thousandths (250); nullopt unless digits with ≤ 3 decimals.
std::optional<int64_t> thousandths(const std::string& s) {
  std::size_t dot = s.find('.');
  std::string whole = s.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (!all_digits(whole) || frac.size() > 3 || (dot != std::string::npos && !all_digits(frac))) return std::nullopt;
  while (frac.size() < 3) frac += '0';
  return std::stoll(whole) * 1000 + std::stoll(frac);
}

// ECS cpu: CPU units ("256", 1024) or "N vCPU" → a Kubernetes CPU quantity.
std::optional<std::string> ecs_cpu(const nlohmann::json& v, const std::string& path, Checker& c) {
  std::string text = v.is_number_integer() ? v.dump() : v.is_string() ? trim(v.get<std::string>()) : "";
  int64_t millis = -1;
  if (all_digits(text)) {
    millis = (std::stoll(text) * 1000 + 512) / 1024;  // 1024 units = 1 vCPU
  } else if (text.size() > 5 && (text.ends_with("vCPU") || text.ends_with("vcpu"))) {
    if (auto t = thousandths(trim(text.substr(0, text.size() - 4)))) millis = *t;
  }
  if (millis <= 0) {
    c.error(path, "must be CPU units (1024 = 1 vCPU) or \"N vCPU\", got " + describe_value(v));
    return std::nullopt;
  }
  return format_cpu_millis(millis);
}

// ECS memory: MiB ("512", 2048) or "N GB" → a Kubernetes memory quantity.
std::optional<std::string> ecs_memory(const nlohmann::json& v, const std::string& path, Checker& c) {
  std::string text = v.is_number_integer() ? v.dump() : v.is_string() ? trim(v.get<std::string>()) : "";
  int64_t mib = -1;
  if (all_digits(text)) {
    mib = std::stoll(text);
  } else if (text.size() > 2 && (text.ends_with("GB") || text.ends_with("gb"))) {
    if (auto t = thousandths(trim(text.substr(0, text.size() - 2)))) mib = *t * 1024 / 1000;
  }
  if (mib <= 0) {
    c.error(path, "must be MiB (512) or \"N GB\", got " + describe_value(v));
    return std::nullopt;
  }
  return format_memory_bytes(mib * 1024 * 1024);
}

// The secret name of an ECS secret's valueFrom: the last ':'/'/' segment of an ARN
// or parameter name.
std::string secret_name(const std::string& value_from) {
  std::size_t cut = value_from.find_last_of(":/");
  return cut == std::string::npos ? value_from : value_from.substr(cut + 1);
}

class Importer {
 public:
  explicit Importer(Checker& c) : c_(c) {}

  // Known, ignored, or unknown (error) for each member of `obj`.
  void sort_fields(const nlohmann::json& obj, const std::string& path, std::initializer_list<std::string_view> known,
                   std::initializer_list<std::string_view> ignored) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      bool is_known = false, is_ignored = false;
      for (std::string_view k : known) is_known = is_known || k == it.key();
      for (std::string_view k : ignored) is_ignored = is_ignored || k == it.key();
      if (is_ignored) {
        if (warned_.insert(it.key()).second) c_.warn(field_path(path, it.key()), "AWS-only field, ignored by ebb");
      } else if (!is_known) {
        c_.error(field_path(path, it.key()), "unknown field (not supported in an ECS task definition import)");
      }
    }
  }

  nlohmann::json env(const nlohmann::json& ct, const std::string& path) {
    nlohmann::json out = nlohmann::json::array();
    if (auto e = ct.find("environment"); e != ct.end()) {
      const std::string p = field_path(path, "environment");
      if (!e->is_array()) {
        c_.error(p, "must be a list of {name, value}, got " + describe_value(*e));
      } else {
        for (std::size_t i = 0; i < e->size(); ++i) {
          const std::string ip = index_path(p, i);
          if (!c_.object((*e)[i], ip, {"name", "value"})) continue;
          std::optional<std::string> n = c_.string((*e)[i], "name", ip, true);
          std::optional<std::string> v = c_.string((*e)[i], "value", ip, true);
          if (n && v) out.push_back({{"name", *n}, {"value", *v}});
        }
      }
    }
    if (auto s = ct.find("secrets"); s != ct.end()) {
      const std::string p = field_path(path, "secrets");
      if (!s->is_array()) {
        c_.error(p, "must be a list of {name, valueFrom}, got " + describe_value(*s));
      } else {
        for (std::size_t i = 0; i < s->size(); ++i) {
          const std::string ip = index_path(p, i);
          if (!c_.object((*s)[i], ip, {"name", "valueFrom"})) continue;
          std::optional<std::string> n = c_.string((*s)[i], "name", ip, true);
          std::optional<std::string> v = c_.string((*s)[i], "valueFrom", ip, true);
          if (n && v) {
            nlohmann::json ref = {{"name", secret_name(*v)}, {"key", "value"}};
            out.push_back({{"name", *n}, {"valueFrom", {{"secretKeyRef", ref}}}});
          }
        }
      }
    }
    return out;
  }

  nlohmann::json convert(const nlohmann::json& ecs) {
    nlohmann::json doc = {{"apiVersion", "ebb/v1"}, {"kind", "TaskDefinition"}};
    sort_fields(ecs, "", {"family", "containerDefinitions", "cpu", "memory"},
                {"executionRoleArn", "taskRoleArn", "networkMode", "requiresCompatibilities", "runtimePlatform"});
    std::optional<std::string> family = c_.string(ecs, "family", "", true);
    doc["metadata"] = {{"name", family.value_or("")}};
    nlohmann::json spec = nlohmann::json::object();

    const nlohmann::json& cds = ecs["containerDefinitions"];
    if (!cds.is_array() || cds.empty()) {
      c_.error("containerDefinitions", "must be a non-empty list of containers, got " + describe_value(cds));
      doc["spec"] = spec;
      return doc;
    }
    if (cds.size() > 1) {
      c_.warn("containerDefinitions", "only the first container is run; " + std::to_string(cds.size() - 1) +
                                          " more ignored");
    }
    const std::string path = "containerDefinitions[0]";
    const nlohmann::json& ct = cds[0];
    if (!ct.is_object()) {
      c_.error(path, "must be an object, got " + describe_value(ct));
      doc["spec"] = spec;
      return doc;
    }
    sort_fields(ct, path,
                {"name", "image", "command", "entryPoint", "environment", "secrets", "workingDirectory", "stopTimeout",
                 "cpu", "memory", "memoryReservation"},
                {"logConfiguration", "essential", "portMappings"});
    c_.string(ct, "name", path);
    if (std::optional<std::string> image = c_.string(ct, "image", path)) spec["image"] = *image;

    nlohmann::json argv = nlohmann::json::array();
    for (const char* k : {"entryPoint", "command"}) {
      auto it = ct.find(k);
      if (it == ct.end()) continue;
      if (!it->is_array()) {
        c_.error(field_path(path, k), "must be a list of strings, got " + describe_value(*it));
        continue;
      }
      for (const auto& a : *it) argv.push_back(a);
    }
    if (!argv.empty()) spec["command"] = argv;
    nlohmann::json env = this->env(ct, path);
    if (!env.empty()) spec["env"] = env;
    if (std::optional<std::string> wd = c_.string(ct, "workingDirectory", path)) spec["workingDir"] = *wd;
    if (std::optional<int64_t> st = c_.integer(ct, "stopTimeout", path, 0, 120)) spec["stopTimeoutSeconds"] = *st;

    nlohmann::json resources = nlohmann::json::object();
    const nlohmann::json* cpu = ecs.contains("cpu") ? &ecs["cpu"] : ct.contains("cpu") ? &ct["cpu"] : nullptr;
    if (cpu) {
      if (auto q = ecs_cpu(*cpu, ecs.contains("cpu") ? "cpu" : field_path(path, "cpu"), c_)) resources["cpu"] = *q;
    }
    const char* mem_key = ct.contains("memory") ? "memory" : "memoryReservation";
    const nlohmann::json* mem = ecs.contains("memory") ? &ecs["memory"] : ct.contains(mem_key) ? &ct[mem_key] : nullptr;
    if (mem) {
      if (auto q = ecs_memory(*mem, ecs.contains("memory") ? "memory" : field_path(path, mem_key), c_)) {
        resources["memory"] = *q;
      }
    }
    if (!resources.empty()) spec["resources"] = resources;
    doc["spec"] = spec;
    return doc;
  }

 private:
  Checker& c_;
  std::set<std::string> warned_;
};

}  // namespace

void check_task_definition_spec(const nlohmann::json& spec, const std::string& /*name*/, Checker& c) {
  if (spec.is_null()) {
    c.error("spec", "required field is missing (a TaskDefinition needs spec.command)");
    return;
  }
  check_task_template(spec, "spec", c);
}

void check_task_definition_ref(const std::string& ref, const std::string& path, Checker& c) {
  std::size_t colon = ref.find(':');
  std::string family = ref.substr(0, colon);
  std::string why = check_dns1123_subdomain(family);
  if (!why.empty()) c.error(path, "task definition " + why);
  if (colon == std::string::npos) return;
  std::string rev = ref.substr(colon + 1);
  if (!all_digits(rev) || rev.size() > 9 || rev[0] == '0') {
    c.error(path, "must be FAMILY or FAMILY:REVISION with a revision of 1 or more, got \"" + ref + "\"");
  }
}

bool is_ecs_task_definition(const nlohmann::json& doc) {
  return doc.is_object() && doc.contains("family") && doc.contains("containerDefinitions") &&
         !doc.contains("apiVersion") && !doc.contains("kind");
}

nlohmann::json ecs_to_task_definition(const nlohmann::json& ecs, Checker& c) { return Importer(c).convert(ecs); }

}  // namespace ebb::manifest

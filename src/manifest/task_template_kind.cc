#include "manifest/task_template_kind.h"

#include <set>
#include <string>

#include "base/quantity.h"
#include "manifest/names.h"

namespace ebb::manifest {
namespace {

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// JSON-quoted and cut at 100 bytes, for messages about user strings.
std::string show(std::string_view s) {
  return nlohmann::json(std::string(s.substr(0, 100))).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool valid_env_name(std::string_view n) {
  auto first = [](char ch) { return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '_'; };
  if (n.empty() || !first(n.front())) return false;
  for (char ch : n) {
    if (!first(ch) && !(ch >= '0' && ch <= '9')) return false;
  }
  return true;
}

// A list of strings at `path` (command, args). Adds each item's argv size to `bytes`.
// Returns the number of valid items.
std::size_t check_argv_list(const nlohmann::json& v, const std::string& path, Checker& c, std::size_t& bytes) {
  if (!v.is_array()) {
    c.error(path, "must be a list of strings, got " + describe_value(v));
    return 0;
  }
  std::size_t ok = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::optional<std::string> s = c.as_string(v[i], index_path(path, i));
    if (!s) continue;
    // reliability.md §5.4: an argument with NUL would be cut short by execve.
    if (has_nul(*s)) {
      c.error(index_path(path, i), "must not contain a NUL character");
      continue;
    }
    bytes += s->size() + 1;
    ++ok;
  }
  return ok;
}

void check_command(const nlohmann::json& t, const std::string& path, Checker& c, std::size_t& bytes) {
  auto it = t.find("command");
  const std::string p = field_path(path, "command");
  if (it == t.end()) {
    // ecosystem.md §3.6: container users rely on the image's entrypoint.
    if (t.contains("image")) c.error(p, "the process runtime needs `command`; add it or use a container runtime");
    else c.error(p, "required field is missing");
    return;
  }
  if (it->is_array() && it->empty()) {
    c.error(p, "must not be empty");
    return;
  }
  check_argv_list(*it, p, c, bytes);
  if (it->is_array() && (*it)[0].is_string() && (*it)[0].get<std::string>().empty()) {
    c.error(index_path(p, 0), "the program must not be empty");
  }
}

void check_secret_ref(const nlohmann::json& ref, const std::string& path, Checker& c) {
  if (!c.object(ref, path, {"name", "key", "optional"})) return;
  std::optional<std::string> name = c.string(ref, "name", path, true);
  std::optional<std::string> key = c.string(ref, "key", path, true);
  c.boolean(ref, "optional", path);
  if (key && key->empty()) c.error(field_path(path, "key"), "must not be empty");
  if (!name) return;
  std::string why = check_dns1123_subdomain(*name);
  if (!why.empty()) c.error(field_path(path, "name"), "secret " + why);
  // Whether the secret exists is the server's check at apply (reliability.md §4.7).
}

void check_env_item(const nlohmann::json& e, const std::string& path, Checker& c, std::set<std::string>& seen,
                    std::size_t& bytes) {
  if (!c.object(e, path, {"name", "value", "valueFrom"})) return;
  std::optional<std::string> name = c.string(e, "name", path, true);
  if (name) {
    if (!valid_env_name(*name)) {
      c.error(field_path(path, "name"), show(*name) + " is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)");
    } else if (!seen.insert(*name).second) {
      c.error(field_path(path, "name"), "duplicate variable " + *name);
    }
  }
  const bool has_value = e.contains("value");
  const bool has_from = e.contains("valueFrom");
  if (has_value && has_from) c.error(path, "give either value or valueFrom, not both");
  std::size_t entry = name ? name->size() + 2 : 2;  // "NAME=" + value + NUL
  if (has_value) {
    std::optional<std::string> value = c.string(e, "value", path);
    if (value && has_nul(*value)) c.error(field_path(path, "value"), "must not contain a NUL character");
    else if (value) entry += value->size();
  }
  if (has_from) {
    const nlohmann::json& from = e["valueFrom"];
    const std::string fpath = field_path(path, "valueFrom");
    if (c.object(from, fpath, {"secretKeyRef"})) {
      if (from.contains("secretKeyRef")) check_secret_ref(from["secretKeyRef"], field_path(fpath, "secretKeyRef"), c);
      else c.error(fpath, "must name a source (secretKeyRef)");
    }
  }
  bytes += entry;
}

void check_env(const nlohmann::json& t, const std::string& path, Checker& c, std::size_t& bytes) {
  auto it = t.find("env");
  if (it == t.end()) return;
  const std::string p = field_path(path, "env");
  if (!it->is_array()) {
    c.error(p, "must be a list of {name, value} objects, got " + describe_value(*it));
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < it->size(); ++i) check_env_item((*it)[i], index_path(p, i), c, seen, bytes);
}

// Kubernetes writes quantities as strings but YAML turns `cpu: 2` into a number;
// accept both, as kubectl does.
std::optional<std::string> quantity_text(const nlohmann::json& v, const std::string& path, Checker& c) {
  if (v.is_number()) return v.dump();
  return c.as_string(v, path);
}

void check_resources(const nlohmann::json& t, const std::string& path, Checker& c) {
  auto it = t.find("resources");
  if (it == t.end()) return;
  const std::string p = field_path(path, "resources");
  if (!c.object(*it, p, {"cpu", "memory"})) return;
  if (auto cpu = it->find("cpu"); cpu != it->end()) {
    const std::string cp = field_path(p, "cpu");
    if (std::optional<std::string> s = quantity_text(*cpu, cp, c)) {
      Result<int64_t> r = parse_cpu_quantity(*s);
      if (!r.ok()) c.error(cp, r.error().message);
    }
  }
  if (auto mem = it->find("memory"); mem != it->end()) {
    const std::string mp = field_path(p, "memory");
    if (std::optional<std::string> s = quantity_text(*mem, mp, c)) {
      Result<int64_t> r = parse_memory_quantity(*s);
      if (!r.ok()) c.error(mp, r.error().message);
      else if (*r <= 0) c.error(mp, "must be greater than zero");
    }
  }
}

void check_runtime(const nlohmann::json& t, const std::string& path, Checker& c) {
  std::optional<std::string> runtime = c.string(t, "runtime", path);
  if (runtime && *runtime != "process") {
    c.error(field_path(path, "runtime"),
            "runtime " + show(*runtime) + " is not available; supported: process");
  }
  std::optional<std::string> image = c.string(t, "image", path);
  if (image && has_nul(*image)) c.error(field_path(path, "image"), "must not contain a NUL character");
}

}  // namespace

std::string absolute_path_problem(std::string_view p) {
  if (has_nul(p)) return "must not contain a NUL character";
  if (p.empty() || p.front() != '/') return "must be an absolute path (starting with /)";
  if (p.size() > 4096) return "must be at most 4096 characters";
  for (std::size_t i = 0; i < p.size();) {
    std::size_t slash = p.find('/', i);
    if (slash == std::string_view::npos) slash = p.size();
    if (p.substr(i, slash - i) == "..") return "must not contain \"..\"";
    i = slash + 1;
  }
  return "";
}

void check_task_template(const nlohmann::json& t, std::string_view path_in, Checker& c) {
  const std::string path(path_in);
  if (!c.object(t, path,
                {"command", "args", "env", "workingDir", "resources", "timeoutSeconds", "stopTimeoutSeconds",
                 "runtime", "image"})) {
    return;
  }
  std::size_t bytes = 0;
  check_command(t, path, c, bytes);
  if (auto args = t.find("args"); args != t.end()) check_argv_list(*args, field_path(path, "args"), c, bytes);
  check_env(t, path, c, bytes);
  // reliability.md §5.4: execve fails beyond ARG_MAX-like totals; say so at apply time.
  if (bytes > kMaxArgvEnvBytes) {
    c.error(path, "command, args and env together take " + std::to_string(bytes) + " bytes; the limit is " +
                      std::to_string(kMaxArgvEnvBytes) + " (128 KiB)");
  }
  if (std::optional<std::string> wd = c.string(t, "workingDir", path)) {
    std::string why = absolute_path_problem(*wd);
    if (!why.empty()) c.error(field_path(path, "workingDir"), why);
  }
  check_resources(t, path, c);
  c.integer(t, "timeoutSeconds", path, 1, 604800);
  c.integer(t, "stopTimeoutSeconds", path, 0, 3600);
  check_runtime(t, path, c);
}

void check_job_task(const nlohmann::json& task, const std::string& path, Checker& c) {
  if (!task.is_object()) {
    c.error(path, "must be an object, got " + describe_value(task));
    return;
  }
  constexpr int64_t kMaxInt32 = 2'147'483'647;
  nlohmann::json tmpl = task;
  for (const char* k : {"activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"}) tmpl.erase(k);
  c.integer(task, "activeDeadlineSeconds", path, 0, kMaxInt32);
  c.integer(task, "backoffLimit", path, 0, kMaxInt32);
  c.integer(task, "ttlSecondsAfterFinished", path, 0, kMaxInt32);
  check_task_template(tmpl, path, c);
}

}  // namespace ebb::manifest

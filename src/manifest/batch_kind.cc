#include "manifest/batch_kind.h"

#include <set>

#include "base/quantity.h"
#include "manifest/names.h"
#include "manifest/schedule_kind.h"
#include "manifest/task_template_kind.h"

namespace ebb::manifest {
namespace {

constexpr std::string_view kIndexAnnotation = "metadata.annotations['batch.kubernetes.io/job-completion-index']";
constexpr std::string_view kIndexLabel = "metadata.labels['batch.kubernetes.io/job-completion-index']";

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

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

// The DNS-1123 label rule (container and volume names): ≤ 63 of [a-z0-9-].
std::string dns_label_problem(std::string_view s) {
  if (s.size() > 63) return "must be at most 63 characters";
  std::string why = check_dns1123_subdomain(s);
  if (!why.empty()) return why;
  if (s.find('.') != std::string_view::npos) return "must not contain '.'";
  return "";
}

// scheduling.md §6.2: Kubernetes expands $(VAR) only in command, args and env values.
// ebb also expands it in configMapKeyRef.key (the seed article relies on it).
void warn_unexpanded(std::string_view value, const std::string& path, Checker& c) {
  if (value.find("$(") == std::string_view::npos) return;
  if (path.ends_with("configMapKeyRef.key"))
    c.warn(path, "$(…) is expanded by ebb; Kubernetes would look up the literal key");
  else
    c.warn(path, "$(…) is not expanded here (only in command, args and env values)");
}

// What the env section tells the Job-level checks.
struct EnvFacts {
  bool reads_index = false;  // a fieldRef to the job-completion-index annotation/label
};

// Per-document facts gathered while walking the pod template.
struct PodFacts {
  EnvFacts env;
  std::vector<std::string> container_names;
  std::string restart_policy;  // "" when absent
};

// A list of strings (command, args); bytes counts argv sizes (reliability.md §5.4).
void check_argv(const nlohmann::json& v, const std::string& path, bool non_empty, Checker& c, std::size_t& bytes) {
  if (!v.is_array()) {
    c.error(path, "must be a list of strings, got " + describe_value(v));
    return;
  }
  if (non_empty && v.empty()) c.error(path, "must not be empty");
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::optional<std::string> s = c.as_string(v[i], index_path(path, i));
    if (!s) continue;
    if (has_nul(*s)) c.error(index_path(path, i), "must not contain a NUL character");
    bytes += s->size() + 1;
  }
  if (non_empty && !v.empty() && v[0].is_string() && v[0].get<std::string>().empty()) {
    c.error(index_path(path, 0), "the program must not be empty");
  }
}

void check_key_ref(const nlohmann::json& ref, const std::string& path, const char* what, Checker& c) {
  if (!c.object(ref, path, {"name", "key", "optional"})) return;
  std::optional<std::string> name = c.string(ref, "name", path, true);
  std::optional<std::string> key = c.string(ref, "key", path, true);
  c.boolean(ref, "optional", path);
  if (name) {
    warn_unexpanded(*name, field_path(path, "name"), c);
    std::string why = check_dns1123_subdomain(*name);
    if (!why.empty() && name->find("$(") == std::string::npos) c.error(field_path(path, "name"), std::string(what) + " " + why);
  }
  if (key) {
    if (key->empty()) c.error(field_path(path, "key"), "must not be empty");
    else if (has_nul(*key)) c.error(field_path(path, "key"), "must not contain a NUL character");
    warn_unexpanded(*key, field_path(path, "key"), c);
  }
  // Whether the secret or config map exists is the server's check at apply
  // (reliability.md §4.7): the manifest alone cannot know.
}

void check_field_ref(const nlohmann::json& ref, const std::string& path, Checker& c, EnvFacts& facts) {
  if (!c.object(ref, path, {"fieldPath", "apiVersion"})) return;
  if (std::optional<std::string> api = c.string(ref, "apiVersion", path); api && *api != "v1") {
    c.error(field_path(path, "apiVersion"), "must be v1, got " + show(*api));
  }
  std::optional<std::string> fp = c.string(ref, "fieldPath", path, true);
  if (!fp) return;
  if (*fp == kIndexAnnotation || *fp == kIndexLabel) {
    facts.reads_index = true;
  } else if (*fp != "metadata.name" && *fp != "metadata.namespace") {
    c.error(field_path(path, "fieldPath"),
            show(*fp) + " is not supported; supported: metadata.name, metadata.namespace, " +
                std::string(kIndexAnnotation) + ", " + std::string(kIndexLabel));
  }
}

void check_env(const nlohmann::json& v, const std::string& path, Checker& c, std::size_t& bytes, EnvFacts& facts) {
  if (!v.is_array()) {
    c.error(path, "must be a list of {name, value} objects, got " + describe_value(v));
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = index_path(path, i);
    const nlohmann::json& e = v[i];
    if (!c.object(e, p, {"name", "value", "valueFrom"})) continue;
    std::optional<std::string> name = c.string(e, "name", p, true);
    if (name) {
      if (!valid_env_name(*name)) {
        c.error(field_path(p, "name"), show(*name) + " is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)");
      } else if (!seen.insert(*name).second) {
        c.error(field_path(p, "name"), "duplicate variable " + *name);
      }
    }
    std::size_t entry = name ? name->size() + 2 : 2;
    if (e.contains("value") && e.contains("valueFrom")) c.error(p, "give either value or valueFrom, not both");
    if (std::optional<std::string> value = c.string(e, "value", p)) {
      if (has_nul(*value)) c.error(field_path(p, "value"), "must not contain a NUL character");
      entry += value->size();
    }
    bytes += entry;
    auto from = e.find("valueFrom");
    if (from == e.end()) continue;
    const std::string fp = field_path(p, "valueFrom");
    if (!c.object(*from, fp, {"secretKeyRef", "configMapKeyRef", "fieldRef"})) continue;
    if (from->size() != 1) {
      c.error(fp, "must name exactly one source (secretKeyRef, configMapKeyRef or fieldRef)");
      continue;
    }
    if (auto r = from->find("secretKeyRef"); r != from->end()) check_key_ref(*r, field_path(fp, "secretKeyRef"), "secret", c);
    if (auto r = from->find("configMapKeyRef"); r != from->end()) {
      check_key_ref(*r, field_path(fp, "configMapKeyRef"), "config map", c);
    }
    if (auto r = from->find("fieldRef"); r != from->end()) check_field_ref(*r, field_path(fp, "fieldRef"), c, facts);
  }
}

// Kubernetes writes quantities as strings, YAML turns `cpu: 2` into a number.
std::optional<std::string> quantity_text(const nlohmann::json& v, const std::string& path, Checker& c) {
  if (v.is_number_integer()) return v.dump();
  return c.as_string(v, path);
}

// {cpu, memory, ephemeral-storage, DOMAIN/NAME (extended resources, stored)} →
// millicores/bytes for the requests ≤ limits check.
void check_resource_list(const nlohmann::json& v, const std::string& path, Checker& c,
                         std::optional<int64_t>& cpu, std::optional<int64_t>& memory) {
  if (!v.is_object()) {
    c.error(path, "must be a map of quantities ({cpu: 500m, memory: 1Gi}), got " + describe_value(v));
    return;
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string p = field_path(path, it.key());
    const bool extended = it.key().find('/') != std::string::npos;
    if (it.key() != "cpu" && it.key() != "memory" && it.key() != "ephemeral-storage" && !extended) {
      c.error(p, "unknown field (resources: cpu, memory, ephemeral-storage, or DOMAIN/NAME)");
      continue;
    }
    std::optional<std::string> s = quantity_text(it.value(), p, c);
    if (!s) continue;
    if (it.key() == "cpu") {
      Result<int64_t> r = parse_cpu_quantity(*s);
      if (!r.ok()) c.error(p, r.error().message);
      else cpu = *r;
    } else {
      Result<int64_t> r = parse_memory_quantity(*s);  // plain counts parse as bytes too
      if (!r.ok()) c.error(p, r.error().message);
      else if (it.key() == "memory") memory = *r;
    }
  }
}

void check_resources(const nlohmann::json& v, const std::string& path, Checker& c) {
  if (!c.object(v, path, {"requests", "limits"})) return;
  std::optional<int64_t> rcpu, rmem, lcpu, lmem;
  if (auto r = v.find("requests"); r != v.end()) check_resource_list(*r, field_path(path, "requests"), c, rcpu, rmem);
  if (auto l = v.find("limits"); l != v.end()) check_resource_list(*l, field_path(path, "limits"), c, lcpu, lmem);
  if (rcpu && lcpu && *rcpu > *lcpu) c.error(field_path(field_path(path, "requests"), "cpu"), "must not exceed limits.cpu");
  if (rmem && lmem && *rmem > *lmem) {
    c.error(field_path(field_path(path, "requests"), "memory"), "must not exceed limits.memory");
  }
  if (lmem && *lmem <= 0) c.error(field_path(field_path(path, "limits"), "memory"), "must be greater than zero");
}

void check_id(const nlohmann::json& obj, const char* key, const std::string& path, Checker& c) {
  c.integer(obj, key, path, 0, kMaxInt32);
}

void check_container_security(const nlohmann::json& v, const std::string& path, Checker& c) {
  if (!c.object(v, path,
                {"runAsUser", "runAsGroup", "runAsNonRoot", "allowPrivilegeEscalation", "readOnlyRootFilesystem",
                 "privileged", "capabilities"})) {
    return;
  }
  // runAsUser 0 needs the server's --allow-root-tasks (reliability.md §4.6): the
  // server decides, the manifest cannot know the flag.
  check_id(v, "runAsUser", path, c);
  check_id(v, "runAsGroup", path, c);
  for (const char* b : {"runAsNonRoot", "allowPrivilegeEscalation", "readOnlyRootFilesystem", "privileged"}) {
    c.boolean(v, b, path);
  }
  if (std::optional<bool> nonroot = c.boolean(v, "runAsNonRoot", path); nonroot && *nonroot) {
    if (auto u = v.find("runAsUser"); u != v.end() && u->is_number_integer() && u->get<int64_t>() == 0) {
      c.error(field_path(path, "runAsUser"), "is 0 (root) but runAsNonRoot is true");
    }
  }
  if (auto caps = v.find("capabilities"); caps != v.end()) {
    const std::string p = field_path(path, "capabilities");
    if (c.object(*caps, p, {"add", "drop"})) {
      for (const char* k : {"add", "drop"}) {
        auto l = caps->find(k);
        if (l == caps->end()) continue;
        if (!l->is_array()) {
          c.error(field_path(p, k), "must be a list of strings, got " + describe_value(*l));
          continue;
        }
        for (std::size_t i = 0; i < l->size(); ++i) c.as_string((*l)[i], index_path(field_path(p, k), i));
      }
    }
  }
}

void check_volume_mounts(const nlohmann::json& v, const std::string& path, Checker& c) {
  if (!v.is_array()) {
    c.error(path, "must be a list of {name, mountPath} objects, got " + describe_value(v));
    return;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = index_path(path, i);
    if (!c.object(v[i], p, {"name", "mountPath", "readOnly", "subPath"})) continue;
    c.string(v[i], "name", p, true);
    if (std::optional<std::string> mp = c.string(v[i], "mountPath", p, true)) {
      std::string why = absolute_path_problem(*mp);
      if (!why.empty()) c.error(field_path(p, "mountPath"), why);
    }
    c.boolean(v[i], "readOnly", p);
    c.string(v[i], "subPath", p);
  }
}

// A field stored for other runtimes: only its JSON type is checked here.
void check_opaque(const nlohmann::json& obj, const char* key, const std::string& path, bool list, Checker& c) {
  auto it = obj.find(key);
  if (it == obj.end()) return;
  if (list ? !it->is_array() : !it->is_object()) {
    c.error(field_path(path, key), std::string("must be ") + (list ? "a list" : "an object") + ", got " + describe_value(*it));
  }
}

void check_container(const nlohmann::json& ct, const std::string& path, Checker& c, PodFacts& facts) {
  if (!c.object(ct, path,
                {"name", "image", "imagePullPolicy", "command", "args", "env", "envFrom", "workingDir", "resources",
                 "securityContext", "volumeMounts", "ports", "livenessProbe", "readinessProbe", "startupProbe",
                 "lifecycle", "terminationMessagePath", "terminationMessagePolicy", "stdin", "tty"})) {
    return;
  }
  if (std::optional<std::string> name = c.string(ct, "name", path, true)) {
    std::string why = dns_label_problem(*name);
    if (!why.empty()) c.error(field_path(path, "name"), "container name " + show(*name) + ": " + why);
    facts.container_names.push_back(*name);
  }
  if (std::optional<std::string> image = c.string(ct, "image", path); image && has_nul(*image)) {
    c.error(field_path(path, "image"), "must not contain a NUL character");
  }
  c.one_of(ct, "imagePullPolicy", path, {"Always", "IfNotPresent", "Never"});
  std::size_t bytes = 0;
  if (auto cmd = ct.find("command"); cmd != ct.end()) check_argv(*cmd, field_path(path, "command"), true, c, bytes);
  if (auto args = ct.find("args"); args != ct.end()) check_argv(*args, field_path(path, "args"), false, c, bytes);
  if (auto env = ct.find("env"); env != ct.end()) check_env(*env, field_path(path, "env"), c, bytes, facts.env);
  if (bytes > kMaxArgvEnvBytes) {
    c.error(path, "command, args and env together take " + std::to_string(bytes) + " bytes; the limit is " +
                      std::to_string(kMaxArgvEnvBytes) + " (128 KiB)");
  }
  if (std::optional<std::string> wd = c.string(ct, "workingDir", path)) {
    std::string why = absolute_path_problem(*wd);
    if (!why.empty()) c.error(field_path(path, "workingDir"), why);
    warn_unexpanded(*wd, field_path(path, "workingDir"), c);
  }
  if (auto r = ct.find("resources"); r != ct.end()) check_resources(*r, field_path(path, "resources"), c);
  if (auto s = ct.find("securityContext"); s != ct.end()) check_container_security(*s, field_path(path, "securityContext"), c);
  if (auto m = ct.find("volumeMounts"); m != ct.end()) check_volume_mounts(*m, field_path(path, "volumeMounts"), c);
  for (const char* k : {"envFrom", "ports"}) check_opaque(ct, k, path, true, c);
  for (const char* k : {"livenessProbe", "readinessProbe", "startupProbe", "lifecycle"}) check_opaque(ct, k, path, false, c);
  c.string(ct, "terminationMessagePath", path);
  c.one_of(ct, "terminationMessagePolicy", path, {"File", "FallbackToLogsOnError"});
  c.boolean(ct, "stdin", path);
  c.boolean(ct, "tty", path);
}

void check_containers(const nlohmann::json& spec, const char* key, const std::string& path, bool required, Checker& c,
                      PodFacts& facts) {
  auto it = spec.find(key);
  const std::string p = field_path(path, key);
  if (it == spec.end()) {
    if (required) c.error(p, "required field is missing (a pod needs one container)");
    return;
  }
  if (!it->is_array()) {
    c.error(p, "must be a list of containers, got " + describe_value(*it));
    return;
  }
  if (required && it->empty()) c.error(p, "must have at least one container");
  for (std::size_t i = 0; i < it->size(); ++i) check_container((*it)[i], index_path(p, i), c, facts);
}

void check_volumes(const nlohmann::json& v, const std::string& path, Checker& c) {
  if (!v.is_array()) {
    c.error(path, "must be a list of volumes, got " + describe_value(v));
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::string p = index_path(path, i);
    if (!c.object(v[i], p,
                  {"name", "emptyDir", "hostPath", "configMap", "secret", "persistentVolumeClaim", "projected",
                   "downwardAPI", "ephemeral", "csi", "nfs"})) {
      continue;
    }
    if (std::optional<std::string> name = c.string(v[i], "name", p, true)) {
      std::string why = dns_label_problem(*name);
      if (!why.empty()) c.error(field_path(p, "name"), "volume name " + show(*name) + ": " + why);
      else if (!seen.insert(*name).second) c.error(field_path(p, "name"), "duplicate volume " + *name);
    }
    if (v[i].size() != 2) c.error(p, "must have a name and exactly one volume source (emptyDir, hostPath, …)");
    if (auto ed = v[i].find("emptyDir"); ed != v[i].end()) {
      const std::string ep = field_path(p, "emptyDir");
      if (c.object(*ed, ep, {"medium", "sizeLimit"})) {
        c.one_of(*ed, "medium", ep, {"", "Memory"});
        if (auto sl = ed->find("sizeLimit"); sl != ed->end()) {
          if (std::optional<std::string> s = quantity_text(*sl, field_path(ep, "sizeLimit"), c)) {
            Result<int64_t> r = parse_memory_quantity(*s);
            if (!r.ok()) c.error(field_path(ep, "sizeLimit"), r.error().message);
          }
        }
      }
    }
    for (const char* k : {"hostPath", "configMap", "secret", "persistentVolumeClaim", "projected", "downwardAPI",
                          "ephemeral", "csi", "nfs"}) {
      check_opaque(v[i], k, p, false, c);
    }
  }
}

void check_pod_security(const nlohmann::json& v, const std::string& path, Checker& c) {
  if (!c.object(v, path, {"runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup", "supplementalGroups"})) return;
  check_id(v, "runAsUser", path, c);
  check_id(v, "runAsGroup", path, c);
  check_id(v, "fsGroup", path, c);
  c.boolean(v, "runAsNonRoot", path);
  check_opaque(v, "supplementalGroups", path, true, c);
}

void check_pod_spec(const nlohmann::json& spec, const std::string& path, Checker& c, PodFacts& facts) {
  if (!c.object(spec, path,
                {"containers", "initContainers", "restartPolicy", "terminationGracePeriodSeconds", "volumes",
                 "nodeSelector", "tolerations", "affinity", "serviceAccountName", "automountServiceAccountToken",
                 "securityContext", "imagePullSecrets", "priorityClassName", "hostname", "subdomain", "dnsPolicy",
                 "schedulerName", "topologySpreadConstraints"})) {
    return;
  }
  check_containers(spec, "containers", path, true, c, facts);
  PodFacts init_facts;
  check_containers(spec, "initContainers", path, false, c, init_facts);
  std::set<std::string> names;
  for (const std::string& n : facts.container_names) {
    if (!names.insert(n).second) c.error(field_path(path, "containers"), "duplicate container name " + n);
  }
  // scheduling.md §6.1: Never or OnFailure; Kubernetes' default Always is rejected.
  if (std::optional<std::string> rp = c.string(spec, "restartPolicy", path)) {
    if (*rp == "Never" || *rp == "OnFailure") facts.restart_policy = *rp;
    else c.error(field_path(path, "restartPolicy"), "must be Never or OnFailure for a Job, got " + show(*rp));
  } else if (!spec.contains("restartPolicy")) {
    // The seed article's ETL Job omits it (Kubernetes would refuse it); ebb must accept
    // that document, so it runs as Never and says so.
    c.warn(field_path(path, "restartPolicy"), "not set; ebb uses Never (Kubernetes requires Never or OnFailure)");
  }
  c.integer(spec, "terminationGracePeriodSeconds", path, 0, 3600);
  if (auto v = spec.find("volumes"); v != spec.end()) check_volumes(*v, field_path(path, "volumes"), c);
  if (auto ns = spec.find("nodeSelector"); ns != spec.end()) {
    const std::string p = field_path(path, "nodeSelector");
    if (!ns->is_object()) c.error(p, "must be a map of strings, got " + describe_value(*ns));
    else for (auto it = ns->begin(); it != ns->end(); ++it) c.as_string(it.value(), field_path(p, it.key()));
  }
  for (const char* k : {"tolerations", "imagePullSecrets", "topologySpreadConstraints"}) check_opaque(spec, k, path, true, c);
  check_opaque(spec, "affinity", path, false, c);
  for (const char* k : {"serviceAccountName", "priorityClassName", "hostname", "subdomain", "dnsPolicy", "schedulerName"}) {
    c.string(spec, k, path);
  }
  c.boolean(spec, "automountServiceAccountToken", path);
  if (auto s = spec.find("securityContext"); s != spec.end()) check_pod_security(*s, field_path(path, "securityContext"), c);

  // ecosystem.md §3.6: stored for container runtimes; the process runtime refuses
  // such a container when it starts. A warning here keeps the seed documents valid.
  if (auto cts = spec.find("containers"); cts != spec.end() && cts->is_array()) {
    for (std::size_t i = 0; i < cts->size(); ++i) {
      if ((*cts)[i].is_object() && !(*cts)[i].contains("command")) {
        c.warn(field_path(index_path(field_path(path, "containers"), i), "command"), kProcessNeedsCommand);
      }
    }
  }
}

void check_string_map(const nlohmann::json& md, const char* key, const std::string& path, bool label_values,
                      Checker& c) {
  auto it = md.find(key);
  if (it == md.end()) return;
  const std::string p = field_path(path, key);
  if (!it->is_object()) {
    c.error(p, "must be a map of strings, got " + describe_value(*it));
    return;
  }
  for (auto e = it->begin(); e != it->end(); ++e) {
    const std::string ep = field_path(p, e.key());
    std::string why = check_label_key(e.key());
    if (!why.empty()) c.error(ep, why);
    std::optional<std::string> v = c.as_string(e.value(), ep);
    if (!v || !label_values) continue;
    // The seed's ETL Job carries a Helm placeholder here ("{{ .Values.date }}") and must
    // validate unchanged: the kubernetes runtime refuses it, the others ignore labels.
    std::string vwhy = check_label_value(*v);
    if (!vwhy.empty()) c.warn(ep, vwhy + " (the kubernetes runtime will refuse it)");
  }
}

void check_pod_template(const nlohmann::json& t, const std::string& path, Checker& c, PodFacts& facts) {
  if (!c.object(t, path, {"metadata", "spec"})) return;
  if (auto md = t.find("metadata"); md != t.end()) {
    const std::string mp = field_path(path, "metadata");
    if (c.object(*md, mp, {"labels", "annotations", "name"})) {
      check_string_map(*md, "labels", mp, true, c);
      check_string_map(*md, "annotations", mp, false, c);
      c.string(*md, "name", mp);
    }
  }
  if (auto s = t.find("spec"); s != t.end()) check_pod_spec(*s, field_path(path, "spec"), c, facts);
  else c.error(field_path(path, "spec"), "required field is missing");
}

void check_exit_codes(const nlohmann::json& v, const std::string& path, const PodFacts& facts, Checker& c) {
  if (!c.object(v, path, {"containerName", "operator", "values"})) return;
  if (std::optional<std::string> cn = c.string(v, "containerName", path)) {
    bool known = false;
    for (const std::string& n : facts.container_names) known = known || n == *cn;
    if (!known) c.error(field_path(path, "containerName"), "no container named " + show(*cn) + " in the template");
  }
  std::optional<std::string> op = c.one_of(v, "operator", path, {"In", "NotIn"}, true);
  auto vals = v.find("values");
  const std::string vp = field_path(path, "values");
  if (vals == v.end()) {
    c.error(vp, "required field is missing");
    return;
  }
  if (!vals->is_array() || vals->empty() || vals->size() > 255) {
    c.error(vp, "must be a list of 1 to 255 exit codes");
    return;
  }
  int64_t prev = -1;
  for (std::size_t i = 0; i < vals->size(); ++i) {
    const nlohmann::json& e = (*vals)[i];
    const std::string ep = index_path(vp, i);
    if (!e.is_number_integer() || e.get<int64_t>() < 0 || e.get<int64_t>() > 255) {
      c.error(ep, "must be an exit code between 0 and 255, got " + describe_value(e));
      continue;
    }
    int64_t n = e.get<int64_t>();
    if (n == 0 && op == "In") c.error(ep, "0 is not allowed with operator In (exit 0 is a success)");
    if (n <= prev) c.error(ep, "values must be sorted ascending without duplicates");
    prev = n;
  }
}

void check_pod_failure_policy(const nlohmann::json& v, const std::string& path, const PodFacts& facts,
                              bool per_index, Checker& c) {
  if (!c.object(v, path, {"rules"})) return;
  if (facts.restart_policy == "OnFailure") {
    c.error(path, "needs template.spec.restartPolicy: Never");
  }
  auto rules = v.find("rules");
  const std::string rp = field_path(path, "rules");
  if (rules == v.end()) {
    c.error(rp, "required field is missing");
    return;
  }
  if (!rules->is_array()) {
    c.error(rp, "must be a list of rules, got " + describe_value(*rules));
    return;
  }
  if (rules->size() > kMaxPodFailureRules) {
    c.error(rp, "at most " + std::to_string(kMaxPodFailureRules) + " rules, got " + std::to_string(rules->size()));
    return;
  }
  for (std::size_t i = 0; i < rules->size(); ++i) {
    const nlohmann::json& r = (*rules)[i];
    const std::string p = index_path(rp, i);
    if (!c.object(r, p, {"action", "onExitCodes", "onPodConditions"})) continue;
    std::optional<std::string> action = c.one_of(r, "action", p, {"FailJob", "FailIndex", "Ignore", "Count"}, true);
    if (action == "FailIndex" && !per_index) c.error(field_path(p, "action"), "FailIndex needs backoffLimitPerIndex");
    const bool codes = r.contains("onExitCodes");
    const bool conds = r.contains("onPodConditions");
    if (codes == conds) c.error(p, "give exactly one of onExitCodes and onPodConditions");
    if (codes) check_exit_codes(r["onExitCodes"], field_path(p, "onExitCodes"), facts, c);
    if (conds) {
      const nlohmann::json& pc = r["onPodConditions"];
      const std::string pcp = field_path(p, "onPodConditions");
      if (!pc.is_array() || pc.empty()) {
        c.error(pcp, "must be a non-empty list of {type, status}");
        continue;
      }
      for (std::size_t j = 0; j < pc.size(); ++j) {
        const std::string ep = index_path(pcp, j);
        if (!c.object(pc[j], ep, {"type", "status"})) continue;
        c.string(pc[j], "type", ep, true);
        c.one_of(pc[j], "status", ep, {"True", "False", "Unknown"});
      }
    }
  }
}

// "0-2,5": ascending, non-overlapping intervals below `completions`.
void check_index_intervals(const std::string& s, const std::string& path, std::optional<int64_t> completions,
                           Checker& c) {
  int64_t last = -1;
  std::size_t p = 0;
  while (p <= s.size()) {
    std::size_t comma = s.find(',', p);
    if (comma == std::string::npos) comma = s.size();
    std::string part = s.substr(p, comma - p);
    std::size_t dash = part.find('-');
    auto num = [](const std::string& t) -> std::optional<int64_t> {
      if (t.empty() || t.size() > 9) return std::nullopt;
      for (char ch : t) {
        if (ch < '0' || ch > '9') return std::nullopt;
      }
      return std::stoll(t);
    };
    std::optional<int64_t> lo = num(dash == std::string::npos ? part : part.substr(0, dash));
    std::optional<int64_t> hi = dash == std::string::npos ? lo : num(part.substr(dash + 1));
    if (!lo || !hi || *hi < *lo || *lo <= last) {
      c.error(path, "must be ascending index intervals like \"0-2,5\", got " + show(s));
      return;
    }
    if (completions && *hi >= *completions) {
      c.error(path, "index " + std::to_string(*hi) + " is not below completions (" + std::to_string(*completions) + ")");
      return;
    }
    last = *hi;
    p = comma + 1;
  }
}

void check_success_policy(const nlohmann::json& v, const std::string& path, std::optional<int64_t> completions,
                          Checker& c) {
  if (!c.object(v, path, {"rules"})) return;
  auto rules = v.find("rules");
  const std::string rp = field_path(path, "rules");
  if (rules == v.end() || !rules->is_array() || rules->empty() || rules->size() > 20) {
    c.error(rp, "must be a list of 1 to 20 rules");
    return;
  }
  for (std::size_t i = 0; i < rules->size(); ++i) {
    const std::string p = index_path(rp, i);
    const nlohmann::json& r = (*rules)[i];
    if (!c.object(r, p, {"succeededIndexes", "succeededCount"})) continue;
    if (r.empty()) c.error(p, "give succeededIndexes, succeededCount or both");
    if (std::optional<std::string> si = c.string(r, "succeededIndexes", p)) {
      check_index_intervals(*si, field_path(p, "succeededIndexes"), completions, c);
    }
    std::optional<int64_t> n = c.integer(r, "succeededCount", p, 1, kMaxInt32);
    if (n && completions && *n > *completions) {
      c.error(field_path(p, "succeededCount"), "must be at most completions (" + std::to_string(*completions) + ")");
    }
  }
}

bool is_indexed(const nlohmann::json& spec) {
  auto m = spec.find("completionMode");
  return m != spec.end() && m->is_string() && m->get<std::string>() == "Indexed";
}

}  // namespace

std::string check_cron_job_name(std::string_view name) {
  std::string why = check_dns1123_subdomain(name);
  if (!why.empty()) return why;
  // scheduling.md §4.1: run names append "-<unix minute>" (11 characters).
  if (name.size() > kMaxCronJobNameLength) {
    return "a CronJob name must be at most 52 characters (its runs append \"-<minute>\"), got " +
           std::to_string(name.size());
  }
  return "";
}

void check_job_spec_at(const nlohmann::json& spec, const std::string& path, Checker& c) {
  if (spec.is_null()) {
    c.error(path, "required field is missing (a Job needs spec.template)");
    return;
  }
  if (!c.object(spec, path,
                {"completions", "parallelism", "completionMode", "backoffLimit", "backoffLimitPerIndex",
                 "maxFailedIndexes", "activeDeadlineSeconds", "ttlSecondsAfterFinished", "suspend",
                 "podFailurePolicy", "successPolicy", "template", "selector", "manualSelector"})) {
    return;
  }
  for (const char* k : {"selector", "manualSelector"}) {
    if (spec.contains(k)) c.error(field_path(path, k), "not supported: ebb selects a job's tasks itself");
  }
  std::optional<int64_t> completions = c.integer(spec, "completions", path, 0, kMaxInt32);
  std::optional<int64_t> parallelism = c.integer(spec, "parallelism", path, 0, kMaxParallelism);
  std::optional<std::string> mode = c.one_of(spec, "completionMode", path, {"NonIndexed", "Indexed"});
  const bool indexed = mode == "Indexed";
  c.integer(spec, "backoffLimit", path, 0, kMaxInt32);
  std::optional<int64_t> per_index = c.integer(spec, "backoffLimitPerIndex", path, 0, kMaxInt32);
  std::optional<int64_t> max_failed = c.integer(spec, "maxFailedIndexes", path, 0, kMaxParallelism);
  c.integer(spec, "activeDeadlineSeconds", path, 0, kMaxInt32);
  c.integer(spec, "ttlSecondsAfterFinished", path, 0, kMaxInt32);
  c.boolean(spec, "suspend", path);

  if (indexed && !spec.contains("completions")) {
    c.error(field_path(path, "completions"), "required when completionMode is Indexed");
  }
  if (spec.contains("backoffLimitPerIndex") && !indexed) {
    c.error(field_path(path, "backoffLimitPerIndex"), "allowed only with completionMode: Indexed");
  }
  if (spec.contains("maxFailedIndexes")) {
    if (!spec.contains("backoffLimitPerIndex")) {
      c.error(field_path(path, "maxFailedIndexes"), "needs backoffLimitPerIndex");
    } else if (max_failed && completions && *max_failed > *completions) {
      c.error(field_path(path, "maxFailedIndexes"), "must be at most completions (" + std::to_string(*completions) + ")");
    }
  }
  // Kubernetes' limits for large indexed jobs with per-index back-off.
  if (indexed && per_index && completions && *completions > 100'000) {
    if (!spec.contains("maxFailedIndexes")) {
      c.error(field_path(path, "maxFailedIndexes"), "required when backoffLimitPerIndex is set and completions > 100000");
    } else if (max_failed && *max_failed > 10'000) {
      c.error(field_path(path, "maxFailedIndexes"), "must be at most 10000 when completions > 100000");
    }
    if (parallelism && *parallelism > 10'000) {
      c.error(field_path(path, "parallelism"), "must be at most 10000 when completions > 100000 with backoffLimitPerIndex");
    }
  }

  PodFacts facts;
  if (auto t = spec.find("template"); t != spec.end()) check_pod_template(*t, field_path(path, "template"), c, facts);
  else c.error(field_path(path, "template"), "required field is missing");

  if (auto pfp = spec.find("podFailurePolicy"); pfp != spec.end()) {
    check_pod_failure_policy(*pfp, field_path(path, "podFailurePolicy"), facts, per_index.has_value(), c);
  }
  if (auto sp = spec.find("successPolicy"); sp != spec.end()) {
    if (!indexed) c.error(field_path(path, "successPolicy"), "allowed only with completionMode: Indexed");
    else check_success_policy(*sp, field_path(path, "successPolicy"), completions, c);
  }
  // scheduling.md §6.2: the seed's ETL example reads the index without Indexed mode.
  if (facts.env.reads_index && !is_indexed(spec)) {
    c.warn(field_path(path, "completionMode"), "JOB_COMPLETION_INDEX will be empty: set completionMode: Indexed");
  }
}

void check_job_spec(const nlohmann::json& spec, const std::string& /*name*/, Checker& c) {
  check_job_spec_at(spec, "spec", c);
}

void check_cron_job_spec(const nlohmann::json& spec, const std::string& /*name*/, Checker& c) {
  if (spec.is_null()) {
    c.error("spec", "required field is missing (a CronJob needs spec.schedule and spec.jobTemplate)");
    return;
  }
  const std::string path = "spec";
  if (!c.object(spec, path,
                {"schedule", "timeZone", "concurrencyPolicy", "startingDeadlineSeconds", "successfulJobsHistoryLimit",
                 "failedJobsHistoryLimit", "suspend", "jobTemplate", "dstPolicy"})) {
    return;
  }
  if (std::optional<std::string> s = c.string(spec, "schedule", path, true)) {
    std::string why = expression_shape_problem(*s);
    if (!why.empty()) c.error("spec.schedule", why);
  }
  if (std::optional<std::string> tz = c.string(spec, "timeZone", path)) {
    std::string why = time_zone_problem(*tz);
    if (!why.empty()) c.error("spec.timeZone", why);
  }
  c.one_of(spec, "concurrencyPolicy", path, {"Allow", "Forbid", "Replace"});
  c.integer(spec, "startingDeadlineSeconds", path, 0, kMaxInt32);
  c.integer(spec, "successfulJobsHistoryLimit", path, 0, kMaxInt32);
  c.integer(spec, "failedJobsHistoryLimit", path, 0, kMaxInt32);
  c.boolean(spec, "suspend", path);
  if (auto d = spec.find("dstPolicy"); d != spec.end()) {
    if (c.object(*d, "spec.dstPolicy", {"gap", "overlap"})) {
      c.one_of(*d, "gap", "spec.dstPolicy", {"RunAtTransition", "Skip"});
      c.one_of(*d, "overlap", "spec.dstPolicy", {"FirstOnly", "Both"});
    }
  }
  auto jt = spec.find("jobTemplate");
  if (jt == spec.end()) {
    c.error("spec.jobTemplate", "required field is missing");
    return;
  }
  if (!c.object(*jt, "spec.jobTemplate", {"metadata", "spec"})) return;
  if (auto md = jt->find("metadata"); md != jt->end()) {
    if (c.object(*md, "spec.jobTemplate.metadata", {"labels", "annotations"})) {
      check_string_map(*md, "labels", "spec.jobTemplate.metadata", true, c);
      check_string_map(*md, "annotations", "spec.jobTemplate.metadata", false, c);
    }
  }
  auto js = jt->find("spec");
  check_job_spec_at(js == jt->end() ? nlohmann::json() : *js, "spec.jobTemplate.spec", c);
}

std::vector<std::string> process_runtime_problems(const nlohmann::json& pod_spec, std::string_view path_in) {
  const std::string path(path_in);
  std::vector<std::string> out;
  if (!pod_spec.is_object()) return out;
  auto add = [&](const std::string& p, std::string_view why) { out.push_back(p + ": " + std::string(why)); };
  const std::string suffix = "the process runtime cannot honour it; use a container runtime";
  auto cts = pod_spec.find("containers");
  if (cts != pod_spec.end() && cts->is_array()) {
    const std::string cp = field_path(path, "containers");
    if (cts->size() > 1) add(cp, "more than one container: " + suffix);
    if (!cts->empty() && (*cts)[0].is_object()) {
      const nlohmann::json& first = (*cts)[0];
      const std::string fp = index_path(cp, 0);
      if (!first.contains("command")) add(field_path(fp, "command"), kProcessNeedsCommand);
      if (first.contains("volumeMounts") && !first["volumeMounts"].empty()) add(field_path(fp, "volumeMounts"), suffix);
    }
  }
  for (const char* k : {"initContainers", "volumes", "nodeSelector", "tolerations", "affinity"}) {
    auto it = pod_spec.find(k);
    if (it != pod_spec.end() && !it->empty()) add(field_path(path, k), suffix);
  }
  return out;
}

}  // namespace ebb::manifest

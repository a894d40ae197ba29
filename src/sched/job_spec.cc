#include "sched/job_spec.h"

#include <algorithm>
#include <charconv>

#include "manifest/batch_kind.h"

namespace ebb::sched {

using nlohmann::json;

namespace {

const json* field(const json& obj, const char* name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

Result<std::optional<int64_t>> opt_int(const json& obj, const char* name, const std::string& path) {
  const json* v = field(obj, name);
  if (!v) return std::optional<int64_t>{};
  if (!v->is_number_integer()) return err(Code::Invalid, path + "." + name + ": must be an integer");
  const int64_t n = v->get<int64_t>();
  if (n < 0) return err(Code::Invalid, path + "." + name + ": must be >= 0");
  return std::optional<int64_t>{n};
}

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

bool has_ref(const std::string& s) { return s.find("$(") != std::string::npos; }

}  // namespace

// ---------------------------------------------------------------------------------
// IndexSet

void IndexSet::add(int64_t i) {
  if (contains(i)) return;
  ++size_;
  int64_t lo = i, hi = i;
  auto next = iv_.lower_bound(i + 1);  // first interval starting after i
  if (next != iv_.end() && next->first == i + 1) {
    hi = next->second;
    next = iv_.erase(next);
  }
  if (next != iv_.begin()) {
    auto prev = std::prev(next);
    if (prev->second == i - 1) {
      lo = prev->first;
      iv_.erase(prev);
    }
  }
  iv_[lo] = hi;
}

bool IndexSet::contains(int64_t i) const {
  auto it = iv_.upper_bound(i);
  if (it == iv_.begin()) return false;
  --it;
  return i <= it->second;
}

std::optional<int64_t> IndexSet::max() const {
  if (iv_.empty()) return std::nullopt;
  return iv_.rbegin()->second;
}

int64_t IndexSet::intersection_size(const IndexSet& other) const {
  int64_t n = 0;
  auto a = iv_.begin();
  auto b = other.iv_.begin();
  while (a != iv_.end() && b != other.iv_.end()) {
    const int64_t lo = std::max(a->first, b->first), hi = std::min(a->second, b->second);
    if (lo <= hi) n += hi - lo + 1;
    if (a->second < b->second) ++a;
    else ++b;
  }
  return n;
}

std::string IndexSet::to_string() const {
  std::string s;
  for (auto& [lo, hi] : iv_) {
    if (!s.empty()) s += ',';
    s += std::to_string(lo);
    if (hi > lo) s += "-" + std::to_string(hi);
  }
  return s;
}

Result<IndexSet> IndexSet::parse(const std::string& s) {
  IndexSet out;
  if (s.empty()) return out;
  size_t pos = 0;
  auto number = [&](int64_t& v) {
    const char* b = s.data() + pos;
    auto [p, ec] = std::from_chars(b, s.data() + s.size(), v);
    if (ec != std::errc() || p == b || v < 0) return false;
    pos += static_cast<size_t>(p - b);
    return true;
  };
  while (pos < s.size()) {
    int64_t lo, hi;
    if (!number(lo)) return err(Code::Invalid, "bad index list \"" + s + "\"");
    hi = lo;
    if (pos < s.size() && s[pos] == '-') {
      ++pos;
      if (!number(hi) || hi < lo) return err(Code::Invalid, "bad index list \"" + s + "\"");
    }
    if (hi - lo > 10'000'000) return err(Code::Invalid, "index range too large in \"" + s + "\"");
    for (int64_t i = lo; i <= hi; ++i) out.add(i);
    if (pos < s.size()) {
      if (s[pos] != ',') return err(Code::Invalid, "bad index list \"" + s + "\"");
      ++pos;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------
// JobSpec

json JobSpec::spec_with_defaults() const {
  json spec = doc.value("spec", json::object());
  if (completions) spec["completions"] = *completions;
  spec["parallelism"] = parallelism;
  spec["completionMode"] = indexed ? "Indexed" : "NonIndexed";
  spec["backoffLimit"] = backoff_limit;
  spec["suspend"] = suspend;
  if (spec.contains("template") && spec["template"].contains("spec")) {
    json& pod = spec["template"]["spec"];
    if (!pod.contains("terminationGracePeriodSeconds")) pod["terminationGracePeriodSeconds"] = grace_s;
  }
  return spec;
}

json JobSpec::immutable_part() const {
  json spec = doc.value("spec", json::object());
  for (const char* k : {"suspend", "parallelism", "activeDeadlineSeconds", "ttlSecondsAfterFinished"}) spec.erase(k);
  return spec;
}

Result<JobSpec> parse_job(const json& doc) {
  JobSpec s;
  const json meta = doc.value("metadata", json::object());
  s.name = meta.value("name", std::string());
  if (s.name.empty()) return err(Code::Invalid, "metadata.name: required field is missing");
  s.doc = doc;
  s.doc.erase("status");
  const json* specp = field(doc, "spec");
  if (!specp || !specp->is_object()) return err(Code::Invalid, "spec: required field is missing");
  const json& spec = *specp;
  EBB_TRY(std::optional<int64_t> completions, opt_int(spec, "completions", "spec"));
  EBB_TRY(std::optional<int64_t> parallelism, opt_int(spec, "parallelism", "spec"));
  s.completions = completions;
  if (!completions && !parallelism) s.completions = 1;
  s.parallelism = parallelism.value_or(1);
  if (const json* mode = field(spec, "completionMode")) {
    const std::string m = text_of(*mode);
    if (m != "Indexed" && m != "NonIndexed") return err(Code::Invalid, "spec.completionMode: must be Indexed or NonIndexed");
    s.indexed = m == "Indexed";
  }
  if (s.indexed && !s.completions) return err(Code::Invalid, "spec.completions: required when completionMode is Indexed");
  EBB_TRY(s.backoff_limit_per_index, opt_int(spec, "backoffLimitPerIndex", "spec"));
  EBB_TRY(s.max_failed_indexes, opt_int(spec, "maxFailedIndexes", "spec"));
  if (s.backoff_limit_per_index && !s.indexed)
    return err(Code::Invalid, "spec.backoffLimitPerIndex: needs completionMode Indexed");
  if (s.max_failed_indexes && !s.backoff_limit_per_index)
    return err(Code::Invalid, "spec.maxFailedIndexes: needs backoffLimitPerIndex");
  EBB_TRY(std::optional<int64_t> bl, opt_int(spec, "backoffLimit", "spec"));
  s.backoff_limit = bl ? *bl : (s.backoff_limit_per_index ? manifest::kMaxInt32 : 6);
  EBB_TRY(s.active_deadline_s, opt_int(spec, "activeDeadlineSeconds", "spec"));
  EBB_TRY(s.ttl_s, opt_int(spec, "ttlSecondsAfterFinished", "spec"));
  if (const json* sus = field(spec, "suspend")) s.suspend = sus->is_boolean() && sus->get<bool>();

  const json* tmpl = field(spec, "template");
  const json* pod = tmpl ? field(*tmpl, "spec") : nullptr;
  if (!pod) return err(Code::Invalid, "spec.template.spec: required field is missing");
  // Absent: Never (the manifest validator warned; Kubernetes would refuse the Job).
  const std::string restart = pod->value("restartPolicy", std::string("Never"));
  if (restart != "Never" && restart != "OnFailure")
    return err(Code::Invalid, "spec.template.spec.restartPolicy: must be Never or OnFailure");
  s.on_failure = restart == "OnFailure";
  EBB_TRY(std::optional<int64_t> grace, opt_int(*pod, "terminationGracePeriodSeconds", "spec.template.spec"));
  s.grace_s = grace.value_or(30);

  if (const json* pfp = field(spec, "podFailurePolicy")) {
    if (s.on_failure) return err(Code::Invalid, "spec.podFailurePolicy: needs restartPolicy Never");
    const json* rules = field(*pfp, "rules");
    if (rules && rules->is_array()) {
      for (size_t i = 0; i < rules->size(); ++i) {
        const json& r = (*rules)[i];
        const std::string path = "spec.podFailurePolicy.rules[" + std::to_string(i) + "]";
        PodFailureRule rule;
        rule.action = r.value("action", std::string());
        if (rule.action != "FailJob" && rule.action != "Ignore" && rule.action != "Count" && rule.action != "FailIndex")
          return err(Code::Invalid, path + ".action: must be FailJob, Ignore, Count or FailIndex");
        if (rule.action == "FailIndex" && !s.backoff_limit_per_index)
          return err(Code::Invalid, path + ".action: FailIndex needs backoffLimitPerIndex");
        if (const json* oec = field(r, "onExitCodes")) {
          rule.on_exit_codes = true;
          rule.op_in = oec->value("operator", std::string("In")) == "In";
          if (const json* vals = field(*oec, "values"); vals && vals->is_array())
            for (const json& v : *vals)
              if (v.is_number_integer()) rule.values.push_back(v.get<int>());
        } else if (const json* conds = field(r, "onPodConditions"); conds && conds->is_array()) {
          for (const json& c : *conds)
            rule.conditions.emplace_back(c.value("type", std::string()), c.value("status", std::string("True")));
        }
        s.pod_failure_rules.push_back(std::move(rule));
      }
    }
  }
  if (const json* sp = field(spec, "successPolicy")) {
    if (!s.indexed) return err(Code::Invalid, "spec.successPolicy: needs completionMode Indexed");
    if (const json* rules = field(*sp, "rules"); rules && rules->is_array()) {
      for (size_t i = 0; i < rules->size(); ++i) {
        const json& r = (*rules)[i];
        SuccessRule rule;
        if (const json* idx = field(r, "succeededIndexes")) {
          Result<IndexSet> set = IndexSet::parse(text_of(*idx));
          if (!set)
            return err(Code::Invalid, "spec.successPolicy.rules[" + std::to_string(i) + "].succeededIndexes: " +
                                          set.error().message);
          rule.indexes = std::move(*set);
        }
        if (const json* c = field(r, "succeededCount"); c && c->is_number_integer()) rule.count = c->get<int64_t>();
        s.success_rules.push_back(std::move(rule));
      }
    }
  }

  const json* containers = field(*pod, "containers");
  if (!containers || !containers->is_array() || containers->empty())
    return err(Code::Invalid, "spec.template.spec.containers: one container is required");
  if (containers->size() > 1)
    return err(Code::Invalid, "spec.template.spec.containers: the process runtime runs one container; use a container runtime");
  const json& c = (*containers)[0];
  const std::string cpath = "spec.template.spec.containers[0]";
  s.container_name = c.value("name", std::string());
  const json* command = field(c, "command");
  if (!command || (command->is_array() && command->empty()))
    return err(Code::Invalid, cpath + ".command: " + std::string(manifest::kProcessNeedsCommand));
  json t = json::object();
  for (const char* k : {"command", "args", "workingDir", "resources", "image"})
    if (const json* v = field(c, k)) t[k] = *v;
  Result<runtime::TaskTemplate> task = runtime::parse_task_template(t);
  if (!task) return err(Code::Invalid, cpath + ": " + task.error().message);
  s.task = std::move(*task);
  s.task.stop_timeout_seconds = s.grace_s;
  if (const json* env = field(c, "env"); env && env->is_array()) {
    for (const json& e : *env) {
      EnvSource src;
      src.name = e.value("name", std::string());
      if (src.name.empty()) continue;
      if (const json* vf = field(e, "valueFrom")) {
        if (const json* r = field(*vf, "configMapKeyRef")) {
          src.kind = EnvSource::Kind::ConfigMap;
          src.ref_name = r->value("name", std::string());
          src.key = r->value("key", std::string());
          src.optional = r->value("optional", false);
        } else if (const json* r = field(*vf, "secretKeyRef")) {
          src.kind = EnvSource::Kind::Secret;
          src.ref_name = r->value("name", std::string());
          src.key = r->value("key", std::string());
          src.optional = r->value("optional", false);
        } else if (const json* r = field(*vf, "fieldRef")) {
          src.kind = EnvSource::Kind::Field;
          src.field_path = r->value("fieldPath", std::string());
        } else {
          continue;
        }
      } else if (const json* v = field(e, "value")) {
        src.value = text_of(*v);
      }
      s.env.push_back(std::move(src));
    }
  }
  auto security = [&](const json* sc) {
    if (!sc) return;
    if (const json* u = field(*sc, "runAsUser"); u && u->is_number_integer()) s.run_as_user = u->get<int64_t>();
    if (const json* g = field(*sc, "runAsGroup"); g && g->is_number_integer()) s.run_as_group = g->get<int64_t>();
  };
  security(field(*pod, "securityContext"));
  security(field(c, "securityContext"));  // the container's wins
  return s;
}

std::vector<std::string> job_warnings(const JobSpec& s) {
  std::vector<std::string> out;
  bool index_ref = false;
  for (const EnvSource& e : s.env) {
    if (e.kind == EnvSource::Kind::Field && e.field_path.find(kCompletionIndexKey) != std::string::npos) index_ref = true;
    if ((e.kind == EnvSource::Kind::ConfigMap || e.kind == EnvSource::Kind::Secret) &&
        (has_ref(e.ref_name) || has_ref(e.key))) {
      if (e.kind == EnvSource::Kind::ConfigMap)
        out.push_back("env " + e.name + ": `$(…)` in configMapKeyRef.key is expanded by ebb; Kubernetes would look up the literal key");
      else
        out.push_back("env " + e.name + ": `$(…)` in secretKeyRef is not expanded (Kubernetes expands variables only in command, args and env values)");
    }
  }
  if (index_ref && !s.indexed)
    out.push_back("JOB_COMPLETION_INDEX will be empty: set completionMode: Indexed");
  return out;
}

int64_t backoff_delay_ms(int64_t n, int64_t base_ms, int64_t cap_ms) {
  if (n <= 0) return 0;
  int64_t d = base_ms;
  for (int64_t i = 1; i < n && d < cap_ms; ++i) d *= 2;
  return std::min(d, cap_ms);
}

PolicyMatch match_pod_failure_policy(const std::vector<PodFailureRule>& rules, std::optional<int> exit_code,
                                     bool lost, bool config_issue) {
  for (size_t i = 0; i < rules.size(); ++i) {
    const PodFailureRule& r = rules[i];
    bool match = false;
    if (r.on_exit_codes) {
      if (exit_code && *exit_code != 0) {
        const bool in = std::find(r.values.begin(), r.values.end(), *exit_code) != r.values.end();
        match = r.op_in ? in : !in;
      }
    } else {
      for (const auto& [type, status] : r.conditions) {
        const bool holds = (type == "DisruptionTarget" && lost) || (type == "ConfigIssue" && config_issue);
        if ((status == "True" && holds) || (status == "False" && !holds && (type == "DisruptionTarget" || type == "ConfigIssue"))) {
          match = true;
          break;
        }
      }
    }
    if (match) return {r.action, static_cast<int>(i)};
  }
  return {};
}

bool success_policy_met(const std::vector<SuccessRule>& rules, const IndexSet& succeeded) {
  for (const SuccessRule& r : rules) {
    if (r.indexes) {
      const int64_t have = succeeded.intersection_size(*r.indexes);
      if (r.count ? have >= *r.count : have == r.indexes->size()) return true;
    } else if (r.count && succeeded.size() >= *r.count) {
      return true;
    }
  }
  return false;
}

std::string expand_vars(const std::string& s, const std::function<const std::string*(const std::string&)>& lookup) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '$' && i + 1 < s.size()) {
      if (s[i + 1] == '$') {
        out += '$';
        ++i;
        continue;
      }
      if (s[i + 1] == '(') {
        const size_t close = s.find(')', i + 2);
        if (close != std::string::npos) {
          if (const std::string* v = lookup(s.substr(i + 2, close - i - 2))) {
            out += *v;
            i = close;
            continue;
          }
        }
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace ebb::sched

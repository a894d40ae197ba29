#include "api/admin/apply.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>

#include "alarm/alarm_controller.h"
#include "manifest/manifest.h"
#include "sched/job_controller.h"
#include "sched/schedule_controller.h"
#include "sched/task_definitions.h"
#include "service/service_controller.h"
#include "source/event_source.h"

namespace ebb::admin {
namespace {

// Splits an error message joined by validate_all into its lines for `details`.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty()) out.push_back(line);
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

// The attributes a Queue document asks for, RedrivePolicy included.
std::map<std::string, std::string> desired_attributes(const Engine& engine, const manifest::QueueSpec& spec) {
  auto attrs = spec.attributes;
  if (spec.fifo) attrs.emplace("FifoQueue", "true");
  if (!spec.dead_letter_queue.empty()) {
    nlohmann::json rp = {{"deadLetterTargetArn", engine.queue_arn(spec.dead_letter_queue)},
                         {"maxReceiveCount", spec.max_receive_count}};
    attrs["RedrivePolicy"] = rp.dump();
  }
  if (!spec.redrive_permission.empty()) {
    nlohmann::ordered_json ap = {{"redrivePermission", spec.redrive_permission}};
    if (spec.redrive_permission == "byQueue") {
      nlohmann::ordered_json arns = nlohmann::ordered_json::array();
      for (auto& q : spec.redrive_source_queues) arns.push_back(engine.queue_arn(q));
      ap["sourceQueueArns"] = arns;
    }
    attrs["RedriveAllowPolicy"] = ap.dump();
  }
  return attrs;
}

// RedrivePolicy values are JSON whose maxReceiveCount may be a number or a string.
bool same_redrive_policy(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty()) return a.empty() == b.empty();
  auto ja = nlohmann::json::parse(a, nullptr, false), jb = nlohmann::json::parse(b, nullptr, false);
  if (!ja.is_object() || !jb.is_object()) return a == b;
  auto count = [](const nlohmann::json& j) -> std::string {
    auto it = j.find("maxReceiveCount");
    if (it == j.end()) return "";
    return it->is_string() ? it->get<std::string>() : it->dump();
  };
  return ja.value("deadLetterTargetArn", "") == jb.value("deadLetterTargetArn", "") && count(ja) == count(jb);
}

struct QueueDiff {
  std::map<std::string, std::string> attrs;  // to set
  std::map<std::string, std::string> tags_to_set;
  std::vector<std::string> tags_to_remove;
  bool empty() const { return attrs.empty() && tags_to_set.empty() && tags_to_remove.empty(); }
};

Result<QueueDiff> diff_queue(const Engine& engine, const manifest::QueueSpec& spec) {
  QueueDiff d;
  EBB_TRY(auto current_list, engine.get_attributes(spec.name, {"All"}));
  std::map<std::string, std::string> current(current_list.begin(), current_list.end());
  for (auto& [k, v] : desired_attributes(engine, spec)) {
    auto it = current.find(k);
    std::string cur = it == current.end() ? "" : it->second;
    bool same = k == "RedrivePolicy"        ? same_redrive_policy(cur, v)
                : k == "RedriveAllowPolicy" ? nlohmann::json::parse(cur, nullptr, false) ==
                                                  nlohmann::json::parse(v, nullptr, false)
                                            : cur == v;
    if (!same) d.attrs[k] = v;
  }
  if (spec.dead_letter_queue.empty()) {
    auto it = current.find("RedrivePolicy");
    if (it != current.end() && !it->second.empty()) d.attrs["RedrivePolicy"] = "";  // removes it
  }
  if (spec.redrive_permission.empty()) {
    auto it = current.find("RedriveAllowPolicy");
    if (it != current.end() && !it->second.empty()) d.attrs["RedriveAllowPolicy"] = "";
  }
  EBB_TRY(auto tags, engine.list_tags(spec.name));
  for (auto& [k, v] : spec.tags) {
    auto it = tags.find(k);
    if (it == tags.end() || it->second != v) d.tags_to_set[k] = v;
  }
  for (auto& [k, v] : tags)
    if (!spec.tags.count(k)) d.tags_to_remove.push_back(k);
  return d;
}

// Queues first that others name as their dead-letter queue (depth first, so chains
// a → b → c apply c, b, a). Cycles are left in document order.
std::vector<size_t> apply_order(const std::vector<manifest::Validated>& docs,
                                const std::vector<std::optional<manifest::QueueSpec>>& specs) {
  std::map<std::string, size_t> by_name;
  for (size_t i = 0; i < docs.size(); ++i)
    if (specs[i]) by_name.emplace(specs[i]->name, i);
  std::vector<size_t> order;
  std::vector<int> state(docs.size(), 0);  // 0 new, 1 visiting, 2 done
  std::function<void(size_t)> visit = [&](size_t i) {
    if (state[i]) return;
    state[i] = 1;
    if (specs[i] && !specs[i]->dead_letter_queue.empty()) {
      auto it = by_name.find(specs[i]->dead_letter_queue);
      if (it != by_name.end()) visit(it->second);
    }
    state[i] = 2;
    order.push_back(i);
  };
  for (size_t i = 0; i < docs.size(); ++i) visit(i);
  return order;
}

constexpr const char* kTaskDefinitionAnnotation = "ebb/taskDefinition";

// ecosystem.md §3.6: a Service's `spec.taskDefinition` becomes its template, resolved
// now (ECS pins a revision when a service is updated); the revision used is recorded
// in the annotation ebb/taskDefinition.
Result<nlohmann::json> resolve_service(const sched::TaskDefinitions& tds, nlohmann::json doc) {
  nlohmann::json& spec = doc["spec"];
  const std::string ref = spec["taskDefinition"].get<std::string>();
  auto td = tds.resolve(ref);
  if (!td.ok()) return err(td.error().code, "spec.taskDefinition: " + td.error().message);
  spec.erase("taskDefinition");
  spec["template"] = td->first;
  doc["metadata"]["annotations"][kTaskDefinitionAnnotation] = td->second;
  return doc;
}

// A Job annotated ebb/taskDefinition: "family[:rev]" takes what its first container
// does not say itself (command, args, env entries, workingDir, resources) and the
// pod's grace period and the Job's deadline from the task definition.
Result<nlohmann::json> resolve_job(const sched::TaskDefinitions& tds, nlohmann::json doc) {
  nlohmann::json& ann = doc["metadata"]["annotations"];
  const std::string ref = ann[kTaskDefinitionAnnotation].get<std::string>();
  auto td = tds.resolve(ref);
  if (!td.ok()) return err(td.error().code, "metadata.annotations[ebb/taskDefinition]: " + td.error().message);
  ann[kTaskDefinitionAnnotation] = td->second;
  const nlohmann::json& t = td->first;
  nlohmann::json& pod = doc["spec"]["template"]["spec"];
  nlohmann::json& c = pod["containers"][0];
  for (const char* k : {"command", "args", "workingDir", "image"})
    if (!c.contains(k) && t.contains(k)) c[k] = t[k];
  if (t.contains("env")) {
    nlohmann::json env = c.value("env", nlohmann::json::array());
    for (const auto& e : t["env"]) {
      const bool set = std::any_of(env.begin(), env.end(), [&](const nlohmann::json& x) { return x.value("name", "") == e.value("name", ""); });
      if (!set) env.push_back(e);
    }
    c["env"] = env;
  }
  if (!c.contains("resources") && t.contains("resources")) c["resources"] = {{"limits", t["resources"]}};
  if (!pod.contains("terminationGracePeriodSeconds") && t.contains("stopTimeoutSeconds"))
    pod["terminationGracePeriodSeconds"] = t["stopTimeoutSeconds"];
  if (!doc["spec"].contains("activeDeadlineSeconds") && t.contains("timeoutSeconds"))
    doc["spec"]["activeDeadlineSeconds"] = t["timeoutSeconds"];
  return doc;
}

bool job_uses_task_definition(const nlohmann::json& doc) {
  auto md = doc.find("metadata");
  if (md == doc.end() || !md->contains("annotations") || !(*md)["annotations"].is_object()) return false;
  auto a = (*md)["annotations"].find(kTaskDefinitionAnnotation);
  if (a == (*md)["annotations"].end() || !a->is_string()) return false;
  const nlohmann::json* cts = nullptr;
  if (doc.contains("spec") && doc["spec"].contains("template") && doc["spec"]["template"].contains("spec"))
    cts = &doc["spec"]["template"]["spec"]["containers"];
  return cts && cts->is_array() && !cts->empty();
}

// Walks a document for `secretKeyRef` objects; each required one whose secret or key
// does not exist adds "Kind/name: path: why" to `bad`.
void missing_secret_refs(const SecretStore& secrets, const nlohmann::json& j, const std::string& path,
                         const std::string& what, std::vector<std::string>& bad) {
  if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) missing_secret_refs(secrets, j[i], path + "[" + std::to_string(i) + "]", what, bad);
    return;
  }
  if (!j.is_object()) return;
  for (auto& [k, v] : j.items()) {
    const std::string p = path.empty() ? k : path + "." + k;
    if (k != "secretKeyRef" || !v.is_object()) {
      missing_secret_refs(secrets, v, p, what, bad);
      continue;
    }
    const auto name = v.value("name", std::string()), key = v.value("key", std::string());
    if (v.value("optional", false) || name.empty() || key.empty() || name.find("$(") != std::string::npos ||
        key.find("$(") != std::string::npos)
      continue;  // optional, or left to the launch (names built from variables)
    if (!secrets.get(name).ok())
      bad.push_back(what + ": " + p + ".name: secret " + name + " not found (create it with `ebb secret create " + name +
                    "`, or mark the reference optional)");
    else if (!secrets.has(name, key))
      bad.push_back(what + ": " + p + ".key: secret " + name + " has no key " + key);
  }
}

}  // namespace

ApplyOutcome apply_documents(Engine& engine, const Controllers& controllers, const nlohmann::json& body,
                             bool dry_run) {
  ApplyOutcome out;
  auto fail = [&](Code c, std::string msg, std::vector<std::string> details = {}) {
    out.error = Error{c, std::move(msg)};
    out.details = std::move(details);
    return out;
  };
  if (!body.is_object() || !body.contains("items") || !body["items"].is_array())
    return fail(Code::Invalid, "body must be {\"items\":[document, ...]}");
  std::vector<nlohmann::json> docs(body["items"].begin(), body["items"].end());
  auto validated = manifest::validate_all(docs);
  if (!validated.ok()) return fail(Code::Invalid, "validation failed", lines_of(validated.error().message));

  auto& vs = *validated;
  std::vector<std::optional<manifest::QueueSpec>> specs(vs.size());
  std::vector<std::string> unsupported;
  for (size_t i = 0; i < vs.size(); ++i) {
    const auto& k = vs[i].kind;
    if (k == "Queue") specs[i] = manifest::queue_spec(vs[i]);
    else if (k == "Service" && controllers.services) continue;
    else if (k == "EventSource" && controllers.sources) continue;
    else if ((k == "Job" || k == "ConfigMap") && controllers.jobs) continue;
    else if ((k == "CronJob" || k == "Schedule") && controllers.schedules) continue;
    else if (k == "TaskDefinition" && controllers.task_definitions) continue;
    else if (k == "Alarm" && controllers.alarms) continue;
    else unsupported.push_back(k + "/" + vs[i].name + ": kind " + k + " cannot be applied yet");
  }
  if (!unsupported.empty()) return fail(Code::Invalid, "validation failed", unsupported);
  // Schedule expressions and zones that cannot fire are refused before anything changes.
  if (controllers.schedules) {
    std::vector<std::string> bad;
    for (auto& v : vs)
      if (v.kind == "CronJob" || v.kind == "Schedule")
        if (Status st = controllers.schedules->check(v.doc); !st.ok())
          bad.push_back(v.kind + "/" + v.name + ": " + st.error().message);
    if (!bad.empty()) return fail(Code::Invalid, "validation failed", bad);
  }
  // References to task definitions must resolve, now or through a TaskDefinition of
  // this same apply (which registers the family's next revision), before anything changes.
  if (controllers.task_definitions) {
    std::map<std::string, int64_t> next_rev;  // family → highest revision after this apply
    for (auto& v : vs)
      if (v.kind == "TaskDefinition") next_rev[v.name] = controllers.task_definitions->latest_revision(v.name) + 1;
    std::vector<std::string> bad;
    for (auto& v : vs) {
      std::string ref, path;
      if (v.kind == "Service" && v.doc["spec"].contains("taskDefinition")) {
        ref = v.doc["spec"]["taskDefinition"].get<std::string>();
        path = "spec.taskDefinition";
      } else if (v.kind == "Job" && job_uses_task_definition(v.doc)) {
        ref = v.doc["metadata"]["annotations"][kTaskDefinitionAnnotation].get<std::string>();
        path = "metadata.annotations[ebb/taskDefinition]";
      } else {
        continue;
      }
      const size_t colon = ref.find(':');
      auto pending = next_rev.find(ref.substr(0, colon));
      if (pending != next_rev.end() &&
          (colon == std::string::npos || std::atoll(ref.c_str() + colon + 1) <= pending->second))
        continue;
      auto r = controllers.task_definitions->resolve(ref);
      if (!r.ok()) bad.push_back(v.kind + "/" + v.name + ": " + path + ": " + r.error().message);
    }
    if (!bad.empty()) return fail(Code::Invalid, "validation failed", bad);
  }

  // Every required secretKeyRef must name a secret and key that exist (reliability.md
  // §4.7): refused here, naming the field, rather than failing each launch later.
  if (controllers.secrets) {
    std::vector<std::string> bad;
    for (auto& v : vs) missing_secret_refs(*controllers.secrets, v.doc, "", v.kind + "/" + v.name, bad);
    if (!bad.empty()) return fail(Code::Invalid, "validation failed", bad);
  }

  for (size_t i : apply_order(vs, specs)) {
    if (!specs[i]) continue;
    const auto& spec = *specs[i];
    std::string action;
    auto exists = engine.queue_exists(spec.name);
    if (!exists.ok() && exists.error().code != Code::NonExistentQueue) return fail(exists.error().code, exists.error().message);
    if (!exists.ok()) {
      action = "created";
      if (!dry_run) {
        auto t = engine.create_queue(spec.name, desired_attributes(engine, spec), spec.tags);
        if (!t.ok()) return fail(t.error().code, "Queue/" + spec.name + ": " + t.error().message);
        out.token = std::max(out.token, *t);
      }
    } else {
      auto d = diff_queue(engine, spec);
      if (!d.ok()) return fail(d.error().code, "Queue/" + spec.name + ": " + d.error().message);
      action = d->empty() ? "unchanged" : "configured";
      if (!dry_run && !d->empty()) {
        auto step = [&](Result<Token> t) -> bool {
          if (!t.ok()) {
            fail(t.error().code, "Queue/" + spec.name + ": " + t.error().message);
            return false;
          }
          out.token = std::max(out.token, *t);
          return true;
        };
        if (!d->attrs.empty() && !step(engine.set_attributes(spec.name, d->attrs))) return out;
        if (!d->tags_to_set.empty() && !step(engine.tag_queue(spec.name, d->tags_to_set))) return out;
        if (!d->tags_to_remove.empty() && !step(engine.untag_queue(spec.name, d->tags_to_remove))) return out;
      }
    }
    out.results.push_back({{"kind", "Queue"}, {"name", spec.name}, {"action", action}});
  }
  // Files waiting for a queue this apply created go out now, not at the next retry.
  if (!dry_run && controllers.sources) controllers.sources->poke();
  // Then, in document order: ConfigMaps (Jobs read them), then everything else.
  auto apply_one = [&](const manifest::Validated& v) -> Result<std::pair<std::string, Token>> {
    const auto& k = v.kind;
    if (k == "TaskDefinition") return controllers.task_definitions->apply(v.doc);
    if (k == "Alarm") return controllers.alarms->apply(v.doc, out.warnings);
    if (k == "Service" && v.doc["spec"].contains("taskDefinition")) {
      if (!controllers.task_definitions) return err(Code::Invalid, "spec.taskDefinition: task definitions are not available");
      EBB_TRY(auto doc, resolve_service(*controllers.task_definitions, v.doc));
      return controllers.services->apply(doc, out.warnings);
    }
    if (k == "Job" && job_uses_task_definition(v.doc)) {
      if (!controllers.task_definitions) return err(Code::Invalid, "ebb/taskDefinition: task definitions are not available");
      EBB_TRY(auto doc, resolve_job(*controllers.task_definitions, v.doc));
      return controllers.jobs->apply(doc, out.warnings);
    }
    if (k == "Service") return controllers.services->apply(v.doc, out.warnings);
    if (k == "EventSource") return controllers.sources->apply(v.doc, out.warnings);
    if (k == "ConfigMap") return controllers.jobs->apply_config_map(v.doc);
    if (k == "Job") return controllers.jobs->apply(v.doc, out.warnings);
    return controllers.schedules->apply(v.doc, out.warnings);  // CronJob, Schedule
  };
  for (int pass = 0; pass < 2; ++pass) {
    for (auto& v : vs) {
      const bool first = v.kind == "ConfigMap" || v.kind == "TaskDefinition";
      if (v.kind == "Queue" || first != (pass == 0)) continue;
      const bool from_td = v.kind == "Job" && job_uses_task_definition(v.doc);
      for (auto& w : v.warnings)
        if (!from_td || w.find("needs `command`") == std::string::npos)  // the definition gives it
          out.warnings.push_back(v.kind + "/" + v.name + ": " + w);
      std::string action = "validated";
      if (!dry_run) {
        auto r = apply_one(v);
        if (!r.ok()) return fail(r.error().code, v.kind + "/" + v.name + ": " + r.error().message);
        action = r->first;
        out.token = std::max(out.token, r->second);
      }
      out.results.push_back({{"kind", v.kind}, {"name", v.name}, {"action", action}});
    }
  }
  for (auto& v : vs)
    if (v.kind == "Queue")
      for (auto& w : v.warnings) out.warnings.push_back(v.kind + "/" + v.name + ": " + w);
  return out;
}

}  // namespace ebb::admin

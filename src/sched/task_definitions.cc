#include "sched/task_definitions.h"

#include "base/rfc3339.h"

namespace ebb::sched {

using nlohmann::json;

namespace {

int64_t parse_revision(const std::string& s) {
  if (s.empty() || s.size() > 9 || s[0] == '0') return 0;
  int64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return 0;
    v = v * 10 + (ch - '0');
  }
  return v;
}

// What decides whether an apply is a new revision: the spec, labels and annotations.
json comparable(const json& doc) {
  json m = doc.value("metadata", json::object());
  return {{"spec", doc.value("spec", json::object())},
          {"labels", m.value("labels", json::object())},
          {"annotations", m.value("annotations", json::object())}};
}

}  // namespace

TaskDefinitions::TaskDefinitions(Clock& clock, Committer& committer) : clock_(clock), committer_(committer) {}

Result<std::pair<std::string, int64_t>> TaskDefinitions::split(const std::string& ref) {
  const size_t colon = ref.find(':');
  if (colon == std::string::npos) return std::make_pair(ref, int64_t{0});
  const int64_t rev = parse_revision(ref.substr(colon + 1));
  if (rev <= 0)
    return err(Code::Invalid, "task definition \"" + ref + "\": must be FAMILY or FAMILY:REVISION (revision 1 or more)");
  return std::make_pair(ref.substr(0, colon), rev);
}

void TaskDefinitions::load(const std::vector<RecordRow>& records) {
  std::lock_guard lk(mu_);
  for (const RecordRow& r : records) {
    if (r.kind != "taskdef") continue;
    json v = json::parse(r.value, nullptr, false);
    if (!v.is_object() || !v.contains("doc")) continue;
    auto ref = split(r.key);
    if (!ref || ref->second <= 0) continue;
    families_[ref->first][ref->second] = Revision{v["doc"], v.value("created", int64_t{0})};
  }
}

Result<std::pair<std::string, Token>> TaskDefinitions::apply(const json& validated_doc) {
  const std::string family = validated_doc.value("metadata", json::object()).value("name", std::string());
  if (family.empty()) return err(Code::Invalid, "metadata.name: required field is missing");
  json doc = validated_doc;
  doc.erase("status");
  std::lock_guard lk(mu_);
  auto& revs = families_[family];
  if (!revs.empty() && comparable(revs.rbegin()->second.doc) == comparable(doc))
    return std::make_pair("unchanged (revision " + std::to_string(revs.rbegin()->first) + ")", Token{0});
  const int64_t rev = revs.empty() ? 1 : revs.rbegin()->first + 1;
  const int64_t now = clock_.wall_now().time_since_epoch().count();
  revs[rev] = Revision{doc, now};
  Token t = committer_.append(op::PutRecord{"taskdef", family + ":" + std::to_string(rev),
                                            json{{"doc", doc}, {"revision", rev}, {"created", now}}.dump()});
  return std::make_pair(rev == 1 ? std::string("created (revision 1)")
                                 : "configured (revision " + std::to_string(rev) + ")",
                        t);
}

json TaskDefinitions::view(const std::string& family, int64_t rev, const Revision& r) const {
  json md = r.doc.value("metadata", json::object());
  md["name"] = family;
  md["creationTimestamp"] = rfc3339_s(r.created_ms);
  json revisions = json::array();
  for (auto& [n, _] : families_.at(family)) revisions.push_back(n);
  return {{"apiVersion", "ebb/v1"},
          {"kind", "TaskDefinition"},
          {"metadata", md},
          {"spec", r.doc.value("spec", json::object())},
          {"status",
           {{"revision", rev},
            {"taskDefinition", family + ":" + std::to_string(rev)},
            {"latestRevision", families_.at(family).rbegin()->first},
            {"revisions", revisions}}}};
}

Result<json> TaskDefinitions::get(const std::string& ref) const {
  EBB_TRY(auto parts, split(ref));
  std::lock_guard lk(mu_);
  auto f = families_.find(parts.first);
  if (f == families_.end() || f->second.empty())
    return err(Code::NotFound, "taskdefinition/" + parts.first + " not found");
  if (parts.second == 0) return view(f->first, f->second.rbegin()->first, f->second.rbegin()->second);
  auto r = f->second.find(parts.second);
  if (r == f->second.end())
    return err(Code::NotFound, "taskdefinition/" + ref + " not found (latest revision is " +
                                   std::to_string(f->second.rbegin()->first) + ")");
  return view(f->first, r->first, r->second);
}

Result<std::pair<json, std::string>> TaskDefinitions::resolve(const std::string& ref) const {
  EBB_TRY(json obj, get(ref));
  return std::make_pair(obj["spec"], obj["status"]["taskDefinition"].get<std::string>());
}

json TaskDefinitions::list() const {
  std::lock_guard lk(mu_);
  json items = json::array();
  for (auto& [family, revs] : families_)
    if (!revs.empty()) items.push_back(view(family, revs.rbegin()->first, revs.rbegin()->second));
  return {{"items", items}};
}

Result<Token> TaskDefinitions::remove(const std::string& ref) {
  EBB_TRY(auto parts, split(ref));
  std::lock_guard lk(mu_);
  auto f = families_.find(parts.first);
  if (f == families_.end() || f->second.empty())
    return err(Code::NotFound, "taskdefinition/" + parts.first + " not found");
  std::vector<StoreOp> ops;
  if (parts.second == 0) {
    for (auto& [n, _] : f->second) ops.push_back(op::DeleteRecord{"taskdef", parts.first + ":" + std::to_string(n)});
    families_.erase(f);
  } else {
    if (!f->second.erase(parts.second)) return err(Code::NotFound, "taskdefinition/" + ref + " not found");
    ops.push_back(op::DeleteRecord{"taskdef", ref});
    if (f->second.empty()) families_.erase(f);
  }
  return committer_.append_all(std::move(ops));
}

int64_t TaskDefinitions::latest_revision(const std::string& family) const {
  std::lock_guard lk(mu_);
  auto f = families_.find(family);
  return f == families_.end() || f->second.empty() ? 0 : f->second.rbegin()->first;
}

}  // namespace ebb::sched

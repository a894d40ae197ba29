// TaskDefinitions: the registry of `ebb/v1 TaskDefinition` resources (ecosystem.md
// §3.6), usually imported from ECS task-definition JSON (manifest/task_definition_kind.h).
// Each apply whose spec differs from the family's latest revision registers a new
// revision (family:1, family:2, … as ECS numbers them); an identical apply is
// "unchanged". Revisions are immutable and kept until the family is deleted.
//
// References ("family" = the latest revision, "family:N" = that revision) are resolved
// by the users of a definition:
//   - Schedule `target.taskDefinition`: at each launch (a missing definition is a launch
//     failure, TARGET_MISSING, dead-lettered like EventBridge);
//   - Service `spec.taskDefinition` and Job annotation `ebb/taskDefinition`: at apply,
//     the way ECS pins a revision when a service is updated.
//
// Records: kind "taskdef", key "<family>:<revision>", value
// {"doc": TaskDefinition document, "revision": N, "created": epoch ms}.
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "clock/clock.h"
#include "store/committer.h"
#include "store/store.h"

namespace ebb::sched {

class TaskDefinitions {
 public:
  TaskDefinitions(Clock& clock, Committer& committer);

  void load(const std::vector<RecordRow>& records);

  // Validated TaskDefinition document → "created" (revision 1), "configured (revision
  // N)" (a new revision) or "unchanged (revision N)".
  Result<std::pair<std::string, Token>> apply(const nlohmann::json& validated_doc);

  // "family" or "family:N" → the TaskDefinition object (spec = task template,
  // status.revision, status.taskDefinition "family:N"). NotFound names the reference.
  Result<nlohmann::json> get(const std::string& ref) const;
  // The task template (spec) of a reference and its "family:N".
  Result<std::pair<nlohmann::json, std::string>> resolve(const std::string& ref) const;
  nlohmann::json list() const;  // {"items": [latest revision of each family]}
  Result<Token> remove(const std::string& ref);  // "family": every revision; "family:N": that one

  int64_t latest_revision(const std::string& family) const;  // 0 = none

 private:
  struct Revision {
    nlohmann::json doc;
    int64_t created_ms = 0;
  };
  nlohmann::json view(const std::string& family, int64_t rev, const Revision& r) const;
  // Splits a reference; Invalid when the revision is not a positive integer.
  static Result<std::pair<std::string, int64_t>> split(const std::string& ref);

  Clock& clock_;
  Committer& committer_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<int64_t, Revision>> families_;
};

}  // namespace ebb::sched

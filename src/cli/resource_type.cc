// resolve_type(): kubectl's `TYPE NAME…` and `TYPE/NAME` forms (ecosystem.md §3.2).
#include "cli/commands.h"

namespace ebb::cli {

const char* const kSupportedTypes =
    "queues (q), services (svc), tasks, eventsources (es), schedules (sched), cronjobs (cj), jobs, "
    "taskdefinitions (td), alarms, secrets";

Outcome<TypeAndNames> resolve_type(const std::string& type_arg, const std::vector<std::string>& names) {
  TypeAndNames out;
  std::string word = type_arg;
  if (auto slash = word.find('/'); slash != std::string::npos) {
    out.names.push_back(word.substr(slash + 1));
    word = word.substr(0, slash);
    if (out.names.back().empty()) return usage_error("\"" + type_arg + "\": missing name after '/'");
  }
  for (const std::string& n : names) out.names.push_back(n);
  struct Alias {
    const char* word;
    const char* type;
  };
  static constexpr Alias kAliases[] = {
      {"queues", "queues"},   {"queue", "queues"},   {"q", "queues"},
      {"services", "services"}, {"service", "services"}, {"svc", "services"},
      {"tasks", "tasks"},     {"task", "tasks"},
      {"eventsources", "eventsources"}, {"eventsource", "eventsources"}, {"es", "eventsources"},
      {"schedules", "schedules"}, {"schedule", "schedules"}, {"sched", "schedules"},
      {"cronjobs", "cronjobs"}, {"cronjob", "cronjobs"}, {"cj", "cronjobs"},
      {"jobs", "jobs"},       {"job", "jobs"},
      {"taskdefinitions", "taskdefinitions"}, {"taskdefinition", "taskdefinitions"}, {"td", "taskdefinitions"},
      {"alarms", "alarms"},   {"alarm", "alarms"},
      {"secrets", "secrets"}, {"secret", "secrets"},
  };
  for (const Alias& a : kAliases) {
    if (word == a.word) {
      out.type = a.type;
      return out;
    }
  }
  return usage_error("unknown resource type \"" + word + "\"", std::string("supported: ") + kSupportedTypes);
}

}  // namespace ebb::cli

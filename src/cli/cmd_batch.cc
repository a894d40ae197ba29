// The Job, CronJob and Schedule verbs that are not get/describe/delete/logs/suspend
// (ecosystem.md §3.2; docs/api.md "Jobs, CronJobs and Schedules"):
//   ebb wait job/NAME --for=condition=Complete [--timeout 10m]   (kubectl wait)
//   ebb create job NAME --from=cronjob/X                         (kubectl create job --from)
//   ebb trigger schedule/NAME…                                   (fire the target now)
// `wait` polls GET /api/v1/jobs/NAME every 500 ms through PollLoop (Ctrl-C ends it).
#include <cstdio>

#include "cli/batch_view.h"
#include "cli/commands.h"
#include "cli/poll_loop.h"
#include "cli/resource_kind.h"
#include "manifest/names.h"

namespace ebb::cli {
namespace {

constexpr std::chrono::seconds kDefaultWaitTimeout{30};  // kubectl wait's default
constexpr std::chrono::milliseconds kWaitPoll{500};

// Go-style durations as kubectl takes them: "30s", "10m", "1h30m", "500ms", "0".
// Strict: each number needs a unit, no sign, no fraction; at most 1 year.
Outcome<std::chrono::milliseconds> parse_timeout(const std::string& text) {
  auto bad = [&] {
    return usage_error("--timeout \"" + text + "\": expected a duration such as 30s, 10m or 1h30m");
  };
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return bad();
  int64_t total_ms = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == start || i - start > 9) return bad();
    const int64_t n = std::stoll(text.substr(start, i - start));
    int64_t unit = 0;
    if (text.compare(i, 2, "ms") == 0) unit = 1, i += 2;
    else if (text[i] == 'h') unit = 3600000, ++i;
    else if (text[i] == 'm') unit = 60000, ++i;
    else if (text[i] == 's') unit = 1000, ++i;
    else return bad();
    total_ms += n * unit;
    if (total_ms > int64_t{365} * 86400 * 1000) return bad();
  }
  return std::chrono::milliseconds(total_ms);
}

// "condition=Complete" → "Complete" (kubectl matches condition names case-insensitively).
Outcome<std::string> parse_condition(const std::string& text) {
  const std::string prefix = "condition=";
  if (text.rfind(prefix, 0) != 0) {
    return usage_error("--for \"" + text + "\": expected condition=Complete, condition=Failed or condition=Suspended");
  }
  std::string c = text.substr(prefix.size());
  std::string lower;
  for (char ch : c) lower += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  if (lower == "complete") return std::string("Complete");
  if (lower == "failed") return std::string("Failed");
  if (lower == "suspended") return std::string("Suspended");
  return usage_error("--for \"" + text + "\": jobs have the conditions Complete, Failed and Suspended");
}

// `TYPE/NAME` or `TYPE NAME` of one object of `want` ("jobs", "schedules").
Outcome<std::string> one_name(const std::string& verb, const std::string& type, const std::vector<std::string>& names,
                              const std::string& want) {
  Outcome<TypeAndNames> tn = resolve_type(type, names);
  if (!tn.ok()) return tn.error();
  const ResourceKind& kind = resource_kind(want);
  if (tn->type != want) {
    return usage_error(verb + ": \"" + type + "\" is not a " + kind.singular, "ebb " + verb + " " + kind.singular + "/NAME");
  }
  if (tn->names.size() != 1) return usage_error(verb + " takes one " + kind.singular + ": ebb " + verb + " " + kind.singular + "/NAME");
  return tn->names.front();
}

}  // namespace

int run_wait(ApiClient& api, const WaitOptions& o) {
  Outcome<std::string> name = one_name("wait", o.target, o.names, "jobs");
  if (!name.ok()) return report(name.error());
  if (o.condition.empty()) return report(usage_error("wait needs --for=condition=Complete (or Failed, Suspended)"));
  Outcome<std::string> want = parse_condition(o.condition);
  if (!want.ok()) return report(want.error());
  Outcome<std::chrono::milliseconds> timeout =
      o.timeout.empty() ? Outcome<std::chrono::milliseconds>(kDefaultWaitTimeout) : parse_timeout(o.timeout);
  if (!timeout.ok()) return report(timeout.error());
  Outcome<PollLoop> loop = PollLoop::start();
  if (!loop.ok()) return report(loop.error());

  const std::string path = "/api/v1/jobs/" + api.escape(*name);
  const auto deadline = std::chrono::steady_clock::now() + *timeout;
  // The terminal condition that makes waiting for `want` hopeless.
  const std::string other = *want == "Complete" ? "Failed" : *want == "Failed" ? "Complete" : "";
  while (true) {
    Outcome<nlohmann::json> job = api.get(path);
    if (!job.ok()) {
      CliError e = job.error();
      if (is_not_found(e)) e.message = "job \"" + *name + "\" not found";
      return report(e);
    }
    if (job_condition(*job, *want)) {
      std::printf("job/%s condition met\n", name->c_str());
      return kExitOk;
    }
    if (!other.empty()) {
      if (std::optional<ConditionMet> ended = job_condition(*job, other)) {
        CliError e{kExitRefused, "job/" + *name + " is " + other + (ended->reason.empty() ? "" : " (" + ended->reason + ")") +
                                     ", not " + *want, {}, ""};
        if (!ended->message.empty()) e.details.push_back(ended->message);
        return report(e);
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (!loop->pause(std::min(left, kWaitPoll))) {
      if (std::chrono::steady_clock::now() >= deadline) break;
      return report(CliError{kExitRefused, "interrupted while waiting for the condition on jobs/" + *name, {}, ""});
    }
  }
  // kubectl's wording, so scripts that grep for it keep working.
  return report(CliError{kExitRefused, "timed out waiting for the condition on jobs/" + *name, {}, ""});
}

int run_create_job(ApiClient& api, const CreateJobOptions& o) {
  if (o.from.empty()) return report(usage_error("create job needs --from=cronjob/NAME"));
  std::string why = manifest::check_dns1123_subdomain(o.name);
  if (o.name.empty()) why = "must not be empty";
  if (!why.empty()) return report(usage_error("job name: " + why));
  Outcome<std::string> cronjob = one_name("create job --from", o.from, {}, "cronjobs");
  if (!cronjob.ok()) return report(cronjob.error());
  Outcome<nlohmann::json> r = api.post("/api/v1/cronjobs/" + api.escape(*cronjob) + "/jobs", {{"name", o.name}});
  if (!r.ok()) {
    CliError e = r.error();
    if (is_not_found(e)) e.message = "cronjob \"" + *cronjob + "\" not found";
    return report(e);
  }
  std::printf("job/%s created\n", o.name.c_str());
  return kExitOk;
}

int run_trigger(ApiClient& api, const TriggerOptions& o) {
  Outcome<TypeAndNames> tn = resolve_type(o.type, o.names);
  if (!tn.ok()) return report(tn.error());
  if (tn->type != "schedules") {
    return report(usage_error("trigger: \"" + o.type + "\" is not a schedule",
                              "ebb trigger schedule/NAME (for a cronjob: ebb create job NAME --from=cronjob/X)"));
  }
  if (tn->names.empty()) return report(usage_error("trigger needs a name: ebb trigger schedule/NAME"));
  const ResourceKind& kind = resource_kind("schedules");
  int exit = kExitOk;
  for (const std::string& name : tn->names) {
    Outcome<nlohmann::json> r = api.post(object_path(api, kind, name) + "/trigger", nlohmann::json::object());
    if (!r.ok()) {
      CliError e = r.error();
      if (is_not_found(e)) e.message = not_found_message(kind, name);
      exit = report(e);
      if (exit == kExitUnreachable) return exit;
      continue;
    }
    std::printf("schedule/%s triggered\n", name.c_str());
  }
  return exit;
}

}  // namespace ebb::cli

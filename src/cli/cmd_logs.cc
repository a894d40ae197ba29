// ebb logs task/ID|service/NAME|job/NAME [-f] [--tail N] (ecosystem.md §3.2,
// docs/api.md POST /api/v1/logs). The output of a service's or a job's tasks is
// prefixed line by line with "[TASK-ID] " (kubectl logs --prefix). -f polls every
// 500 ms with the cursor of the previous answer until Ctrl-C; for one task (or one
// job) it also ends once the task (the job) has finished and its output has been read.
#include <cstdio>
#include <map>

#include "cli/batch_view.h"
#include "cli/commands.h"
#include "cli/poll_loop.h"
#include "cli/queue_view.h"
#include "cli/strict_number.h"
#include "cli/task_view.h"

namespace ebb::cli {
namespace {

// Writes chunks to stdout; with `prefix`, whole lines only, each as "[task] line"
// (a partial line waits for its end, so lines of different tasks never mix).
class LogWriter {
 public:
  explicit LogWriter(bool prefix) : prefix_(prefix) {}

  // Prints the chunks of one answer; true when there was any data.
  bool write(const nlohmann::json& answer) {
    bool any = false;
    const nlohmann::json* chunks = find_at(answer, {"chunks"});
    if (!chunks || !chunks->is_array()) return false;
    for (const auto& c : *chunks) {
      std::string data = string_at(c, {"data"}).value_or("");
      if (data.empty()) continue;
      any = true;
      if (!prefix_) {
        std::fwrite(data.data(), 1, data.size(), stdout);
        continue;
      }
      const std::string task = scalar_text(find_at(c, {"task"}));
      std::string& pending = partial_[task];
      pending += data;
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        line(task, std::string_view(pending).substr(start, nl + 1 - start));
      }
      pending.erase(0, start);
    }
    std::fflush(stdout);
    return any;
  }

  // At the end: partial lines are printed with a newline added.
  void finish() {
    for (auto& [task, rest] : partial_) {
      if (!rest.empty()) line(task, rest + "\n");
      rest.clear();
    }
    std::fflush(stdout);
  }

 private:
  void line(const std::string& task, std::string_view text) {
    std::printf("[%s] ", task.c_str());
    std::fwrite(text.data(), 1, text.size(), stdout);
  }

  bool prefix_;
  std::map<std::string, std::string> partial_;
};

}  // namespace

int run_logs(ApiClient& api, const LogsOptions& o) {
  // task/ID, service/NAME (and their aliases); a bare word is a task id.
  std::string type = "tasks";
  std::string name = o.target;
  if (o.target.find('/') != std::string::npos) {
    Outcome<TypeAndNames> tn = resolve_type(o.target, {});
    if (!tn.ok()) return report(tn.error());
    if (tn->type != "tasks" && tn->type != "services" && tn->type != "jobs") {
      return report(usage_error("logs: \"" + o.target + "\" has no logs", "use task/ID, service/NAME or job/NAME"));
    }
    type = tn->type;
    name = tn->names.front();
  }
  if (name.empty()) return report(usage_error("logs needs task/ID, service/NAME or job/NAME"));
  const std::string target = (type == "tasks" ? "task/" : type == "jobs" ? "job/" : "service/") + name;

  nlohmann::json req = {{"target", target}};
  if (!o.tail.empty()) {
    Outcome<int64_t> tail = parse_int_flag("--tail", o.tail, -1, 1000000000);
    if (!tail.ok()) return report(tail.error());
    if (*tail >= 0) req["tail"] = *tail;  // -1: everything, as kubectl
  }
  std::optional<PollLoop> loop;
  if (o.follow) {
    Outcome<PollLoop> l = PollLoop::start();
    if (!l.ok()) return report(l.error());
    loop = *l;
  }

  LogWriter out(type != "tasks");
  Outcome<nlohmann::json> r = api.post("/api/v1/logs", req);
  if (!r.ok()) return report(r.error());
  out.write(*r);
  nlohmann::json cursor = r->contains("cursor") ? (*r)["cursor"] : nlohmann::json::object();
  if (!o.follow) {
    out.finish();
    return kExitOk;
  }

  int idle = 0;
  bool last_poll = false;  // the task has ended: read once more, then stop
  while (last_poll || loop->pause(std::chrono::milliseconds(500))) {
    Outcome<nlohmann::json> next = api.post("/api/v1/logs", {{"target", target}, {"cursor", cursor}});
    if (!next.ok()) {
      out.finish();
      return loop->done() ? kExitOk : report(next.error());  // Ctrl-C may cut a request short
    }
    if (const nlohmann::json* c = find_at(*next, {"cursor"}); c && c->is_object()) cursor = *c;
    const bool got = out.write(*next);
    if (last_poll) break;
    idle = got ? 0 : idle + 1;
    // A single task: stop following once it has finished (kubectl logs -f does).
    if (type == "tasks" && (idle == 1 || (idle > 0 && idle % 4 == 0))) {
      Outcome<nlohmann::json> task = api.get("/api/v1/tasks/" + api.escape(name));
      if (task.ok() && task_finished(*task)) last_poll = true;
    }
    // A job: stop once it is Complete or Failed (its tasks have all ended).
    if (type == "jobs" && (idle == 1 || (idle > 0 && idle % 4 == 0))) {
      Outcome<nlohmann::json> job = api.get("/api/v1/jobs/" + api.escape(name));
      if (job.ok() && (job_condition(*job, "Complete") || job_condition(*job, "Failed"))) last_poll = true;
    }
  }
  out.finish();
  return kExitOk;
}

}  // namespace ebb::cli

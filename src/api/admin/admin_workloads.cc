// Native API routes for what runs: services, tasks, their logs, the runtime's limits,
// and event sources (docs/api.md "Services", "Event sources"). The controllers answer
// with finished JSON objects; this file only routes, parses bodies and reads logs.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <map>

#include "api/admin/admin_api.h"
#include "api/admin/admin_reply.h"
#include "api/admin/list_page.h"
#include "api/http/query_string.h"
#include "sched/job_controller.h"
#include "sched/schedule_controller.h"
#include "sched/task_definitions.h"
#include "service/service_controller.h"
#include "source/event_source.h"

namespace ebb::admin {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::Respond;
using nlohmann::json;

// ?limit&offset&filter (docs/api.md "Paging"): newest first, `filter` matches the
// task id or its owner; without them the list is returned whole, as before.
HttpResponse page_tasks(const HttpRequest& req, json list) {
  auto page = parse_list_page(req);
  if (!page.ok()) return error_reply(page.error());
  if (!page->paged && page->filter.empty()) return json_reply(200, list);
  auto text = [](const json& obj, const char* section, const char* key) {
    auto s = obj.find(section);
    if (s == obj.end() || !s->is_object()) return std::string();
    auto v = s->find(key);
    return v != s->end() && v->is_string() ? v->get<std::string>() : std::string();
  };
  std::vector<json*> shown;
  for (auto& t : list["items"]) {
    std::string name = text(t, "metadata", "name");
    std::string owner = text(t, "spec", "owner");
    if (page->filter.empty() || name.find(page->filter) != std::string::npos ||
        owner.find(page->filter) != std::string::npos)
      shown.push_back(&t);
  }
  auto created = [&](const json* t) { return text(*t, "metadata", "creationTimestamp"); };
  std::stable_sort(shown.begin(), shown.end(), [&](auto* a, auto* b) { return created(a) > created(b); });
  json items = json::array();
  size_t end = page->paged ? std::min(shown.size(), page->offset + page->limit) : shown.size();
  for (size_t i = page->offset; i < end; ++i) items.push_back(std::move(*shown[i]));
  return json_reply(200, {{"apiVersion", "ebb/v1"},
                          {"kind", "List"},
                          {"metadata", {{"total", shown.size()}, {"offset", page->offset}}},
                          {"items", std::move(items)}});
}

constexpr size_t kMaxLogAnswer = 1 << 20;  // bytes of log text per answer

HttpResponse not_allowed() {
  auto r = error_reply(Code::Invalid, "method not allowed on this resource");
  r.status = 405;
  return r;
}

Result<json> object_body(const std::string& body) {
  if (body.empty()) return json::object();
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return err(Code::Invalid, "request body must be a JSON object");
  return j;
}

Result<std::optional<int64_t>> count_member(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<int64_t>{};
  if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > 1000)
    return err(Code::Invalid, std::string(key) + ": must be an integer between 0 and 1000");
  return std::optional<int64_t>(it->get<int64_t>());
}

// Bytes [from, end) of a file ("" when missing or shorter).
std::string read_from(const std::string& path, int64_t from) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return {};
  f.seekg(0, std::ios::end);
  int64_t size = f.tellg();
  if (from >= size) return {};
  f.seekg(from);
  std::string out(size_t(size - from), '\0');
  f.read(out.data(), std::streamsize(out.size()));
  out.resize(size_t(f.gcount()));
  return out;
}

int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? int64_t(st.st_size) : -1;
}

std::string last_lines(const std::string& text, int64_t n) {
  if (n <= 0) return {};
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;
  size_t pos = end;
  int64_t seen = 0;
  while (pos > 0) {
    if (text[pos - 1] == '\n' && ++seen == n) break;
    --pos;
  }
  return text.substr(pos);
}

// ".../tasks/<id>/output.log[.1]" → <id>.
std::string task_of(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return path;
  size_t prev = path.rfind('/', slash - 1);
  return path.substr(prev == std::string::npos ? 0 : prev + 1, slash - (prev == std::string::npos ? 0 : prev + 1));
}

}  // namespace

bool AdminApi::handle_workloads(const std::vector<std::string>& s, const HttpRequest& req, Respond respond) {
  auto* svc = controllers_.services;
  auto* src = controllers_.sources;
  const std::string& m = req.method;
  auto tagged = [&respond](std::string action) {
    return Respond([respond, action](HttpResponse r) {
      r.api = "native";
      r.action = action;
      respond(std::move(r));
    });
  };
  auto reply = [](const Result<json>& r) { return r.ok() ? json_reply(200, *r) : error_reply(r.error()); };
  auto unavailable = [](const char* what) {
    return error_reply(Code::ServiceUnavailable, std::string(what) + " are not available on this server");
  };
  if (s.empty()) return false;

  if (s[0] == "services") {
    auto out = tagged("services");
    if (!svc) return out(unavailable("services")), true;
    if (s.size() == 1) return out(m == "GET" ? json_reply(200, svc->list()) : not_allowed()), true;
    const std::string& name = s[1];
    if (s.size() == 2) {
      if (m == "GET") return out(reply(svc->get(name))), true;
      if (m != "DELETE") return out(not_allowed()), true;
      auto t = svc->remove(name);
      if (!t.ok()) return out(error_reply(t.error())), true;
      answer_when_durable(*t, json_reply(200, {{"deleted", "service/" + name}}), out);
      return true;
    }
    if (s.size() != 3) return false;
    const std::string& sub = s[2];
    if (sub == "events") return out(m == "GET" ? reply(svc->events(name)) : not_allowed()), true;
    if (sub != "scale" && sub != "suspend" && sub != "resume") return false;
    if (m != "POST") return out(not_allowed()), true;
    Result<Token> t = Token{0};
    if (sub == "scale") {
      auto body = object_body(req.body);
      if (!body.ok()) return out(error_reply(body.error())), true;
      auto lo = count_member(*body, "min");
      auto hi = count_member(*body, "max");
      if (!lo.ok()) return out(error_reply(lo.error())), true;
      if (!hi.ok()) return out(error_reply(hi.error())), true;
      if (!*lo && !*hi) return out(error_reply(Code::Invalid, "give min, max or both")), true;
      t = svc->scale(name, *lo, *hi);
    } else {
      t = svc->set_paused(name, sub == "suspend");
    }
    if (!t.ok()) return out(error_reply(t.error())), true;
    auto obj = svc->get(name);
    answer_when_durable(*t, reply(obj), out);
    return true;
  }

  if (s[0] == "tasks") {
    auto out = tagged("tasks");
    if (!svc) return out(unavailable("tasks")), true;
    if (m != "GET") return out(not_allowed()), true;
    auto* jobs = controllers_.jobs;
    if (s.size() == 1) {
      std::string owner = http::query_param(req.query, "owner").value_or("");
      auto all_q = http::query_param(req.query, "all");
      bool all = all_q && (*all_q == "true" || *all_q == "1");
      if (owner.starts_with("job/")) {
        if (!jobs) return out(unavailable("jobs")), true;
        return out(json_reply(200, jobs->list_tasks(owner, all))), true;
      }
      json list = svc->list_tasks(owner, all);
      if (owner.empty() && jobs)
        for (auto& t : jobs->list_tasks("", all)["items"]) list["items"].push_back(t);
      return out(page_tasks(req, std::move(list))), true;
    }
    if (s.size() == 2) {
      auto t = svc->get_task(s[1]);
      if (!t.ok() && jobs)
        for (auto& x : jobs->list_tasks("", true)["items"])
          if (x["metadata"]["name"] == s[1]) t = x;
      return out(reply(t)), true;
    }
    return false;
  }

  if (s[0] == "jobs" || s[0] == "cronjobs" || s[0] == "schedules") {
    auto out = tagged(s[0]);
    auto* jobs = controllers_.jobs;
    auto* sch = controllers_.schedules;
    if (!jobs || !sch) return out(unavailable("jobs and schedules")), true;
    const bool is_job = s[0] == "jobs";
    const std::string kind = s[0] == "cronjobs" ? "CronJob" : "Schedule";
    const std::string word = is_job ? "job" : s[0] == "cronjobs" ? "cronjob" : "schedule";
    if (s.size() == 1)
      return out(m == "GET" ? json_reply(200, is_job ? jobs->list() : sch->list(kind)) : not_allowed()), true;
    const std::string& name = s[1];
    auto get = [&] { return is_job ? jobs->get(name) : sch->get(kind, name); };
    if (s.size() == 2) {
      if (m == "GET") return out(reply(get())), true;
      if (m != "DELETE") return out(not_allowed()), true;
      auto t = is_job ? jobs->remove(name) : sch->remove(kind, name);
      if (!t.ok()) return out(error_reply(t.error())), true;
      answer_when_durable(*t, json_reply(200, {{"deleted", word + "/" + name}}), out);
      return true;
    }
    if (s.size() != 3) return false;
    const std::string& sub = s[2];
    if (sub == "events")
      return out(m == "GET" ? reply(is_job ? jobs->events(name) : sch->events(kind, name)) : not_allowed()), true;
    if (m != "POST") return out(not_allowed()), true;
    Result<Token> t = Token{0};
    if (sub == "suspend" || sub == "resume") {
      t = is_job ? jobs->set_suspended(name, sub == "suspend") : sch->set_suspended(kind, name, sub == "suspend");
    } else if (sub == "trigger" && kind == "Schedule" && !is_job) {
      t = sch->trigger(name);
    } else if (sub == "jobs" && kind == "CronJob" && !is_job) {
      auto body = object_body(req.body);
      if (!body.ok()) return out(error_reply(body.error())), true;
      auto n = body->find("name");
      if (n == body->end() || !n->is_string() || n->get<std::string>().empty())
        return out(error_reply(Code::Invalid, "name: required, the new Job's name")), true;
      std::string job = n->get<std::string>();
      t = sch->create_job_from(name, job);
      if (!t.ok()) return out(error_reply(t.error())), true;
      answer_when_durable(*t, reply(jobs->get(job)), out);
      return true;
    } else {
      return false;
    }
    if (!t.ok()) return out(error_reply(t.error())), true;
    answer_when_durable(*t, reply(get()), out);
    return true;
  }

  if (s[0] == "taskdefinitions") {
    auto out = tagged("taskdefinitions");
    auto* tds = controllers_.task_definitions;
    if (!tds) return out(unavailable("task definitions")), true;
    if (s.size() == 1) return out(m == "GET" ? json_reply(200, tds->list()) : not_allowed()), true;
    if (s.size() != 2) return false;
    if (m == "GET") return out(reply(tds->get(s[1]))), true;
    if (m != "DELETE") return out(not_allowed()), true;
    auto t = tds->remove(s[1]);
    if (!t.ok()) return out(error_reply(t.error())), true;
    answer_when_durable(*t, json_reply(200, {{"deleted", "taskdefinition/" + s[1]}}), out);
    return true;
  }

  if (s.size() == 1 && s[0] == "logs") {
    auto out = tagged("logs");
    if (!svc) return out(unavailable("logs")), true;
    if (m != "POST") return out(not_allowed()), true;
    read_logs(req, out);
    return true;
  }

  if (s.size() == 1 && s[0] == "runtime") {
    auto out = tagged("runtime");
    if (!svc) return out(unavailable("tasks")), true;
    if (m != "GET") return out(not_allowed()), true;
    auto c = svc->capabilities();
    out(json_reply(200, {{"runtime", c.runtime},
                         {"cgroup", c.cgroup},
                         {"memory", c.memory_limit},
                         {"pids", c.pids_limit},
                         {"cpu", c.cpu_limit},
                         {"rlimits", c.rlimits},
                         {"notes", c.notes}}));
    return true;
  }

  if (s[0] == "eventsources") {
    auto out = tagged("eventsources");
    if (!src) return out(unavailable("event sources")), true;
    if (s.size() == 1) return out(m == "GET" ? json_reply(200, src->list()) : not_allowed()), true;
    if (s.size() != 2) return false;
    if (m == "GET") return out(reply(src->get(s[1]))), true;
    if (m != "DELETE") return out(not_allowed()), true;
    auto t = src->remove(s[1]);
    if (!t.ok()) return out(error_reply(t.error())), true;
    answer_when_durable(*t, json_reply(200, {{"deleted", "eventsource/" + s[1]}}), out);
    return true;
  }
  return false;
}

// POST /api/v1/logs {"target","tail"?,"cursor"?}: per task, the log text since the
// cursor's offset into output.log (a file shorter than the offset was rotated: the
// rest of output.log.1 comes first), or the whole log / its last `tail` lines.
void AdminApi::read_logs(const HttpRequest& req, Respond respond) {
  auto body = object_body(req.body);
  if (!body.ok()) return respond(error_reply(body.error()));
  auto target = body->find("target");
  if (target == body->end() || !target->is_string())
    return respond(error_reply(Code::Invalid, "target: required, \"task/ID\" or \"service/NAME\""));
  std::optional<int64_t> tail;
  if (auto t = body->find("tail"); t != body->end() && !t->is_null()) {
    if (!t->is_number_integer() || t->get<int64_t>() < 0)
      return respond(error_reply(Code::Invalid, "tail: must be a non-negative integer"));
    tail = t->get<int64_t>();
  }
  const json* cursor = nullptr;
  if (auto c = body->find("cursor"); c != body->end() && !c->is_null()) {
    if (!c->is_object()) return respond(error_reply(Code::Invalid, "cursor: must be the cursor of an earlier answer"));
    cursor = &*c;
  }
  const std::string tgt = target->get<std::string>();
  auto paths = controllers_.services->log_paths(tgt);
  if (!paths.ok() && controllers_.jobs && (tgt.starts_with("job/") || tgt.starts_with("task/")))
    paths = controllers_.jobs->log_paths(tgt);
  if (!paths.ok()) return respond(error_reply(paths.error()));

  // Group files by task, keeping order (oldest task first; .1 before the current file).
  std::vector<std::string> order;
  std::map<std::string, std::string> current;
  for (auto& p : *paths) {
    std::string id = task_of(p);
    if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
    if (!p.ends_with(".1")) current[id] = p;
  }
  json chunks = json::array();
  json next = json::object();
  size_t budget = kMaxLogAnswer;
  for (auto& id : order) {
    if (!current.count(id)) continue;
    const std::string& log = current[id];
    const std::string rotated = log + ".1";
    int64_t size = std::max<int64_t>(0, file_size(log));
    std::string data;
    auto off = cursor ? cursor->find(id) : json::const_iterator{};
    if (cursor && off != cursor->end() && off->is_number_integer()) {
      int64_t from = off->get<int64_t>();
      if (size < from) data = read_from(rotated, from) + read_from(log, 0);
      else data = read_from(log, from);
    } else {
      data = read_from(rotated, 0) + read_from(log, 0);
      if (tail) data = last_lines(data, *tail);
    }
    if (data.size() > budget) data.erase(0, data.size() - budget);  // keep the newest
    budget -= data.size();
    next[id] = size;
    if (!data.empty()) chunks.push_back({{"task", id}, {"data", std::move(data)}});
  }
  respond(json_reply(200, {{"chunks", chunks}, {"cursor", next}}));
}

}  // namespace ebb::admin

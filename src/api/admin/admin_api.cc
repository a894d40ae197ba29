#include "api/admin/admin_api.h"

#include <algorithm>
#include <set>

#include "api/admin/list_page.h"

#include <memory>

#include "api/admin/admin_reply.h"
#include "api/admin/apply.h"
#include "api/admin/message_json.h"
#include "api/admin/queue_object.h"
#include "api/admin/send_request.h"
#include "api/http/query_string.h"
#include "base/crypto.h"

namespace ebb::admin {
namespace {

using http::HttpRequest;
using http::HttpResponse;
using http::Respond;
using nlohmann::json;

// Splits "/api/v1/a/b/c" into {"a","b","c"} (percent-decoded).
std::optional<std::vector<std::string>> segments(std::string_view path) {
  constexpr std::string_view kPrefix = "/api/v1";
  path.remove_prefix(kPrefix.size());
  std::vector<std::string> out;
  while (!path.empty()) {
    if (path.front() == '/') { path.remove_prefix(1); continue; }
    size_t slash = path.find('/');
    auto seg = http::percent_decode(path.substr(0, slash));
    if (!seg) return std::nullopt;
    out.push_back(*seg);
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash);
  }
  return out;
}

// Request bodies: "" counts as {}; anything but an object is Invalid.
Result<json> parse_body(const std::string& body) {
  if (body.empty()) return json::object();
  auto j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return err(Code::Invalid, "request body must be a JSON object");
  return j;
}

// Optional integer member in [lo, hi].
Result<std::optional<int>> int_member(const json& j, const char* key, int lo, int hi) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<int>{};
  if (!it->is_number_integer()) return err(Code::Invalid, std::string(key) + ": must be an integer");
  auto v = it->get<int64_t>();
  if (v < lo || v > hi)
    return err(Code::Invalid, std::string(key) + ": must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  return std::optional<int>(static_cast<int>(v));
}

HttpResponse method_not_allowed() {
  auto r = error_reply(Code::Invalid, "method not allowed on this resource");
  r.status = 405;
  return r;
}

}  // namespace

AdminApi::AdminApi(Engine& engine, Clock& clock, AdminConfig cfg, Post post)
    : engine_(engine), clock_(clock), cfg_(std::move(cfg)), post_(std::move(post)) {}

std::string AdminApi::url_base(const HttpRequest& req) const {
  if (!cfg_.public_url.empty()) return cfg_.public_url;
  std::string host(req.header("Host"));
  return cfg_.scheme + "://" + (host.empty() ? std::string("127.0.0.1") : host);
}

void AdminApi::answer_when_durable(Token token, HttpResponse reply, Respond respond) {
  auto shared = std::make_shared<HttpResponse>(std::move(reply));
  engine_.when_durable(token, [shared, respond = std::move(respond)](bool ok) {
    if (ok) return respond(std::move(*shared));
    respond(error_reply(Code::ServiceUnavailable, "the store failed; the change was not saved"));
  });
}

void AdminApi::handle(const HttpRequest& req, Respond respond) {
  auto segs = segments(req.path);
  if (!segs) return respond(error_reply(Code::Invalid, "malformed path"));
  const auto& s = *segs;
  const std::string& m = req.method;
  // Tag the answer with the route for metrics and logs.
  auto tagged = [respond](std::string action) {
    return Respond([respond, action](HttpResponse r) {
      r.api = "native";
      r.action = action;
      respond(std::move(r));
    });
  };

  if (s.size() == 1 && s[0] == "apply") {
    if (m != "POST") return tagged("apply")(method_not_allowed());
    return apply(req, tagged("apply"));
  }
  if (!s.empty() && s[0] == "queues") {
    if (s.size() == 1) {
      if (m != "GET") return tagged("list_queues")(method_not_allowed());
      return list_queues(req, tagged("list_queues"));
    }
    const std::string& name = s[1];
    if (s.size() == 2) {
      if (m == "GET") return get_queue(req, name, tagged("get_queue"));
      if (m == "DELETE") return delete_queue(name, tagged("delete_queue"));
      return tagged("queue")(method_not_allowed());
    }
    if (s.size() == 3) {
      const std::string& sub = s[2];
      if (sub == "messages" && m == "POST") return send(req, name, tagged("send"));
      if (sub == "receive" && m == "POST") return receive(req, name, tagged("receive"));
      if (sub == "peek" && m == "GET") return peek(req, name, tagged("peek"));
      if (sub == "purge" && m == "POST") return purge(name, tagged("purge"));
      if (sub == "redrive" && m == "POST") return start_redrive(req, name, tagged("redrive"));
      if (sub == "redrive" && m == "GET") return list_redrives(name, tagged("list_redrives"));
      if (sub == "messages" || sub == "receive" || sub == "peek" || sub == "purge" || sub == "redrive")
        return tagged(sub)(method_not_allowed());
    }
  }
  if (s.size() == 1 && s[0] == "cost") {
    if (m != "GET") return tagged("cost")(method_not_allowed());
    return cost(req, tagged("cost"));
  }
  if (s.size() == 1 && s[0] == "series") {
    if (m != "GET") return tagged("series")(method_not_allowed());
    return series(req, tagged("series"));
  }
  if (handle_alarms(s, req, respond)) return;
  if (handle_secrets(s, req, respond)) return;
  if (handle_workloads(s, req, respond)) return;
  tagged("other")(error_reply(Code::NotFound, "no such resource: " + req.path));
}

void AdminApi::list_queues(const HttpRequest& req, Respond respond) {
  auto page = parse_list_page(req);
  if (!page.ok()) return respond(error_reply(page.error()));
  json items = json::array();
  int64_t now = clock_.now_ms();
  std::string base = url_base(req);
  auto all = engine_.stats();
  if (!page->paged && page->filter.empty() && page->sort.empty()) {
    for (auto& st : all) items.push_back(queue_object(engine_, st, base, now));
    return respond(json_reply(200, {{"apiVersion", "ebb/v1"}, {"kind", "List"}, {"items", items}}));
  }
  // Paged (docs/api.md "Paging"): objects are built for the page only; the summary
  // covers every queue (the dashboard's overview cards).
  int64_t visible = 0, inflight = 0, oldest = 0;
  std::set<std::string> dlqs;
  for (auto& st : all) {
    visible += st.visible;
    inflight += st.inflight;
    if (st.oldest_sent_ms) oldest = std::max(oldest, now - st.oldest_sent_ms);
    if (!st.dlq.empty()) dlqs.insert(st.dlq);
  }
  json dlq_busy = json::array();
  for (auto& st : all)
    if (dlqs.count(st.name) && st.visible > 0 && dlq_busy.size() < 20) dlq_busy.push_back(st.name);
  std::vector<const QueueStats*> shown;
  for (auto& st : all)
    if (page->filter.empty() || st.name.find(page->filter) != std::string::npos) shown.push_back(&st);
  auto age = [now](const QueueStats* s) { return s->oldest_sent_ms ? now - s->oldest_sent_ms : int64_t{0}; };
  if (page->sort == "visible")
    std::stable_sort(shown.begin(), shown.end(), [](auto* a, auto* b) { return a->visible > b->visible; });
  else if (page->sort == "age")
    std::stable_sort(shown.begin(), shown.end(), [&](auto* a, auto* b) { return age(a) > age(b); });
  else if (page->sort == "name")
    std::stable_sort(shown.begin(), shown.end(), [](auto* a, auto* b) { return a->name < b->name; });
  size_t end = page->paged ? std::min(shown.size(), page->offset + page->limit) : shown.size();
  for (size_t i = page->offset; i < end; ++i) items.push_back(queue_object(engine_, *shown[i], base, now));
  respond(json_reply(200, {{"apiVersion", "ebb/v1"},
                           {"kind", "List"},
                           {"metadata", {{"total", shown.size()}, {"offset", page->offset}}},
                           {"summary", {{"queues", all.size()}, {"visible", visible}, {"inFlight", inflight},
                                        {"oldestAgeSeconds", oldest / 1000}, {"deadLetterQueuesWithMessages", dlq_busy}}},
                           {"items", items}}));
}

void AdminApi::get_queue(const HttpRequest& req, const std::string& name, Respond respond) {
  auto st = engine_.stats(name);
  if (!st.ok()) return respond(error_reply(st.error()));
  respond(json_reply(200, queue_object(engine_, *st, url_base(req), clock_.now_ms())));
}

void AdminApi::delete_queue(const std::string& name, Respond respond) {
  auto t = engine_.delete_queue(name);
  if (!t.ok()) return respond(error_reply(t.error()));
  answer_when_durable(*t, json_reply(200, {{"deleted", "queue/" + name}}), std::move(respond));
}

void AdminApi::send(const HttpRequest& req, const std::string& name, Respond respond) {
  auto body = parse_body(req.body);
  if (!body.ok()) return respond(error_reply(body.error()));
  auto entry = parse_send_request(*body);
  if (!entry.ok()) return respond(error_reply(entry.error()));
  bool has_attrs = !entry->attrs.empty();
  json reply = {{"MD5OfMessageBody", md5_hex(entry->body)}};
  if (has_attrs) reply["MD5OfMessageAttributes"] = md5_of_attributes(entry->attrs);
  std::vector<SendEntry> entries;
  entries.push_back(std::move(*entry));
  Token token = 0;
  auto results = engine_.send(name, std::move(entries), token);
  if (!results.ok()) return respond(error_reply(results.error()));
  auto& r = results->at(0);
  if (!r.ok()) return respond(error_reply(r.error()));
  reply["MessageId"] = r->message_id;
  if (!r->sequence_number.empty()) reply["SequenceNumber"] = r->sequence_number;
  answer_when_durable(token, json_reply(200, reply), std::move(respond));
}

void AdminApi::receive(const HttpRequest& req, const std::string& name, Respond respond) {
  auto body = parse_body(req.body);
  if (!body.ok()) return respond(error_reply(body.error()));
  ReceiveOptions opts;
  auto max = int_member(*body, "max", 1, 10);
  auto wait = int_member(*body, "waitSeconds", 0, 20);
  auto vis = int_member(*body, "visibilityTimeout", 0, 43200);
  for (auto* r : {&max, &wait, &vis})
    if (!r->ok()) return respond(error_reply(r->error()));
  opts.max_messages = max->value_or(1);
  opts.wait_seconds = *wait;
  opts.visibility = *vis;
  auto del = body->find("delete");
  if (del != body->end() && !del->is_boolean()) return respond(error_reply(Code::Invalid, "delete: must be a boolean"));
  bool and_delete = del != body->end() && del->get<bool>();

  engine_.receive(name, opts, [this, name, and_delete, respond](Result<std::vector<Delivered>> got) {
    if (!got.ok()) return respond(error_reply(got.error()));
    json messages = json::array();
    for (auto& d : *got) messages.push_back(delivered_json(d, true));
    json reply = json::object();
    if (!messages.empty()) reply["Messages"] = messages;
    if (!and_delete || got->empty()) return respond(json_reply(200, reply));
    std::vector<std::string> handles;
    for (auto& d : *got) handles.push_back(d.receipt_handle);
    // This may run on the committer's thread: call the engine again from the executor.
    post_([this, name, handles = std::move(handles), reply = std::move(reply), respond]() mutable {
      Token token = 0;
      auto res = engine_.delete_messages(name, handles, token);
      if (!res.ok()) return respond(error_reply(res.error()));
      answer_when_durable(token, json_reply(200, reply), respond);
    });
  });
}

void AdminApi::peek(const HttpRequest& req, const std::string& name, Respond respond) {
  int max = 10;
  if (auto m = http::query_param(req.query, "max")) {
    try {
      max = std::stoi(*m);
    } catch (...) {
      max = -1;
    }
    if (max < 1 || max > 100) return respond(error_reply(Code::Invalid, "max: must be between 1 and 100"));
  }
  auto got = engine_.peek(name, max);
  if (!got.ok()) return respond(error_reply(got.error()));
  json messages = json::array();
  for (auto& d : *got) messages.push_back(delivered_json(d, false));
  json reply = json::object();
  if (!messages.empty()) reply["Messages"] = messages;
  respond(json_reply(200, reply));
}

void AdminApi::purge(const std::string& name, Respond respond) {
  auto t = engine_.purge_queue(name);
  if (!t.ok()) return respond(error_reply(t.error()));
  answer_when_durable(*t, json_reply(200, {{"purged", "queue/" + name}}), std::move(respond));
}

void AdminApi::start_redrive(const HttpRequest& req, const std::string& name, Respond respond) {
  auto body = parse_body(req.body);
  if (!body.ok()) return respond(error_reply(body.error()));
  std::string dest;
  if (auto it = body->find("to"); it != body->end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().empty())
      return respond(error_reply(Code::Invalid, "to: must be a queue name"));
    auto exists = engine_.queue_exists(it->get<std::string>());
    if (!exists.ok()) return respond(error_reply(exists.error()));
    dest = engine_.queue_arn(it->get<std::string>());
  }
  auto rate = int_member(*body, "maxPerSecond", 1, 500);
  if (!rate.ok()) return respond(error_reply(rate.error()));
  auto exists = engine_.queue_exists(name);
  if (!exists.ok()) return respond(error_reply(exists.error()));
  std::string source = engine_.queue_arn(name);
  Token token = 0;
  auto handle = engine_.start_move_task(source, dest, *rate, token);
  if (!handle.ok()) return respond(error_reply(handle.error()));
  int64_t to_move = 0;
  if (auto tasks = engine_.list_move_tasks(source, 10); tasks.ok())
    for (auto& t : *tasks)
      if (t.task_handle == *handle) to_move = t.to_move;
  answer_when_durable(token, json_reply(200, {{"TaskHandle", *handle}, {"ApproximateNumberOfMessagesToMove", to_move}}),
                      std::move(respond));
}

void AdminApi::list_redrives(const std::string& name, Respond respond) {
  auto exists = engine_.queue_exists(name);
  if (!exists.ok()) return respond(error_reply(exists.error()));
  auto tasks = engine_.list_move_tasks(engine_.queue_arn(name), 10);
  if (!tasks.ok()) return respond(error_reply(tasks.error()));
  json results = json::array();
  for (auto& t : *tasks) {
    json r = {{"Status", t.status},
              {"SourceArn", t.source_arn},
              {"ApproximateNumberOfMessagesMoved", t.moved},
              {"ApproximateNumberOfMessagesToMove", t.to_move},
              {"StartedTimestamp", t.started_ms}};
    if (!t.task_handle.empty()) r["TaskHandle"] = t.task_handle;
    if (!t.dest_arn.empty()) r["DestinationArn"] = t.dest_arn;
    if (t.rate > 0) r["MaxNumberOfMessagesPerSecond"] = t.rate;
    if (!t.failure_reason.empty()) r["FailureReason"] = t.failure_reason;
    results.push_back(std::move(r));
  }
  respond(json_reply(200, {{"Results", results}}));
}

void AdminApi::apply(const HttpRequest& req, Respond respond) {
  auto body = parse_body(req.body);
  if (!body.ok()) return respond(error_reply(body.error()));
  auto dry = http::query_param(req.query, "dryRun");
  bool dry_run = dry && (*dry == "true" || *dry == "1");
  auto out = apply_documents(engine_, controllers_, *body, dry_run);
  json ok = {{"results", out.results}};
  if (dry_run) ok["dryRun"] = true;
  if (!out.warnings.empty()) ok["warnings"] = out.warnings;
  HttpResponse reply = out.error ? error_reply(*out.error, out.details) : json_reply(200, ok);
  // Even a failed apply may have changed earlier queues: answer after those are durable.
  answer_when_durable(out.token, std::move(reply), std::move(respond));
}

}  // namespace ebb::admin

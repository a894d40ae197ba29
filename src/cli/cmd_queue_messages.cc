// ebb queue send | receive | peek (ecosystem.md §3.2): the AWS CLI's vocabulary over
// POST …/messages, POST …/receive and GET …/peek (docs/api.md).
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/message_output.h"
#include "cli/strict_number.h"
#include "base/utf8.h"

namespace ebb::cli {
namespace {

// SQS's largest message; the server has the final word (the queue's own limit).
constexpr std::size_t kMaxBody = 1 << 20;

Outcome<std::string> read_body_file(const std::string& path) {
  std::string text(kMaxBody + 1, '\0');
  std::size_t n = 0;
  if (path == "-") {
    std::cin.read(text.data(), static_cast<std::streamsize>(text.size()));
    n = static_cast<std::size_t>(std::cin.gcount());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return usage_error("--body-file " + path + ": cannot open");
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    n = static_cast<std::size_t>(in.gcount());
  }
  if (n > kMaxBody) return usage_error("--body-file " + path + ": larger than 1 MiB (the SQS message size limit)");
  text.resize(n);
  return text;
}

}  // namespace

int run_send(ApiClient& api, const SendOptions& o) {
  if (o.body_given == !o.body_file.empty()) return report(usage_error("give exactly one of --body and --body-file"));
  std::string body = o.body;
  if (!o.body_file.empty()) {
    Outcome<std::string> b = read_body_file(o.body_file);
    if (!b.ok()) return report(b.error());
    body = std::move(*b);
  }
  if (!utf8_valid(body)) return report(usage_error("the message body is not valid UTF-8"));
  nlohmann::json req = {{"body", body}};
  if (!o.attributes.empty()) {
    nlohmann::json attrs = nlohmann::json::object();
    for (const std::string& kv : o.attributes) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) return report(usage_error("--attribute " + kv + ": expected NAME=VALUE"));
      std::string k = kv.substr(0, eq);
      if (attrs.contains(k)) return report(usage_error("--attribute " + k + ": given twice"));
      attrs[k] = kv.substr(eq + 1);
    }
    req["attributes"] = attrs;
  }
  if (!o.delay.empty()) {
    Outcome<int64_t> d = parse_int_flag("--delay", o.delay, 0, 900);
    if (!d.ok()) return report(d.error());
    req["delaySeconds"] = *d;
  }
  if (!o.group.empty()) req["groupId"] = o.group;
  if (!o.dedup_id.empty()) req["dedupId"] = o.dedup_id;
  Outcome<nlohmann::json> r = api.post(api.queue_path(o.queue) + "/messages", req);
  if (!r.ok()) return report(r.error());
  print_sent(*r, o.output);
  return kExitOk;
}

int run_receive(ApiClient& api, const ReceiveOptions& o) {
  nlohmann::json req = {{"delete", o.del}};
  int64_t wait = 0;
  if (!o.max.empty()) {
    Outcome<int64_t> v = parse_int_flag("--max", o.max, 1, 10);
    if (!v.ok()) return report(v.error());
    req["max"] = *v;
  }
  if (!o.wait.empty()) {
    Outcome<int64_t> v = parse_int_flag("--wait", o.wait, 0, 20);
    if (!v.ok()) return report(v.error());
    req["waitSeconds"] = wait = *v;
  }
  if (!o.visibility.empty()) {
    Outcome<int64_t> v = parse_int_flag("--visibility", o.visibility, 0, 43200);
    if (!v.ok()) return report(v.error());
    req["visibilityTimeout"] = *v;
  }
  // A long poll may hold the request up to 20 s (or the queue's own wait time).
  Outcome<nlohmann::json> r = api.post(api.queue_path(o.queue) + "/receive", req, std::chrono::seconds(wait + 40));
  if (!r.ok()) return report(r.error());
  print_messages(*r, o.output);
  return kExitOk;
}

int run_peek(ApiClient& api, const PeekOptions& o) {
  std::string query;
  if (!o.max.empty()) {
    Outcome<int64_t> v = parse_int_flag("--max", o.max, 1, 10);
    if (!v.ok()) return report(v.error());
    query = "?max=" + std::to_string(*v);
  }
  Outcome<nlohmann::json> r = api.get(api.queue_path(o.queue) + "/peek" + query);
  if (!r.ok()) return report(r.error());
  print_messages(*r, o.output);
  return kExitOk;
}

}  // namespace ebb::cli

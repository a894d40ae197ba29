#include "manifest/schedule_kind.h"

#include <cctype>

#include "manifest/names.h"
#include "manifest/task_definition_kind.h"
#include "manifest/task_template_kind.h"

namespace ebb::manifest {
namespace {

constexpr int64_t kMaxInt32 = 2'147'483'647;

std::string show(std::string_view s) {
  return nlohmann::json(std::string(s.substr(0, 100))).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
  }
  return true;
}

// "YYYY-MM-DDTHH:MM:SS[.f…](Z|±HH:MM)": the shape only; the calendar is the server's.
bool rfc3339_shape(std::string_view s) {
  if (s.size() < 20) return false;
  auto digits = [&](std::size_t at, std::size_t n) { return all_digits(s.substr(at, n)); };
  if (!digits(0, 4) || s[4] != '-' || !digits(5, 2) || s[7] != '-' || !digits(8, 2) || (s[10] != 'T' && s[10] != 't') ||
      !digits(11, 2) || s[13] != ':' || !digits(14, 2) || s[16] != ':' || !digits(17, 2)) {
    return false;
  }
  std::size_t p = 19;
  if (p < s.size() && s[p] == '.') {
    std::size_t q = p + 1;
    while (q < s.size() && s[q] >= '0' && s[q] <= '9') ++q;
    if (q == p + 1) return false;
    p = q;
  }
  std::string_view zone = s.substr(p);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && all_digits(zone.substr(1, 2)) && zone[3] == ':' &&
         all_digits(zone.substr(4, 2));
}

// A date field; returns the text for the ordering check (same-offset strings compare
// as instants; the server compares real instants).
std::optional<std::string> check_date(const nlohmann::json& spec, const char* key, Checker& c) {
  std::optional<std::string> s = c.string(spec, key, "spec");
  if (!s) return std::nullopt;
  if (!rfc3339_shape(*s)) {
    c.error(field_path("spec", key), "must be an RFC 3339 instant like 2026-01-01T00:00:00Z, got " + show(*s));
    return std::nullopt;
  }
  return s;
}

void check_expression(const nlohmann::json& spec, Checker& c) {
  std::optional<std::string> e = c.string(spec, "expression", "spec", true);
  if (!e) return;
  std::string why = expression_shape_problem(*e);
  if (!why.empty()) {
    c.error("spec.expression", why);
    return;
  }
  // scheduling.md §2.1: cron(…), rate(…), at(…) or a bare standard expression; the
  // grammar itself is checked by the server (sched/expression.h).
  std::size_t b = e->find_first_not_of(" \t");
  std::string_view t = std::string_view(*e).substr(b);
  for (std::string_view kw : {"cron(", "rate(", "at("}) {
    if (starts_with(t, kw)) {
      std::size_t end = t.find_last_not_of(" \t");
      if (t[end] != ')') c.error("spec.expression", std::string(kw) + "…) must end with ')', got " + show(*e));
      return;
    }
  }
  for (std::string_view kw : {"Cron(", "CRON(", "Rate(", "RATE(", "At(", "AT("}) {
    if (starts_with(t, kw)) {
      c.error("spec.expression", "the keywords cron, rate and at are lower case, got " + show(*e));
      return;
    }
  }
}

void check_message(const nlohmann::json& m, const std::string& path, Checker& c) {
  if (!c.object(m, path, {"body", "attributes", "groupId", "deduplicationId"})) return;
  if (std::optional<std::string> body = c.string(m, "body", path, true); body && body->empty()) {
    c.error(field_path(path, "body"), "must not be empty (SQS refuses empty messages)");
  }
  c.string(m, "groupId", path);
  c.string(m, "deduplicationId", path);
  auto attrs = m.find("attributes");
  if (attrs == m.end()) return;
  const std::string ap = field_path(path, "attributes");
  if (!attrs->is_object()) {
    c.error(ap, "must be a map of {dataType, stringValue|binaryValue}, got " + describe_value(*attrs));
    return;
  }
  // SQS: at most 10 message attributes.
  if (attrs->size() > 10) c.error(ap, "at most 10 message attributes");
  for (auto it = attrs->begin(); it != attrs->end(); ++it) {
    const std::string p = field_path(ap, it.key());
    if (it.key().empty() || it.key().size() > 256 || starts_with(it.key(), "ebb.") || starts_with(it.key(), "AWS.")) {
      c.error(p, "attribute names are 1-256 characters and must not start with ebb. or AWS. (reserved)");
    }
    if (!c.object(it.value(), p, {"dataType", "stringValue", "binaryValue"})) continue;
    std::optional<std::string> type = c.string(it.value(), "dataType", p, true);
    if (type && !starts_with(*type, "String") && !starts_with(*type, "Number") && !starts_with(*type, "Binary")) {
      c.error(field_path(p, "dataType"), "must be String, Number or Binary (optionally .label), got " + show(*type));
    }
    const bool binary = type && starts_with(*type, "Binary");
    const char* want = binary ? "binaryValue" : "stringValue";
    const char* other = binary ? "stringValue" : "binaryValue";
    c.string(it.value(), want, p, true);
    if (it.value().contains(other)) c.error(field_path(p, other), std::string("not allowed with dataType ") + *type);
  }
}

void check_target(const nlohmann::json& spec, Checker& c) {
  auto t = spec.find("target");
  const std::string path = "spec.target";
  if (t == spec.end()) {
    c.error(path, "required field is missing (task, taskDefinition, or queue and message)");
    return;
  }
  if (!c.object(*t, path, {"task", "taskDefinition", "queue", "message", "taskCount"})) return;
  const int kinds = int(t->contains("task")) + int(t->contains("taskDefinition")) + int(t->contains("queue"));
  if (kinds != 1) c.error(path, "give exactly one of task, taskDefinition and queue");
  if (auto task = t->find("task"); task != t->end()) check_job_task(*task, field_path(path, "task"), c);
  if (std::optional<std::string> td = c.string(*t, "taskDefinition", path)) {
    check_task_definition_ref(*td, field_path(path, "taskDefinition"), c);
  }
  const bool queue = t->contains("queue");
  if (std::optional<std::string> q = c.string(*t, "queue", path)) {
    std::string why = check_queue_name(*q);
    if (!why.empty()) c.error(field_path(path, "queue"), why);
  }
  if (auto m = t->find("message"); m != t->end()) {
    if (!queue) c.error(field_path(path, "message"), "allowed only with a queue target");
    check_message(*m, field_path(path, "message"), c);
  } else if (queue) {
    c.error(field_path(path, "message"), "required with a queue target");
  }
  if (t->contains("taskCount")) {
    c.integer(*t, "taskCount", path, 1, 10);
    if (queue) c.error(field_path(path, "taskCount"), "allowed only with a task or taskDefinition target");
  }
}

}  // namespace

std::string time_zone_problem(std::string_view tz) {
  const std::string hint = " (an IANA name such as UTC, Europe/Berlin or America/New_York)";
  if (tz.empty()) return "must not be empty" + hint;
  if (tz.find('\0') != std::string_view::npos) return "must not contain a NUL character";
  if (tz.size() > 255) return "is longer than 255 characters";
  std::string lower;
  for (char ch : tz) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "local") return "\"Local\" is not allowed: ebb never uses the server's zone" + hint;
  if (tz.front() == '/') return "must not be an absolute path" + hint;
  std::size_t p = 0;
  while (true) {
    std::size_t slash = tz.find('/', p);
    std::string_view part = tz.substr(p, slash == std::string_view::npos ? std::string_view::npos : slash - p);
    if (part.empty() || part.size() > 14) return show(tz) + " is not a valid zone name: each part is 1-14 characters" + hint;
    if (part == "." || part == "..") return show(tz) + " is not a valid zone name: \".\" and \"..\" are not allowed";
    if (part.front() == '-') return show(tz) + " is not a valid zone name: a part must not start with '-'" + hint;
    for (char ch : part) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '_' && ch != '+' && ch != '-') {
        return show(tz) + " is not a valid zone name: '" + std::string(1, ch) + "' is not allowed" + hint;
      }
    }
    if (slash == std::string_view::npos) break;
    p = slash + 1;
  }
  // A '+' appears only in the POSIX-style Etc/GMT+N zones (N 0..12).
  if (tz.find('+') != std::string_view::npos) {
    std::string_view rest = starts_with(tz, "Etc/GMT+") ? tz.substr(8) : starts_with(tz, "GMT+") ? tz.substr(4) : "";
    if (!all_digits(rest) || rest.size() > 2 || std::stoi(std::string(rest)) > 12) {
      return show(tz) + " is not a zone name; fixed offsets are Etc/GMT-3 for UTC+3 (the sign is inverted)";
    }
  }
  return "";
}

std::string expression_shape_problem(std::string_view expr) {
  if (expr.find('\0') != std::string_view::npos) return "must not contain a NUL character";
  if (expr.size() > 1000) return "is longer than 1000 characters";
  std::size_t b = expr.find_first_not_of(" \t");
  if (b == std::string_view::npos) return "must not be empty";
  std::string_view t = expr.substr(b);
  if (starts_with(t, "TZ=") || starts_with(t, "CRON_TZ=")) {
    return "a time zone inside the expression is not supported; set spec.timeZone instead";
  }
  return "";
}

void check_schedule_spec(const nlohmann::json& spec, const std::string& /*name*/, Checker& c) {
  if (spec.is_null()) {
    c.error("spec", "required field is missing (a Schedule needs spec.expression and spec.target)");
    return;
  }
  if (!c.object(spec, "spec",
                {"expression", "timeZone", "startDate", "endDate", "suspend", "flexibleTimeWindow",
                 "concurrencyPolicy", "startingDeadlineSeconds", "catchUp", "maxCatchUp", "allowPast", "dstPolicy",
                 "actionAfterCompletion", "retryPolicy", "deadLetterQueue", "target"})) {
    return;
  }
  check_expression(spec, c);
  if (std::optional<std::string> tz = c.string(spec, "timeZone", "spec")) {
    std::string why = time_zone_problem(*tz);
    if (!why.empty()) c.error("spec.timeZone", why);
  }
  std::optional<std::string> start = check_date(spec, "startDate", c);
  std::optional<std::string> end = check_date(spec, "endDate", c);
  if (start && end && start->size() == end->size() && start->substr(19) == end->substr(19) && *end <= *start) {
    c.error("spec.endDate", "must be after startDate");
  }
  c.boolean(spec, "suspend", "spec");
  if (auto w = spec.find("flexibleTimeWindow"); w != spec.end()) {
    if (c.object(*w, "spec.flexibleTimeWindow", {"maximumWindowMinutes"})) {
      c.integer(*w, "maximumWindowMinutes", "spec.flexibleTimeWindow", 1, 1440, true);
    }
  }
  c.one_of(spec, "concurrencyPolicy", "spec", {"Allow", "Forbid", "Replace"});
  c.integer(spec, "startingDeadlineSeconds", "spec", 0, kMaxInt32);
  std::optional<std::string> catch_up = c.one_of(spec, "catchUp", "spec", {"Latest", "All", "None"});
  if (c.integer(spec, "maxCatchUp", "spec", 1, 100) && catch_up != "All") {
    c.error("spec.maxCatchUp", "allowed only with catchUp: All");
  }
  c.boolean(spec, "allowPast", "spec");
  if (auto d = spec.find("dstPolicy"); d != spec.end()) {
    if (c.object(*d, "spec.dstPolicy", {"gap", "overlap"})) {
      c.one_of(*d, "gap", "spec.dstPolicy", {"RunAtTransition", "Skip"});
      c.one_of(*d, "overlap", "spec.dstPolicy", {"FirstOnly", "Both"});
    }
  }
  c.one_of(spec, "actionAfterCompletion", "spec", {"NONE", "DELETE"});
  if (auto r = spec.find("retryPolicy"); r != spec.end()) {
    if (c.object(*r, "spec.retryPolicy", {"maximumRetryAttempts", "maximumEventAgeSeconds"})) {
      c.integer(*r, "maximumRetryAttempts", "spec.retryPolicy", 0, 185);
      c.integer(*r, "maximumEventAgeSeconds", "spec.retryPolicy", 60, 86400);
    }
  }
  if (std::optional<std::string> dlq = c.string(spec, "deadLetterQueue", "spec")) {
    std::string why = check_queue_name(*dlq);
    if (!why.empty()) c.error("spec.deadLetterQueue", why);
    else if (dlq->size() > 5 && dlq->compare(dlq->size() - 5, 5, ".fifo") == 0) {
      c.error("spec.deadLetterQueue", "must be a standard queue (FIFO dead-letter queues are refused, as in AWS)");
    }
  }
  check_target(spec, c);
}

}  // namespace ebb::manifest

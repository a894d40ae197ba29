#include "api/admin/send_request.h"

#include <algorithm>

#include "api/sqs/message_rules.h"

namespace ebb::admin {
namespace {

bool valid_attribute_name(std::string_view n) {
  if (n.empty() || n.size() > 256 || n.front() == '.' || n.back() == '.') return false;
  if (n.find("..") != std::string_view::npos) return false;
  auto lower = [](std::string_view s) {
    std::string o(s);
    for (auto& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
  };
  std::string l = lower(n);
  if (l.starts_with("aws.") || l.starts_with("amazon.")) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

Result<std::string> string_member(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) return err(Code::Invalid, std::string(key) + ": must be a string");
  return it->get<std::string>();
}

}  // namespace

bool valid_message_text(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    size_t n;
    if (c < 0x80) { cp = c; n = 1; }
    else if ((c >> 5) == 0x6) { cp = c & 0x1f; n = 2; }
    else if ((c >> 4) == 0xe) { cp = c & 0x0f; n = 3; }
    else if ((c >> 3) == 0x1e) { cp = c & 0x07; n = 4; }
    else return false;
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    i += n;
    bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
              (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!ok) return false;
  }
  return true;
}

Result<SendEntry> parse_send_request(const nlohmann::json& j) {
  SendEntry e;
  auto body = j.find("body");
  if (body == j.end() || !body->is_string()) return err(Code::Invalid, "body: required string");
  e.body = body->get<std::string>();
  EBB_CHECK(sqs::check_body(&e.body));  // same rules as SendMessage

  if (auto a = j.find("attributes"); a != j.end() && !a->is_null()) {
    if (!a->is_object()) return err(Code::Invalid, "attributes: must be an object of strings");
    if (a->size() > 10) return err(Code::Invalid, "attributes: at most 10");
    for (auto& [k, v] : a->items()) {
      if (!valid_attribute_name(k)) return err(Code::Invalid, "attributes." + k + ": invalid attribute name");
      MsgAttr at;
      at.name = k;
      if (v.is_string()) {
        at.data_type = "String";
        at.value = v.get<std::string>();
      } else if (v.is_number()) {
        at.data_type = "Number";
        at.value = v.dump();
      } else {
        return err(Code::Invalid, "attributes." + k + ": must be a string or a number");
      }
      if (at.value.empty()) return err(Code::Invalid, "attributes." + k + ": must not be empty");
      if (!valid_message_text(at.value)) return err(Code::Invalid, "attributes." + k + ": invalid characters");
      e.attrs.push_back(std::move(at));
    }
    std::sort(e.attrs.begin(), e.attrs.end(), [](const MsgAttr& x, const MsgAttr& y) { return x.name < y.name; });
  }
  if (auto d = j.find("delaySeconds"); d != j.end() && !d->is_null()) {
    if (!d->is_number_integer() || d->get<int64_t>() < 0 || d->get<int64_t>() > 900)
      return err(Code::Invalid, "delaySeconds: must be an integer between 0 and 900");
    e.delay_seconds = static_cast<int>(d->get<int64_t>());
  }
  EBB_TRY(e.group_id, string_member(j, "groupId"));
  EBB_TRY(e.dedup_id, string_member(j, "dedupId"));
  for (auto* id : {&e.group_id, &e.dedup_id}) {
    if (id->size() > 128) return err(Code::Invalid, "groupId/dedupId: at most 128 characters");
    for (char c : *id)
      if (c < 0x21 || c > 0x7e) return err(Code::Invalid, "groupId/dedupId: printable ASCII only");
  }
  return e;
}

}  // namespace ebb::admin

#include "server/access_keys.h"

#include <algorithm>
#include <mutex>

#include <nlohmann/json.hpp>

#include "server/credentials.h"

namespace ebb::server {

namespace {
constexpr std::string_view kKind = "access_key";

std::string context_of(std::string_view id) { return "access_key/" + std::string(id); }

std::shared_ptr<const sqs::KeyPolicy> make_policy(const AccessKeyInfo& info) {
  auto p = std::make_shared<sqs::KeyPolicy>();
  p->access_key_id = info.id;
  p->role = info.role;
  p->queues = info.queues;
  return p;
}
}  // namespace

AccessKeyStore::AccessKeyStore(Clock& clock, Committer& committer, SecretBox box)
    : clock_(clock), committer_(committer), box_(std::move(box)) {}

std::string AccessKeyStore::value_of(const Entry& e) {
  nlohmann::json v = {{"name", e.info.name},
                      {"role", sqs::key_role_name(e.info.role)},
                      {"queues", e.info.queues},
                      {"secret", e.sealed},
                      {"createdMs", e.info.created_ms},
                      {"expiresMs", e.info.expires_ms}};
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AccessKeyStore::load(const std::vector<RecordRow>& records) {
  std::unique_lock lk(mu_);
  entries_.clear();
  skipped_ = 0;
  for (const RecordRow& r : records) {
    if (r.kind != kKind) continue;
    nlohmann::json v = nlohmann::json::parse(r.value, nullptr, false);
    std::optional<sqs::KeyRole> role;
    if (v.is_object() && v.contains("role") && v["role"].is_string()) role = sqs::parse_key_role(v["role"].get<std::string>());
    if (!role || !v.contains("secret") || !v["secret"].is_string() || !v.contains("expiresMs") ||
        !v["expiresMs"].is_number_integer() || (v.contains("queues") && !v["queues"].is_array())) {
      ++skipped_;
      continue;
    }
    Entry e;
    e.info.id = r.key;
    e.info.role = *role;
    e.info.name = v.value("name", "");
    e.info.created_ms = v.value("createdMs", int64_t(0));
    e.info.expires_ms = v["expiresMs"].get<int64_t>();
    bool ok = true;
    for (const auto& q : v.value("queues", nlohmann::json::array())) {
      if (!q.is_string() || !sqs::check_queue_pattern(q.get<std::string>()).ok()) ok = false;
      else e.info.queues.push_back(q.get<std::string>());
    }
    e.sealed = v["secret"].get<std::string>();
    auto secret = box_.open(e.sealed, context_of(r.key));
    if (!ok || !secret.ok()) {
      ++skipped_;
      continue;
    }
    e.secret = std::move(*secret);
    e.policy = make_policy(e.info);
    entries_.emplace(r.key, std::move(e));
  }
}

Result<AccessKeyStore::Created> AccessKeyStore::create(sqs::KeyRole role, std::vector<std::string> queues,
                                                       int64_t ttl_seconds, std::string name) {
  if (ttl_seconds < 0 || ttl_seconds > kMaxTtlSeconds)
    return err(Code::Invalid, "the expiry must be between 1 second and 3650 days (or none: never expires)");
  if (name.size() > kMaxNameBytes) return err(Code::Invalid, "the name must be at most 200 bytes");
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return err(Code::Invalid, "the name must not contain control characters");
  if (queues.size() > sqs::kMaxQueuePatterns)
    return err(Code::Invalid, "at most " + std::to_string(sqs::kMaxQueuePatterns) + " queue patterns per key");
  for (const auto& q : queues) EBB_CHECK(sqs::check_queue_pattern(q));
  std::sort(queues.begin(), queues.end());
  queues.erase(std::unique(queues.begin(), queues.end()), queues.end());

  AccessKey pair = new_admin_key();  // same shape as the admin key: "EBB" + 17, 40-char secret
  Entry e;
  e.info.id = pair.access_key_id;
  e.info.name = std::move(name);
  e.info.role = role;
  e.info.queues = std::move(queues);
  e.info.created_ms = clock_.now_ms();
  e.info.expires_ms = ttl_seconds == 0 ? 0 : e.info.created_ms + ttl_seconds * 1000;
  e.secret = pair.secret;
  e.sealed = box_.seal(pair.secret, context_of(e.info.id));
  e.policy = make_policy(e.info);
  Created out;
  out.secret = std::move(pair.secret);
  out.info = e.info;

  std::unique_lock lk(mu_);
  if (entries_.contains(e.info.id)) return err(Code::InternalError, "access key id collision; try again");
  std::vector<StoreOp> ops;
  // Expired keys are of no use to anyone: drop them with this commit.
  std::erase_if(entries_, [&](const auto& kv) {
    if (live(kv.second, e.info.created_ms)) return false;
    ops.push_back(op::DeleteRecord{std::string(kKind), kv.first});
    return true;
  });
  if (entries_.size() >= kMaxKeys) {
    if (!ops.empty()) committer_.append_all(std::move(ops));
    return err(Code::Invalid, "there are already " + std::to_string(kMaxKeys) +
                                  " access keys; revoke some first (ebb key list, ebb key revoke ID)");
  }
  ops.push_back(op::PutRecord{std::string(kKind), e.info.id, value_of(e)});
  std::string id = e.info.id;
  entries_.emplace(std::move(id), std::move(e));
  out.commit = committer_.append_all(std::move(ops));
  return out;
}

std::optional<std::string> AccessKeyStore::secret_of(std::string_view id) const {
  const int64_t now = clock_.now_ms();
  std::shared_lock lk(mu_);
  auto it = entries_.find(std::string(id));
  if (it == entries_.end() || !live(it->second, now)) return std::nullopt;
  return it->second.secret;
}

std::shared_ptr<const sqs::KeyPolicy> AccessKeyStore::policy_of(std::string_view id) const {
  const int64_t now = clock_.now_ms();
  std::shared_lock lk(mu_);
  auto it = entries_.find(std::string(id));
  if (it == entries_.end() || !live(it->second, now)) return nullptr;
  return it->second.policy;
}

std::vector<AccessKeyInfo> AccessKeyStore::list() const {
  std::vector<AccessKeyInfo> out;
  {
    std::shared_lock lk(mu_);
    out.reserve(entries_.size());
    for (const auto& [_, e] : entries_) out.push_back(e.info);
  }
  std::sort(out.begin(), out.end(), [](const AccessKeyInfo& a, const AccessKeyInfo& b) {
    return a.created_ms != b.created_ms ? a.created_ms < b.created_ms : a.id < b.id;
  });
  return out;
}

Result<Token> AccessKeyStore::revoke(std::string_view id) {
  Token t;
  {
    std::unique_lock lk(mu_);
    auto it = entries_.find(std::string(id));
    if (it == entries_.end())
      return err(Code::NotFound, "access key " + std::string(id) + " not found (ebb key list)");
    entries_.erase(it);
    t = committer_.append(op::DeleteRecord{std::string(kKind), std::string(id)});
  }
  if (on_revoke_) on_revoke_(std::string(id));
  return t;
}

size_t AccessKeyStore::size() const {
  std::shared_lock lk(mu_);
  return entries_.size();
}

}  // namespace ebb::server

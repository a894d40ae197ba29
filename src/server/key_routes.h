// /api/v1/keys (reliability.md §3.2 step 12, §4.2; docs/api.md, docs/security.md):
//   GET    /api/v1/keys        {"items":[{id,name,role,queues,createdAt,expiresAt,expired}]} (no secrets)
//   POST   /api/v1/keys        {"role":"admin|producer|consumer","queues":["orders-*"],
//                               "expiresInSeconds":N,"name":"…"}
//                               → 201 {…, "secretAccessKey":"…"}: the only time the secret is shown
//   DELETE /api/v1/keys/ID     → 200 {"deleted":"key/ID"}
// Admin scope only (the router checks it first). Answers once the change is durable.
#pragma once
#include "api/http/http_message.h"
#include "clock/clock.h"
#include "server/access_keys.h"
#include "store/committer.h"

namespace ebb::server {

bool is_key_path(std::string_view path);  // /api/v1/keys[/...]
void handle_key_request(const http::HttpRequest& req, AccessKeyStore& keys, Committer& committer, const Clock& clock,
                        http::Respond done);

}  // namespace ebb::server

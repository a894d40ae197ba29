// /api/v1/tokens (reliability.md §4.2; docs/api.md, docs/security.md):
//   GET    /api/v1/tokens       {"items":[{id,name,scope,createdAt,expiresAt,expired}]} (no secrets)
//   POST   /api/v1/tokens       {"scope":"read|write|admin","expiresInSeconds":N,"name":"…"}
//                               → 201 {…, "token":"ebb_…"}: the only time the token is shown
//   DELETE /api/v1/tokens/ID    → 200 {"deleted":"token/ID"}
// Admin scope only (the router checks it first). Answers once the change is durable.
#pragma once
#include "api/http/http_message.h"
#include "clock/clock.h"
#include "store/committer.h"
#include "server/tokens.h"

namespace ebb::server {

void handle_token_request(const http::HttpRequest& req, TokenStore& tokens, Committer& committer, const Clock& clock,
                          http::Respond done);

}  // namespace ebb::server

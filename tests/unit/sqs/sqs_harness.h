// Drives SqsApi with a real Engine, FakeClock, MemStore and a started Committer.
#pragma once
#include <chrono>
#include <future>
#include <regex>
#include <string>

#include "api/sqs/sqs_api.h"
#include "support/mem_store.h"
#include "support/fake_clock.h"

namespace ebb::test {

inline constexpr const char* kRequestId = "b5bf2332-e983-4f2a-9a5b-0a3b5b0a1c2d";

struct SqsHarness {
  FakeClock clock;
  MemStore store;
  Committer committer{store};
  Engine engine{clock, store, committer};
  SqsApi api{engine};

  SqsHarness() {
    committer.start();
    engine.load();
  }
  ~SqsHarness() { committer.stop(); }

  SqsResponse send(SqsRequest req) {
    std::promise<SqsResponse> p;
    auto f = p.get_future();
    api.handle(std::move(req), [&p](SqsResponse r) { p.set_value(std::move(r)); });
    if (f.wait_for(std::chrono::seconds(5)) != std::future_status::ready) {
      SqsResponse timeout;
      timeout.status = -1;
      return timeout;
    }
    return f.get();
  }

  static SqsRequest base() {
    SqsRequest r;
    r.method = "POST";
    r.path = "/";
    r.host = "localhost:4566";
    r.request_id = kRequestId;
    return r;
  }

  SqsResponse query(std::string body, std::string path = "/") {
    SqsRequest r = base();
    r.path = std::move(path);
    r.content_type = "application/x-www-form-urlencoded; charset=utf-8";
    r.body = std::move(body);
    return send(std::move(r));
  }

  SqsResponse json(const std::string& op, std::string body) {
    SqsRequest r = base();
    r.content_type = "application/x-amz-json-1.0";
    r.amz_target = "AmazonSQS." + op;
    r.body = std::move(body);
    return send(std::move(r));
  }
};

// Replaces UUIDs other than the request id, so bodies compare modulo message ids.
inline std::string mask_ids(const std::string& s) {
  static const std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}");
  std::string out;
  std::sregex_iterator it(s.begin(), s.end(), uuid), end;
  size_t last = 0;
  for (; it != end; ++it) {
    out.append(s, last, it->position() - last);
    out.append(it->str() == kRequestId ? kRequestId : "ID");
    last = it->position() + it->length();
  }
  out.append(s, last, std::string::npos);
  return out;
}

inline std::string header(const SqsResponse& r, const std::string& name) {
  for (auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

}  // namespace ebb::test

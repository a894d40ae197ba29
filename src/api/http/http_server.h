// HTTP/1.1 server on Boost.Beast (reliability.md §4.3, sqs-api.md §2.1): keep-alive,
// one request in flight per connection, chunked bodies, Expect: 100-continue, ebb's
// explicit limits and timeouts, connection caps. Requests go to one HttpHandler.
// The only translation unit that includes Beast is http_server.cc.
#pragma once
#include <memory>

#include "api/http/http_limits.h"
#include "api/http/http_message.h"
#include "api/http/listen_address.h"
#include "base/result.h"

namespace boost::asio {
class io_context;
}

namespace ebb::http {

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, HttpLimits limits, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the bound address (port 0 resolved).
  Result<ListenAddress> listen(const ListenAddress& addr);
  void start_accepting();
  void stop_accepting();
  // Shutdown: idle connections close now, busy ones after their response.
  void drain();
  size_t connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace ebb::http

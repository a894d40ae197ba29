// HTTP/1.1 server on Boost.Beast (reliability.md §4.3, sqs-api.md §2.1): keep-alive,
// one request in flight per connection, chunked bodies, Expect: 100-continue, ebb's
// explicit limits and timeouts, connection caps. Requests go to one HttpHandler.
// The only translation unit that includes Beast is http_server.cc.
#pragma once
#include <memory>
#include <string>

#include "api/http/http_limits.h"
#include "api/http/http_message.h"
#include "api/http/listen_address.h"
#include "base/result.h"

namespace boost::asio {
class io_context;
}

namespace ebb::http {

// The checks of HttpServer::use_tls without a server (start-up validation).
Status check_tls_files(const std::string& cert_file, const std::string& key_file);

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, HttpLimits limits, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // HTTPS only from now on (call before start_accepting): TLS 1.2+ with the PEM
  // certificate chain and unencrypted PEM key; an unreadable, malformed or mismatched
  // file is an error naming it.
  Status use_tls(const std::string& cert_file, const std::string& key_file);
  bool tls() const;

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

#include "api/http/http_server.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "api/http/http_date.h"
#include "api/http/request_checks.h"

namespace ebb::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
namespace ssl = asio::ssl;

// What the acceptor and drain() need of a connection, whatever its stream type.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void close_if_idle() = 0;
};

// State shared by the acceptor and every session: limits, handler, connection counts.
struct Shared {
  HttpLimits limits;
  HttpHandler handler;
  std::atomic<bool> draining{false};

  std::mutex mu;
  size_t total = 0;
  std::unordered_map<std::string, size_t> per_addr;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;

  // Refuse new connections beyond the caps (reliability.md §4.3).
  bool admit(const std::string& addr) {
    std::lock_guard lk(mu);
    if (total >= limits.max_connections) return false;
    auto& n = per_addr[addr];
    if (n >= limits.max_connections_per_addr) return false;
    ++n;
    ++total;
    return true;
  }
  void release(const std::string& addr, SessionBase* s) {
    std::lock_guard lk(mu);
    --total;
    auto it = per_addr.find(addr);
    if (it != per_addr.end() && --it->second == 0) per_addr.erase(it);
    sessions.erase(s);
  }
};

// Malformed HTTP (smuggling class, bad chunk sizes, bad fields) gets a 400 before the
// close; a peer that merely went away or timed out gets nothing.
bool is_parse_error(const beast::error_code& ec) {
  if (!ec) return false;
  static const auto& cat = beast::error_code(bhttp::error::bad_target).category();
  return ec.category() == cat && ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
         ec != bhttp::error::need_more && ec != bhttp::error::need_buffer;
}

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
constexpr size_t kLingerBytes = 8 * 1024 * 1024;  // above the largest body; time-bounded too

// One connection. Stream is beast::tcp_stream (plain HTTP) or
// beast::ssl_stream<beast::tcp_stream> (HTTPS); the plain path compiles to what it was
// before TLS existed: no per-request branch or indirection.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

 public:
  template <class... TlsContext>
  Session(tcp::socket socket, std::shared_ptr<Shared> shared, std::string addr, TlsContext&... ctx)
      : stream_(std::move(socket), ctx...),
        body_timer_(stream_.get_executor()),
        shared_(std::move(shared)),
        addr_(std::move(addr)) {}
  ~Session() override { shared_->release(addr_, this); }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if constexpr (kTls) {
        // The handshake counts against the header deadline: a peer that connects and
        // never finishes it is closed like a slowloris (reliability.md §4.3).
        self->tcp().expires_after(self->limits().header_timeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) {
            // Plain HTTP, an old protocol version, an untrusted-cert alert, a timeout.
            spdlog::debug("TLS handshake with {} failed: {}", self->addr_, ec.message());
            return self->close_now();
          }
          self->wait_for_request();
        });
      } else {
        self->wait_for_request();
      }
    });
  }

  // Shutdown: close now if no request is being handled; otherwise after the response.
  void close_if_idle() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->close_now();
    });
  }

 private:
  const HttpLimits& limits() const { return shared_->limits; }
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

  // reliability.md §5.1: chunk extensions over 1 KiB are refused (400, close).
  std::function<void(std::uint64_t, beast::string_view, beast::error_code&)> chunk_header_cb_ =
      [](std::uint64_t, beast::string_view ext, beast::error_code& ec) {
        if (ext.size() > 1024) ec = bhttp::error::bad_chunk_extension;
      };

  // Idle keep-alive wait: the long timeout applies until the first byte of a request.
  void wait_for_request() {
    busy_ = false;
    if (shared_->draining) return close_now();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(limits().header_total));
    // The route is unknown until the header is parsed: allow the larger limit here and
    // apply the route's own limit right after (on_header).
    parser_->body_limit(std::max({limits().body_sqs, limits().body_native, limits().body_ui}));
    parser_->on_chunk_header(chunk_header_cb_);  // Beast keeps a reference: the callback is a member
    if (buffer_.size() > 0) return read_header();
    tcp().expires_after(limits().idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
      if (ec) return self->close_now();
      self->buffer_.commit(n);
      self->read_header();
    });
  }

  void read_header() {
    tcp().expires_after(limits().header_timeout);  // once per request: slow senders do not extend it
    collect_header();
  }

  // Reads until the whole header block is buffered, so its raw bytes can be checked
  // before Beast parses them: Beast silently joins obs-fold continuation lines, which
  // reliability.md §5.1 requires to be refused (request smuggling class). Beast then
  // parses the complete header from the buffer without another read.
  void collect_header() {
    auto data = buffer_.cdata();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    size_t end = text.find("\r\n\r\n");
    if (end == std::string_view::npos) {
      if (text.size() > limits().header_total) return refuse(first_line_too_long() ? 414 : 431);
      stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, size_t n) {
        if (ec) return self->close_now();  // timeout, reset or EOF: no response (slowloris rule)
        self->buffer_.commit(n);
        self->collect_header();
      });
      return;
    }
    for (size_t i = text.find("\r\n"); i < end; i = text.find("\r\n", i + 2))
      if (text[i + 2] == ' ' || text[i + 2] == '\t') return refuse(400);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec == bhttp::error::header_limit) return refuse(first_line_too_long() ? 414 : 431);
    if (ec == bhttp::error::body_limit) return send(too_large(), 11);
    if (is_parse_error(ec)) return refuse(400);
    if (ec) return close_now();  // timeout, reset or EOF: no response (slowloris rule)

    busy_ = true;
    auto& msg = parser_->get();
    req_ = HttpRequest{};
    req_.method = std::string(msg.method_string());
    req_.target = std::string(msg.target());
    size_t q = req_.target.find('?');
    req_.path = req_.target.substr(0, q);
    if (q != std::string::npos) req_.query = req_.target.substr(q + 1);
    for (auto& f : msg) req_.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    req_.remote_addr = addr_;
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();

    if (auto refusal = check_request_head(req_, version_ >= 11, limits())) return send(std::move(*refusal), version_);
    uint64_t limit = limits().body_limit(req_.path);
    if (auto len = parser_->content_length(); len && *len > limit) return send(too_large(), version_);
    parser_->body_limit(limit);  // chunked bodies count against the route's limit as they arrive

    if (parser_->is_done()) return dispatch();
    if (iequals(req_.header("Expect"), "100-continue")) {
      tcp().expires_after(limits().write_timeout);
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->close_now();
                          self->read_body();
                        });
      return;
    }
    read_body();
  }

  // Body deadline and minimum rate (reliability.md §4.3): the whole body within
  // body_timeout, and after body_grace at least body_min_rate bytes/s on average since
  // the body began. A separate timer watches both, so a slow sender gets its 408 before
  // the close (a tcp_stream timeout would close the socket first).
  void read_body() {
    tcp().expires_never();
    body_started_ = std::chrono::steady_clock::now();
    body_bytes_ = 0;
    body_too_slow_ = false;
    body_done_ = false;
    body_timer_.expires_after(std::chrono::seconds(1));
    body_timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->on_body_tick(ec); });
    read_body_some();
  }

  void read_body_some() {
    bhttp::async_read_some(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->body_bytes_ += n;
      if (self->body_too_slow_) return self->send(request_timeout(), self->version_);
      if (ec == bhttp::error::body_limit) return self->stop_body_timer(), self->send(too_large(), self->version_);
      if (is_parse_error(ec)) return self->stop_body_timer(), self->refuse(400);
      if (ec) return self->stop_body_timer(), self->close_now();
      if (!self->parser_->is_done()) return self->read_body_some();
      self->stop_body_timer();
      self->dispatch();
    });
  }

  void on_body_tick(beast::error_code ec) {
    if (ec || body_done_) return;  // cancelled: the body is complete or the read failed
    auto elapsed = std::chrono::steady_clock::now() - body_started_;
    double secs = std::chrono::duration<double>(elapsed).count();
    bool too_long = elapsed >= limits().body_timeout;
    bool too_slow = limits().body_min_rate > 0 && elapsed >= limits().body_grace &&
                    double(body_bytes_) < double(limits().body_min_rate) * secs;
    if (too_long || too_slow) {
      body_too_slow_ = true;
      beast::error_code ignored;
      tcp().socket().cancel(ignored);  // the pending read completes and answers 408
      return;
    }
    body_timer_.expires_after(std::chrono::seconds(1));
    body_timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->on_body_tick(ec); });
  }

  void stop_body_timer() {
    body_done_ = true;
    body_timer_.cancel();
  }

  static HttpResponse request_timeout() {
    HttpResponse r = HttpResponse::text(408, "request body too slow\n");
    r.close = true;
    return r;
  }

  void dispatch() {
    req_.body = std::move(parser_->get().body());
    tcp().expires_never();  // long polls: the handler decides how long this takes
    auto self = shared_from_this();
    Respond respond = [self](HttpResponse r) {
      asio::post(self->stream_.get_executor(), [self, r = std::move(r)]() mutable { self->send(std::move(r), self->version_); });
    };
    try {
      shared_->handler(std::move(req_), std::move(respond));
    } catch (const std::exception& e) {
      // Handlers should not throw; if one does, this connection answers 500 only if the
      // handler has not answered already, which we cannot know: close instead.
      spdlog::error("handler threw: {}", e.what());
      close_now();
    }
  }

  void refuse(int status) {
    HttpResponse r = HttpResponse::text(status, status == 414   ? "request line too long\n"
                                                 : status == 431 ? "request header fields too large\n"
                                                                 : "bad request\n");
    r.close = true;
    send(std::move(r), 11);
  }

  bool first_line_too_long() const {
    // Beast consumes the request line as soon as it parsed it; a parsed target means
    // the fields were the problem.
    if (!parser_->get().target().empty()) return false;
    auto data = buffer_.cdata();
    std::string_view text(static_cast<const char*>(data.data()), data.size());
    size_t eol = text.find("\r\n");
    return (eol == std::string_view::npos ? text.size() : eol) > limits().request_line;
  }

  void send(HttpResponse r, unsigned version) {
    busy_ = true;
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(r.status),
                                                                      version ? version : 11);
    res->set(bhttp::field::date, http_date_now());
    res->set(bhttp::field::content_type, r.content_type);
    for (auto& [k, v] : r.headers) res->insert(k, v);
    res->body() = std::move(r.body);
    bool keep = keep_alive_ && !r.close && !shared_->draining;
    res->keep_alive(keep);
    res->prepare_payload();
    tcp().expires_after(limits().write_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res, keep](beast::error_code ec, size_t) {
      if (ec) return self->close_now();
      if (!keep) return self->linger_close();
      self->wait_for_request();
    });
  }

  // After a refusal the client may still be sending its body; closing at once would
  // turn that into a TCP reset that can destroy our response in flight. Stop sending,
  // discard what arrives for a short while, then close.
  void linger_close() {
    if constexpr (kTls) {
      // close_notify, then wait (bounded) for the peer's; whatever it still sends is
      // discarded by OpenSSL. Either way the socket is closed afterwards.
      tcp().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) { self->close_now(); });
      return;
    }
    beast::error_code ec;
    tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
    lingered_ = 0;
    tcp().expires_after(std::chrono::seconds(2));
    linger_read();
  }
  void linger_read() {
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(16384), [self = shared_from_this()](beast::error_code ec, size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > kLingerBytes) return self->close_now();
      self->linger_read();
    });
  }

  void close_now() {
    beast::error_code ec;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ec);
    tcp().close();
  }

  Stream stream_;
  asio::steady_timer body_timer_;
  std::chrono::steady_clock::time_point body_started_;
  uint64_t body_bytes_ = 0;
  bool body_too_slow_ = false;
  bool body_done_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Shared> shared_;
  std::string addr_;
  HttpRequest req_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool busy_ = false;
  size_t lingered_ = 0;
};

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& io, std::shared_ptr<Shared> s) : ioc(io), acceptor(io), shared(std::move(s)) {}

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
      if (ec) {
        // EMFILE and friends: keep serving existing connections, retry accepting later.
        spdlog::warn("accept failed: {}", ec.message());
        auto t = std::make_shared<asio::steady_timer>(self->ioc, std::chrono::milliseconds(100));
        t->async_wait([self, t](beast::error_code) { self->accept(); });
        return;
      }
      beast::error_code ec2;
      auto ep = socket.remote_endpoint(ec2);
      std::string addr = ec2 ? std::string("unknown") : ep.address().to_string();
      if (self->shared->admit(addr)) {
        socket.set_option(tcp::no_delay(true), ec2);
        if (self->tls)
          self->start_session(
              std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), self->shared, addr, *self->tls));
        else
          self->start_session(std::make_shared<Session<beast::tcp_stream>>(std::move(socket), self->shared, addr));
      } else {
        socket.close(ec2);  // over a connection cap: refuse
      }
      self->accept();
    });
  }

  template <class S>
  void start_session(std::shared_ptr<S> session) {
    {
      std::lock_guard lk(shared->mu);
      shared->sessions[session.get()] = session;
    }
    session->start();
  }

  asio::io_context& ioc;
  tcp::acceptor acceptor;
  std::shared_ptr<Shared> shared;
  std::unique_ptr<ssl::context> tls;  // set: every connection speaks HTTPS only
};

namespace {

std::string openssl_error() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? std::string("unknown OpenSSL error") : out;
}

Status readable(const std::string& flag, const std::string& path) {
  if (path.empty()) return err(Code::Invalid, flag + " needs a file name");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return err(Code::Invalid, "cannot read " + flag + " " + path + ": " + std::strerror(errno));
  std::fclose(f);
  return {};
}

// A server context: TLS 1.2 and 1.3 only, forward-secret AEAD suites for TLS 1.2
// (Mozilla's "intermediate" list without DHE), OpenSSL's TLS 1.3 defaults, no
// renegotiation or compression; the certificate chain and key from PEM files.
Result<std::unique_ptr<ssl::context>> make_tls_context(const std::string& cert_file, const std::string& key_file) {
  if (auto st = readable("--tls-cert", cert_file); !st.ok()) return st.error();
  if (auto st = readable("--tls-key", key_file); !st.ok()) return st.error();
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* c = ctx->native_handle();
  ERR_clear_error();
  SSL_CTX_set_options(c, SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_COMPRESSION |
                             SSL_OP_NO_RENEGOTIATION | SSL_OP_SINGLE_ECDH_USE);
  if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(c,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1)
    return err(Code::InternalError, "cannot configure TLS: " + openssl_error());
  // An encrypted key must not make OpenSSL prompt on the terminal: no passphrase.
  SSL_CTX_set_default_passwd_cb(c, [](char*, int, int, void*) { return 0; });
  if (SSL_CTX_use_certificate_chain_file(c, cert_file.c_str()) != 1)
    return err(Code::Invalid, "--tls-cert " + cert_file + " is not a PEM certificate (chain): " + openssl_error());
  if (SSL_CTX_use_PrivateKey_file(c, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL checks the key against the certificate here already.
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
      return err(Code::Invalid, "--tls-key " + key_file + " does not match the certificate in --tls-cert " +
                                    cert_file + ": " + openssl_error());
    return err(Code::Invalid, "--tls-key " + key_file +
                                  " is not an unencrypted PEM private key: " + openssl_error());
  }
  if (SSL_CTX_check_private_key(c) != 1)
    return err(Code::Invalid, "--tls-key " + key_file + " does not match the certificate in --tls-cert " + cert_file +
                                  ": " + openssl_error());
  return ctx;
}

}  // namespace

Status check_tls_files(const std::string& cert_file, const std::string& key_file) {
  auto ctx = make_tls_context(cert_file, key_file);
  if (!ctx.ok()) return ctx.error();
  return {};
}

Status HttpServer::use_tls(const std::string& cert_file, const std::string& key_file) {
  auto ctx = make_tls_context(cert_file, key_file);
  if (!ctx.ok()) return ctx.error();
  impl_->tls = std::move(*ctx);
  return {};
}

bool HttpServer::tls() const { return impl_->tls != nullptr; }

HttpServer::HttpServer(asio::io_context& ioc, HttpLimits limits, HttpHandler handler) {
  auto shared = std::make_shared<Shared>();
  shared->limits = limits;
  shared->handler = std::move(handler);
  impl_ = std::make_shared<Impl>(ioc, std::move(shared));
}

HttpServer::~HttpServer() = default;

Result<ListenAddress> HttpServer::listen(const ListenAddress& addr) {
  beast::error_code ec;
  std::string host = addr.host == "localhost" ? "127.0.0.1" : addr.host;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) return err(Code::Invalid, "bad listen address " + addr.to_string() + ": " + ec.message());
  tcp::endpoint ep(ip, addr.port);
  auto& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return err(Code::InternalError, "cannot listen on " + addr.to_string() + ": " + ec.message());
  auto local = a.local_endpoint(ec);
  ListenAddress bound{host, local.port()};
  return bound;
}

void HttpServer::start_accepting() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] { impl->accept(); });
}

void HttpServer::stop_accepting() {
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });
}

void HttpServer::drain() {
  impl_->shared->draining = true;
  std::vector<std::shared_ptr<SessionBase>> live;
  {
    std::lock_guard lk(impl_->shared->mu);
    for (auto& [p, w] : impl_->shared->sessions)
      if (auto s = w.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->close_if_idle();
}

size_t HttpServer::connections() const {
  std::lock_guard lk(impl_->shared->mu);
  return impl_->shared->total;
}

}  // namespace ebb::http

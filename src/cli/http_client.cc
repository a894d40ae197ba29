#include "cli/http_client.h"

#include <curl/curl.h>

#include <chrono>

#include "api/http/sigv4.h"

namespace ebb::cli {
namespace {

size_t append_body(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// The responses ebbd sends are small, except peek/receive (≤ 10 messages of ≤ 1 MiB).
constexpr std::size_t kMaxResponseBytes = 64u << 20;

size_t append_bounded(char* data, size_t size, size_t n, void* out) {
  auto* s = static_cast<std::string*>(out);
  if (s->size() + size * n > kMaxResponseBytes) return 0;  // aborts the transfer
  return append_body(data, size, n, out);
}

}  // namespace

HttpClient::HttpClient(std::string base_url) : base_(std::move(base_url)), curl_(nullptr) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string HttpClient::escape(std::string_view segment) const {
  char* e = curl_easy_escape(static_cast<CURL*>(curl_), segment.data(), static_cast<int>(segment.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

Outcome<HttpResponse> HttpClient::request(std::string_view method, std::string_view path, std::string_view body,
                                          std::chrono::seconds timeout) {
  CURL* c = static_cast<CURL*>(curl_);
  if (!c) return CliError{kExitUnreachable, "cannot initialise libcurl", {}, ""};
  curl_easy_reset(c);
  std::string url = base_ + std::string(path);
  HttpResponse resp;
  std::string body_copy(body);
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_bounded);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(timeout.count()));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_USERAGENT, "ebb-cli");
  // https://: the peer's chain and its name (or IP address) are always verified.
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
  if (!ca_file_.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file_.c_str());
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  struct curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  if (method == "POST" || !body.empty()) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body_copy.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body_copy.size()));
  } else if (method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  if (!auth_.bearer.empty()) {
    headers = curl_slist_append(headers, ("Authorization: Bearer " + auth_.bearer).c_str());
  } else if (!auth_.access_key_id.empty()) {
    // SigV4, service "ebb" (docs/security.md). The Host header is set to what was signed.
    std::string_view rest(base_);
    rest.remove_prefix(rest.find("://") + 3);
    size_t slash = rest.find('/');
    std::string host(rest.substr(0, slash));
    std::string prefix(slash == std::string_view::npos ? std::string_view{} : rest.substr(slash));
    http::HttpRequest sreq;
    sreq.method = std::string(method);
    std::string target = prefix + std::string(path);
    size_t q = target.find('?');
    sreq.path = target.substr(0, q);
    sreq.query = q == std::string::npos ? "" : target.substr(q + 1);
    sreq.headers.emplace_back("Host", host);
    if (method == "POST" || !body.empty()) sreq.headers.emplace_back("Content-Type", "application/json");
    sreq.body = body_copy;
    auto now_s = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    http::sigv4_sign(sreq, auth_.access_key_id, auth_.secret, auth_.region, "ebb", now_s.count());
    for (const auto& [k, v] : sreq.headers)  // Content-Type is in the list already
      if (k == "Host" || k == "X-Amz-Date" || k == "Authorization")
        headers = curl_slist_append(headers, (k + ": " + v).c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    const bool never_sent = rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
                            rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT;
    CliError e{kExitUnreachable, "", {}, ""};
    const std::string detail = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
    if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_CONNECT_ERROR) {
      // Nothing was sent: the TLS handshake failed (untrusted or wrong certificate,
      // plain HTTP server, unusable CA file).
      e.message = "TLS with the ebb server at " + base_ + " failed: " + detail;
      e.hint = rc == CURLE_PEER_FAILED_VERIFICATION
                   ? "the server's certificate is not trusted or not for this address: give the CA that signed it "
                     "with --ca-file or EBB_CA_FILE"
                   : "check the address (https:// needs ebbd started with --tls-cert) and --ca-file/EBB_CA_FILE";
      return e;
    }
    if (never_sent) {
      e.message = "cannot reach the ebb server at " + base_ + ": " + detail;
      e.hint = "is ebbd running? set the address with --server or EBB_SERVER";
    } else {
      // The request may have reached the server: whether it took effect is unknown.
      e.message = std::string(method) + " " + std::string(path) + ": no complete answer from " + base_ + " (" +
                  curl_easy_strerror(rc) + "); the outcome is unknown";
    }
    return e;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  return resp;
}

}  // namespace ebb::cli

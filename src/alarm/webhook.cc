#include "alarm/webhook.h"

#include <curl/curl.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "base/crypto.h"

namespace ebb::alarm {
namespace {

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

class CurlSender final : public WebhookSender {
 public:
  CurlSender() : worker_([this] { run(); }) {}
  ~CurlSender() override { stop(); }

  void send(WebhookRequest r, std::function<void(WebhookOutcome)> done) override {
    std::lock_guard<std::mutex> g(mu_);
    if (stopped_) return;
    queue_.emplace_back(std::move(r), std::move(done));
    cv_.notify_one();
  }

  void stop() override {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (stopped_) return;
      stopped_ = true;
      queue_.clear();
    }
    cv_.notify_one();
    if (worker_.joinable()) worker_.join();
  }

 private:
  void run() {
    CURL* c = curl_easy_init();
    while (true) {
      std::pair<WebhookRequest, std::function<void(WebhookOutcome)>> job;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [&] { return stopped_ || !queue_.empty(); });
        if (stopped_) break;
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      job.second(post(c, job.first));
    }
    if (c) curl_easy_cleanup(c);
  }

  static WebhookOutcome post(CURL* c, const WebhookRequest& r) {
    WebhookOutcome out;
    if (!c) {
      out.error = "libcurl is not available";
      return out;
    }
    curl_easy_reset(c);
    curl_slist* headers = nullptr;
    for (auto& [k, v] : r.headers) headers = curl_slist_append(headers, (k + ": " + v).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(r.timeout_seconds));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::min(r.timeout_seconds, 10)));
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &discard);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK) {
      long status = 0;
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
      out.status = static_cast<int>(status);
    } else {
      out.error = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    }
    curl_slist_free_all(headers);
    return out;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<WebhookRequest, std::function<void(WebhookOutcome)>>> queue_;
  bool stopped_ = false;
  std::thread worker_;  // last: starts after the members it uses
};

}  // namespace

std::unique_ptr<WebhookSender> make_curl_sender() { return std::make_unique<CurlSender>(); }

std::string signature_header(const std::string& secret, const std::string& body) {
  return "sha256=" + hex_encode(hmac_sha256(secret, body));
}

int64_t retry_delay_ms(int failed_attempts) {
  if (failed_attempts <= 0) return 0;
  if (failed_attempts > 6) return 60'000;
  return std::min<int64_t>(int64_t(1000) << (failed_attempts - 1), 60'000);
}

}  // namespace ebb::alarm

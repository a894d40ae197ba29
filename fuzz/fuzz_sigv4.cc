// SigV4 verification on fuzzer-built requests (reliability.md §3, §6.4 T3).
//
// Input: a request in a plain text form (what fuzz/make_sigv4_seeds.py captures from
// boto3 and aws-cli):
//
//   METHOD TARGET\n            TARGET = path [ "?" query ]
//   Name: value\n              any number of header lines ("\r\n" also ends a line)
//   \n
//   body                       the rest, bytes as they are
//
// Every input is some request. With one fixed key (AKIDEXAMPLE, the AWS test-suite
// secret) and a fixed clock (2015-08-30T12:36:00Z) the target drives the real code:
//   1. SigV4Verifier::verify on the request as given (the seeds verify; mutations of
//      them walk every §3.2 check): deterministic, errors carry a §3.3 code and never
//      the secret, a success is our key and its signature is the HMAC of the string
//      to sign it reports (so the signing-key cache handed back the right key);
//   2. parse_authorization on the Authorization header: a parse that succeeds is
//      well-formed (64 lowercase hex, sorted unique names) and agrees with
//      access_key_from_authorization; access_key_from_credential on X-Amz-Credential;
//   3. canonical URI/query building and the date parsers: canonical forms use only
//      unreserved characters and %XX, the canonical query is idempotent, a parsed
//      X-Amz-Date formats back to itself;
//   4. sign-then-verify: the request re-signed by sigv4_sign (header form) and by a
//      presigned URL built here verifies, unless it carries something verify must
//      refuse (named below); then any change of method, path, query, body, date or
//      signature, and a presigned URL past its expiry, must fail.
// A broken invariant is __builtin_trap() after a line on stderr saying which.
// FUZZ_SIGV4_VERBOSE=1 prints each input's verdict (e.g. to check the seeds verify).
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "api/http/auth_stage.h"
#include "api/http/query_string.h"
#include "api/http/sigv4.h"
#include "base/crypto.h"

using namespace ebb;
using namespace ebb::http;

namespace {

constexpr std::string_view kKey = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kOtherKey = "AKIDOTHER";
constexpr std::string_view kOtherSecret = "other-secret-never-matching";
constexpr int64_t kNow = 1440938160;  // 2015-08-30T12:36:00Z

bool g_input_has_secret = false;  // the input text contains one of the secrets

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_sigv4: invariant broken: %s%s%s\n", what, detail.empty() ? "" : ": ", detail.c_str());
  __builtin_trap();
}

WallTime at(int64_t s) { return WallTime{std::chrono::seconds{s}}; }

const SigV4Verifier& verifier() {
  static const SigV4Verifier v({}, [](std::string_view akid) -> std::optional<std::string> {
    if (akid == kKey) return std::string(kSecret);
    if (akid == kOtherKey) return std::string(kOtherSecret);
    return std::nullopt;
  });
  return v;
}

HttpRequest parse_text(std::string_view in) {
  HttpRequest r;
  auto next_line = [&](std::string_view& line) {
    if (in.empty()) return false;
    size_t nl = in.find('\n');
    line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  };
  std::string_view line;
  if (!next_line(line)) return r;
  size_t sp = line.find(' ');
  r.method = std::string(line.substr(0, sp));
  r.target = sp == std::string_view::npos ? "" : std::string(line.substr(sp + 1));
  size_t q = r.target.find('?');
  r.path = r.target.substr(0, q);
  r.query = q == std::string::npos ? "" : r.target.substr(q + 1);
  while (next_line(line) && !line.empty()) {
    size_t colon = line.find(':');
    std::string_view name = line.substr(0, colon), value;
    if (colon != std::string_view::npos) {
      value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    r.headers.emplace_back(std::string(name), std::string(value));
  }
  r.body = std::string(in);
  return r;
}

// Query parameters split at '&' and '=' the way the verifier does; names compared raw
// (verify detects the presigned form by raw names) or percent-decoded ('+' stays '+',
// as in the canonical query).
std::optional<std::string> decode_plus_literal(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
      return std::nullopt;
    out += char(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

// Decoded value of the first parameter whose name is `name`.
std::optional<std::string> query_value(std::string_view q, std::string_view name, bool decode_names) {
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view item = q.substr(0, amp);
    size_t eq = item.find('=');
    std::string_view raw = item.substr(0, eq);
    auto n = decode_names ? decode_plus_literal(raw) : std::optional<std::string>(std::string(raw));
    if (n && *n == name) return decode_plus_literal(eq == std::string_view::npos ? "" : item.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

bool raw_query_has(std::string_view q, std::string_view name) {
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view item = q.substr(0, amp);
    if (item.substr(0, item.find('=')) == name) return true;
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return false;
}

bool decoded_query_has(std::string_view q, std::string_view name) {
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view item = q.substr(0, amp);
    auto n = decode_plus_literal(item.substr(0, item.find('=')));
    if (n && *n == name) return true;
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return false;
}

bool is_sigv4_code(Code c) {
  return c == Code::MissingAuthenticationToken || c == Code::IncompleteSignature || c == Code::InvalidClientTokenId ||
         c == Code::SignatureDoesNotMatch;
}

struct Outcome {
  bool ok = false;
  Code code{};
  std::string message, access_key;
  bool presigned = false;
  SigV4Debug debug;
  bool operator==(const Outcome& o) const {
    return ok == o.ok && code == o.code && message == o.message && access_key == o.access_key &&
           presigned == o.presigned && debug.canonical_request == o.debug.canonical_request &&
           debug.string_to_sign == o.debug.string_to_sign;
  }
};

Outcome verify(const HttpRequest& req, int64_t now = kNow) {
  Outcome o;
  auto r = verifier().verify(req, at(now), &o.debug);
  o.ok = r.ok();
  if (r.ok()) {
    o.access_key = r->access_key_id;
    o.presigned = r->presigned;
  } else {
    o.code = r.error().code;
    o.message = r.error().message;
    if (!is_sigv4_code(o.code)) fail("verify answered a code outside reliability.md §3.3", o.message);
    if (o.message.empty()) fail("verify answered an empty message");
    // Messages quote what the request sent (a parameter name, a scope), so the secret
    // may only appear when the input itself carries it.
    if (!g_input_has_secret &&
        (o.message.find(kSecret) != std::string::npos || o.message.find(kOtherSecret) != std::string::npos))
      fail("an error message carries the secret", o.message);
  }
  return o;
}

std::string describe(const Outcome& o) { return o.ok ? "ok" : std::string(code_info(o.code).query_code) + ": " + o.message; }

bool canonical_chars(std::string_view s, std::string_view also) {
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~';
    if (unreserved || also.find(char(c)) != std::string_view::npos) continue;
    auto upper_hex = [](char h) { return (h >= '0' && h <= '9') || (h >= 'A' && h <= 'F'); };
    if (c != '%' || i + 2 >= s.size() || !upper_hex(s[i + 1]) || !upper_hex(s[i + 2])) return false;
    i += 2;
  }
  return true;
}

// 1. The request as given.
void check_as_given(const HttpRequest& req) {
  Outcome a = verify(req), b = verify(req);
  if (!(a == b)) fail("verify is not deterministic", describe(a) + " / " + describe(b));
  static const bool verbose = std::getenv("FUZZ_SIGV4_VERBOSE") != nullptr;
  if (verbose)
    std::fprintf(stderr, "fuzz_sigv4: as given: %s\n--- canonical request:\n%s\n--- string to sign:\n%s\n",
                 describe(a).c_str(), a.debug.canonical_request.c_str(), a.debug.string_to_sign.c_str());
  if (!a.ok) return;
  if (a.access_key != kKey && a.access_key != kOtherKey) fail("verify accepted an unknown key", a.access_key);
  // The accepted signature is the HMAC of the reported string to sign under the key of
  // the request's own scope: the signing-key cache answered the right key.
  std::string signature, date, region, service;
  if (a.presigned) {
    auto sig = query_value(req.query, "X-Amz-Signature", false);
    auto cred = query_value(req.query, "X-Amz-Credential", false);
    if (!sig || !cred) fail("a presigned success without X-Amz-Signature/X-Amz-Credential");
    signature = *sig;
    auto p = parse_authorization("AWS4-HMAC-SHA256 Credential=" + *cred + ", SignedHeaders=host, Signature=" + *sig);
    if (!p) fail("a presigned success whose credential does not parse", p.error().message);
    date = p->date, region = p->region, service = p->service;
  } else {
    auto p = parse_authorization(req.header("Authorization"));
    if (!p) fail("a header success whose Authorization does not parse", p.error().message);
    signature = p->signature, date = p->date, region = p->region, service = p->service;
  }
  std::string secret(a.access_key == kKey ? kSecret : kOtherSecret);
  if (hex_encode(hmac_sha256(sigv4_signing_key(secret, date, region, service), a.debug.string_to_sign)) != signature)
    fail("accepted signature is not the HMAC of the string to sign");
}

// 2. Header and credential parsing.
void check_parsers(const HttpRequest& req) {
  for (auto& [name, value] : req.headers) {
    if (!iequals(name, "Authorization")) continue;
    auto p = parse_authorization(value);
    auto again = parse_authorization(value);
    if (p.ok() != again.ok()) fail("parse_authorization is not deterministic");
    auto key = access_key_from_authorization(value);
    if (!p) {
      if (p.error().code != Code::IncompleteSignature) fail("parse_authorization error is not IncompleteSignature");
      continue;
    }
    if (p->signature.size() != 64 || p->access_key_id.empty() || p->date.size() != 8)
      fail("parse_authorization accepted a malformed part", value);
    std::string joined;
    for (size_t i = 0; i < p->signed_names.size(); ++i) {
      if (i && !(p->signed_names[i - 1] < p->signed_names[i])) fail("SignedHeaders accepted unsorted", value);
      joined += (i ? ";" : "") + p->signed_names[i];
    }
    if (joined != p->signed_headers) fail("SignedHeaders names do not join back", value);
    if (!key || *key != p->access_key_id)
      fail("access_key_from_authorization disagrees with parse_authorization", value);
  }
  if (auto cred = query_param(req.query, "X-Amz-Credential")) {
    auto key = access_key_from_credential(*cred);
    if (key && (key->empty() || cred->find(*key) != 0)) fail("access_key_from_credential is not the prefix", *cred);
  }
}

// 3. Canonical pieces and dates.
void check_canonical(const HttpRequest& req) {
  std::string uri = sigv4_canonical_uri(req.path);
  if (uri.empty() || uri[0] != '/' || !canonical_chars(uri, "/")) fail("canonical URI", uri);
  if (uri != sigv4_canonical_uri(req.path)) fail("canonical URI is not deterministic");
  if (auto cq = sigv4_canonical_query(req.query)) {
    if (!canonical_chars(*cq, "=&")) fail("canonical query has a raw character", *cq);
    auto again = sigv4_canonical_query(*cq);
    if (!again || *again != *cq) fail("canonical query is not idempotent", *cq);
  }
  for (std::string_view name : {"X-Amz-Date", "Date"}) {
    std::string_view v = req.header(name);
    if (auto t = parse_amz_date(v)) {
      if (v.substr(13, 2) != "60" && format_amz_date(*t) != v) fail("X-Amz-Date does not format back", std::string(v));
    }
    if (auto t = parse_imf_fixdate(v)) {
      if (auto back = parse_amz_date(format_amz_date(*t)); !back || *back != *t) fail("IMF-fixdate round trip");
    }
  }
}

// 4a. Re-signed in the header form by sigv4_sign.
void check_signed(const HttpRequest& given) {
  HttpRequest req = given;
  if (!req.has_header("Host")) req.headers.emplace_back("Host", "example.amazonaws.com");
  sigv4_sign(req, kKey, kSecret, "us-east-1", "sqs", kNow);
  // What verify must refuse whoever signed: presigned parameters next to the header, a
  // broken percent escape, a session token, a body hash that is not the body's.
  bool refusable = raw_query_has(req.query, "X-Amz-Signature") || raw_query_has(req.query, "X-Amz-Credential") ||
                   raw_query_has(req.query, "X-Amz-Algorithm") || !sigv4_canonical_query(req.query) ||
                   req.has_header("X-Amz-Security-Token") || raw_query_has(req.query, "X-Amz-Security-Token") ||
                   (req.has_header("X-Amz-Content-Sha256") && req.header("X-Amz-Content-Sha256") != sha256_hex(req.body));
  Outcome o = verify(req);
  if (refusable) {
    if (o.ok) fail("verify accepted a request it must refuse");
    return;
  }
  if (!o.ok || o.access_key != kKey || o.presigned) fail("a request signed by sigv4_sign does not verify", describe(o));

  auto must_fail = [&](const char* what, HttpRequest changed, int64_t now = kNow) {
    Outcome c = verify(changed, now);
    if (c.ok) fail("a changed signed request still verifies", what);
  };
  HttpRequest m = req;
  m.body += 'x';
  must_fail("body", m);
  m = req;
  m.method += 'X';
  must_fail("method", m);
  m = req;
  m.path += 'x';
  must_fail("path", m);
  m = req;
  m.query += m.query.empty() ? "zz=1" : "&zz=1";
  must_fail("query", m);
  must_fail("clock 16 min later", req, kNow + 16 * 60);
  m = req;
  for (auto& [k, v] : m.headers)
    if (iequals(k, "X-Amz-Date")) v = format_amz_date(kNow + 1);
  must_fail("X-Amz-Date", m);
  m = req;
  for (auto& [k, v] : m.headers)
    if (iequals(k, "Authorization")) v.back() = v.back() == '0' ? '1' : '0';
  must_fail("signature", m);
}

// 4b. Presigned (X-Amz-* query parameters, host signed), built the way SDKs do.
void check_presigned(const HttpRequest& given, uint32_t seed) {
  for (std::string_view n : {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                             "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Security-Token"})
    if (decoded_query_has(given.query, n) || raw_query_has(given.query, n)) return;  // duplicated or refused
  if (!sigv4_canonical_query(given.query)) return;
  HttpRequest req = given;
  std::erase_if(req.headers, [](const auto& kv) {
    for (std::string_view h : {"Authorization", "X-Amz-Date", "X-Amz-Target", "X-Amz-Security-Token",
                               "X-Amz-Content-Sha256"})
      if (iequals(kv.first, h)) return true;
    return false;
  });
  if (!req.has_header("Host")) req.headers.emplace_back("Host", "example.amazonaws.com");
  const int64_t expires = 1 + int64_t(seed % 604800);
  std::string date = format_amz_date(kNow);
  std::string q = req.query + (req.query.empty() ? "" : "&") +
                  "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + std::string(kKey) + "%2F" +
                  date.substr(0, 8) + "%2Fus-east-1%2Fsqs%2Faws4_request&X-Amz-Date=" + date +
                  "&X-Amz-Expires=" + std::to_string(expires) + "&X-Amz-SignedHeaders=host";
  std::string creq = req.method + "\n" + sigv4_canonical_uri(req.path) + "\n" + *sigv4_canonical_query(q) +
                     "\nhost:" + sigv4_canonical_header_value(req, "host") + "\n\nhost\n" + sha256_hex(req.body);
  std::string sts = "AWS4-HMAC-SHA256\n" + date + "\n" + date.substr(0, 8) + "/us-east-1/sqs/aws4_request\n" +
                    sha256_hex(creq);
  std::string sig = hex_encode(hmac_sha256(sigv4_signing_key(kSecret, date.substr(0, 8), "us-east-1", "sqs"), sts));
  req.query = q + "&X-Amz-Signature=" + sig;
  req.target = req.path + "?" + req.query;
  Outcome o = verify(req);
  if (!o.ok || o.access_key != kKey || !o.presigned) fail("a presigned URL does not verify", describe(o));
  if (verify(req, kNow + expires).ok == false) fail("a presigned URL is refused before its expiry");
  if (verify(req, kNow + expires + 1).ok) fail("a presigned URL verifies after its expiry");
  HttpRequest m = req;
  m.body += 'x';
  if (verify(m).ok) fail("a presigned URL verifies with another body");
  m = req;
  m.query = "zz=1&" + m.query;
  if (verify(m).ok) fail("a presigned URL verifies with another query");
  m = req;
  m.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=x");
  if (verify(m).ok) fail("a presigned URL with an Authorization header verifies");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  g_input_has_secret = text.find(kSecret) != std::string_view::npos || text.find(kOtherSecret) != std::string_view::npos;
  HttpRequest req = parse_text(text);
  check_as_given(req);
  check_parsers(req);
  check_canonical(req);
  check_signed(req);
  uint32_t seed = 2166136261u;  // FNV-1a of the input picks the presigned expiry
  for (unsigned char c : text) seed = (seed ^ c) * 16777619u;
  check_presigned(req, seed);
  return 0;
}

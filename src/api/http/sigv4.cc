#include "api/http/sigv4.h"

#include <algorithm>
#include <cstdio>

#include "base/crypto.h"

namespace ebb::http {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr std::string_view kMismatch =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details.";

Error incomplete(std::string msg) { return err(Code::IncompleteSignature, std::move(msg)); }
Error mismatch(std::string msg) { return err(Code::SignatureDoesNotMatch, std::move(msg)); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

void uri_encode_into(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (is_unreserved(c)) {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

// Percent-decoding for the canonical query: '+' stays a literal plus.
std::optional<std::string> decode_literal_plus(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += char(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool is_lower_hex64(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + int64_t(doe) - 719468;
}

unsigned days_in_month(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

int num(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::optional<int64_t> to_epoch(int y, int mo, int d, int h, int mi, int s) {
  if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || unsigned(d) > days_in_month(y, unsigned(mo)) || h > 23 ||
      mi > 59 || s > 60)
    return std::nullopt;
  return days_from_civil(y, unsigned(mo), unsigned(d)) * 86400 + h * 3600 + mi * 60 + std::min(s, 59);
}

// Splits "a, b,c" at commas; parts trimmed of spaces and tabs.
std::vector<std::string_view> split_params(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    size_t comma = s.find(',');
    std::string_view part = s.substr(0, comma);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t')) part.remove_suffix(1);
    out.push_back(part);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return out;
}

// Credential "AKID/YYYYMMDD/region/service/aws4_request" into p.
Status parse_credential(std::string_view cred, SigV4Params& p) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = cred.find('/', start);
    parts.push_back(cred.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 5)
    return incomplete("Credential must have exactly five parts: <access key id>/<YYYYMMDD>/<region>/<service>/"
                      "aws4_request (got " + std::to_string(parts.size()) + ")");
  for (auto& part : parts)
    if (part.empty()) return incomplete("Credential has an empty part");
  if (parts[1].size() != 8 || !all_digits(parts[1])) return incomplete("Credential date must be YYYYMMDD");
  p.access_key_id = std::string(parts[0]);
  p.date = std::string(parts[1]);
  p.region = std::string(parts[2]);
  p.service = std::string(parts[3]);
  p.terminator = std::string(parts[4]);
  return {};
}

Status parse_signed_headers(std::string_view s, SigV4Params& p) {
  if (s.empty()) return incomplete("SignedHeaders must not be empty");
  p.signed_headers = std::string(s);
  p.signed_names.clear();
  size_t start = 0;
  while (true) {
    size_t semi = s.find(';', start);
    std::string_view name = s.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
    if (name.empty()) return incomplete("SignedHeaders has an empty header name");
    for (char c : name)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
        return incomplete("SignedHeaders names must be lowercase header names joined by ';'");
    if (!p.signed_names.empty() && !(p.signed_names.back() < name))
      return incomplete("SignedHeaders must be sorted ascending without duplicates");
    p.signed_names.emplace_back(name);
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return {};
}

void trim_collapse_into(std::string_view v, std::string& out) {
  size_t b = 0, e = v.size();
  while (b < e && (v[b] == ' ' || v[b] == '\t')) ++b;
  while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t')) --e;
  bool space = false;
  for (size_t i = b; i < e; ++i) {
    char c = v[i];
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
}

// Raw (still percent-encoded) query parameter lookups by exact name.
struct QueryParam {
  std::string_view name, value;
};

std::vector<QueryParam> split_query(std::string_view q) {
  std::vector<QueryParam> out;
  if (q.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t amp = q.find('&', start);
    std::string_view item = q.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    size_t eq = item.find('=');
    out.push_back(eq == std::string_view::npos ? QueryParam{item, {}}
                                               : QueryParam{item.substr(0, eq), item.substr(eq + 1)});
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return out;
}

bool query_has(const std::vector<QueryParam>& qs, std::string_view name) {
  return std::any_of(qs.begin(), qs.end(), [&](const QueryParam& p) { return p.name == name; });
}

// Presigned parameters (step 2, query form).
Result<SigV4Params> parse_presigned(const std::vector<QueryParam>& qs) {
  SigV4Params p;
  p.presigned = true;
  auto one = [&](std::string_view name) -> Result<std::string> {
    const QueryParam* found = nullptr;
    for (auto& q : qs)
      if (q.name == name) {
        if (found) return incomplete(std::string(name) + " must appear exactly once");
        found = &q;
      }
    if (!found) return incomplete("presigned request is missing " + std::string(name));
    auto v = decode_literal_plus(found->value);
    if (!v) return incomplete(std::string(name) + " has a malformed percent escape");
    return *v;
  };
  EBB_TRY(std::string alg, one("X-Amz-Algorithm"));
  if (alg != kAlgorithm) return incomplete("X-Amz-Algorithm must be AWS4-HMAC-SHA256");
  EBB_TRY(std::string cred, one("X-Amz-Credential"));
  EBB_CHECK(parse_credential(cred, p));
  EBB_TRY(p.amz_date, one("X-Amz-Date"));
  EBB_TRY(std::string expires, one("X-Amz-Expires"));
  if (!all_digits(expires) || expires.size() > 7) return incomplete("X-Amz-Expires must be a number of seconds");
  p.expires = std::stoll(expires);
  EBB_TRY(std::string sh, one("X-Amz-SignedHeaders"));
  EBB_CHECK(parse_signed_headers(sh, p));
  EBB_TRY(p.signature, one("X-Amz-Signature"));
  if (!is_lower_hex64(p.signature)) return incomplete("Signature must be 64 lowercase hex digits");
  return p;
}

std::string scope_of(const SigV4Params& p) {
  return p.date + "/" + p.region + "/" + p.service + "/" + std::string(kTerminator);
}

}  // namespace

Result<SigV4Params> parse_authorization(std::string_view header) {
  if (!header.starts_with(kAlgorithm) || header.size() == kAlgorithm.size() || header[kAlgorithm.size()] != ' ')
    return incomplete("Authorization header must start with 'AWS4-HMAC-SHA256 '");
  std::string_view rest = header.substr(kAlgorithm.size() + 1);
  SigV4Params p;
  bool have_cred = false, have_sh = false, have_sig = false;
  for (std::string_view part : split_params(rest)) {
    size_t eq = part.find('=');
    if (eq == std::string_view::npos)
      return incomplete("Authorization parameter '" + std::string(part.substr(0, 40)) + "' has no '='");
    std::string_view name = part.substr(0, eq), value = part.substr(eq + 1);
    if (name == "Credential") {
      if (have_cred) return incomplete("Credential appears more than once");
      have_cred = true;
      EBB_CHECK(parse_credential(value, p));
    } else if (name == "SignedHeaders") {
      if (have_sh) return incomplete("SignedHeaders appears more than once");
      have_sh = true;
      EBB_CHECK(parse_signed_headers(value, p));
    } else if (name == "Signature") {
      if (have_sig) return incomplete("Signature appears more than once");
      have_sig = true;
      if (!is_lower_hex64(value)) return incomplete("Signature must be 64 lowercase hex digits");
      p.signature = std::string(value);
    } else {
      return incomplete("Authorization header has an unknown parameter '" + std::string(name.substr(0, 40)) + "'");
    }
  }
  if (!have_cred) return incomplete("Authorization header requires a 'Credential' parameter");
  if (!have_sh) return incomplete("Authorization header requires a 'SignedHeaders' parameter");
  if (!have_sig) return incomplete("Authorization header requires a 'Signature' parameter");
  return p;
}

std::string sigv4_canonical_uri(std::string_view raw_path) {
  // RFC 3986 §5.2.4 remove_dot_segments, on segments.
  std::vector<std::string_view> out;
  bool trailing_slash = false;
  std::string_view in = raw_path;
  if (in.empty()) return "/";
  size_t start = in.front() == '/' ? 1 : 0;
  while (start <= in.size()) {
    size_t slash = in.find('/', start);
    std::string_view seg = in.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    bool last = slash == std::string_view::npos;
    if (seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (!out.empty()) out.pop_back();
      trailing_slash = last;
    } else {
      out.push_back(seg);
      trailing_slash = false;
    }
    if (last) break;
    start = slash + 1;
  }
  std::string r;
  r.reserve(raw_path.size() + 8);
  for (size_t i = 0; i < out.size(); ++i) {
    r += '/';
    uri_encode_into(out[i], r);
  }
  if (trailing_slash || r.empty()) r += '/';
  return r;
}

std::optional<std::string> sigv4_canonical_query(std::string_view raw_query, std::string_view skip) {
  std::vector<std::pair<std::string, std::string>> items;
  for (const QueryParam& q : split_query(raw_query)) {
    if (q.name.empty() && q.value.empty()) continue;  // "a=1&&b=2"
    auto n = decode_literal_plus(q.name);
    auto v = decode_literal_plus(q.value);
    if (!n || !v) return std::nullopt;
    if (!skip.empty() && *n == skip) continue;
    std::string en, ev;
    uri_encode_into(*n, en);
    uri_encode_into(*v, ev);
    items.emplace_back(std::move(en), std::move(ev));
  }
  std::sort(items.begin(), items.end());
  std::string r;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) r += '&';
    r += items[i].first;
    r += '=';
    r += items[i].second;
  }
  return r;
}

std::string sigv4_canonical_header_value(const HttpRequest& req, std::string_view name) {
  std::string v;
  bool first = true;
  for (auto& [k, val] : req.headers) {
    if (!iequals(k, name)) continue;
    if (!first) v += ',';
    first = false;
    trim_collapse_into(val, v);
  }
  return v;
}

std::optional<int64_t> parse_amz_date(std::string_view s) {
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z') return std::nullopt;
  if (!all_digits(s.substr(0, 8)) || !all_digits(s.substr(9, 6))) return std::nullopt;
  return to_epoch(num(s.substr(0, 4)), num(s.substr(4, 2)), num(s.substr(6, 2)), num(s.substr(9, 2)),
                  num(s.substr(11, 2)), num(s.substr(13, 2)));
}

std::optional<int64_t> parse_imf_fixdate(std::string_view s) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' || s[19] != ':' ||
      s[22] != ':' || s[25] != ' ' || s.substr(26) != "GMT")
    return std::nullopt;
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int mo = 0;
  for (int i = 0; i < 12; ++i)
    if (s.substr(8, 3) == kMonths[i]) mo = i + 1;
  if (!mo || !all_digits(s.substr(5, 2)) || !all_digits(s.substr(12, 4)) || !all_digits(s.substr(17, 2)) ||
      !all_digits(s.substr(20, 2)) || !all_digits(s.substr(23, 2)))
    return std::nullopt;
  return to_epoch(num(s.substr(12, 4)), mo, num(s.substr(5, 2)), num(s.substr(17, 2)), num(s.substr(20, 2)),
                  num(s.substr(23, 2)));
}

std::string format_amz_date(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  // civil_from_days
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = unsigned(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = int64_t(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ", int(y), m, d, int(secs / 3600), int(secs / 60 % 60),
                int(secs % 60));
  return buf;
}

std::string sigv4_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                              std::string_view service) {
  std::string k = "AWS4";
  k.append(secret);
  std::string kdate = hmac_sha256(k, date);
  std::string kregion = hmac_sha256(kdate, region);
  std::string kservice = hmac_sha256(kregion, service);
  return hmac_sha256(kservice, kTerminator);
}

SigV4Verifier::SigV4Verifier(SigV4Options opts, SecretLookup lookup) : opts_(std::move(opts)), lookup_(std::move(lookup)) {}

std::string SigV4Verifier::signing_key(std::string_view akid, std::string_view secret, std::string_view date,
                                       std::string_view region, std::string_view service, int64_t now_s) const {
  std::string id;
  id.reserve(akid.size() + date.size() + region.size() + service.size() + 3);
  id.append(akid).append("/").append(date).append("/").append(region).append("/").append(service);
  std::string digest = sha256_raw(secret);
  {
    std::lock_guard lk(mu_);
    auto it = cache_.find(id);
    if (it != cache_.end() && it->second.secret_digest == digest && now_s - it->second.created_s < 86400 &&
        now_s >= it->second.created_s)
      return it->second.key;
  }
  std::string key = sigv4_signing_key(secret, date, region, service);
  std::lock_guard lk(mu_);
  if (cache_.size() >= 4096) {
    std::erase_if(cache_, [&](const auto& kv) { return now_s - kv.second.created_s >= 86400; });
    if (cache_.size() >= 4096) cache_.clear();  // bounded whatever clients send
  }
  cache_[id] = CachedKey{key, std::move(digest), now_s};
  return key;
}

void SigV4Verifier::forget(std::string_view akid) const {
  std::lock_guard lk(mu_);
  std::string prefix = std::string(akid) + "/";
  std::erase_if(cache_, [&](const auto& kv) { return kv.first.starts_with(prefix); });
}

size_t SigV4Verifier::cached_keys() const {
  std::lock_guard lk(mu_);
  return cache_.size();
}

Result<SigV4Identity> SigV4Verifier::verify(const HttpRequest& req, WallTime now, SigV4Debug* debug) const {
  // 1. Find the credentials.
  const size_t n_authz = req.header_count("Authorization");
  std::vector<QueryParam> qs = split_query(req.query);
  const bool presigned = query_has(qs, "X-Amz-Signature") || query_has(qs, "X-Amz-Credential") ||
                         query_has(qs, "X-Amz-Algorithm");
  if (n_authz == 0 && !presigned)
    return err(Code::MissingAuthenticationToken,
               "Request is missing Authentication Token: sign it with AWS Signature Version 4 (any AWS SDK or CLI does)");
  if (n_authz > 0 && presigned)
    return incomplete("The request carries both an Authorization header and presigned query parameters; use one");
  if (n_authz > 1) return incomplete("The request carries more than one Authorization header");

  // 2. Parse.
  SigV4Params p;
  if (presigned) {
    EBB_TRY(p, parse_presigned(qs));
  } else {
    EBB_TRY(p, parse_authorization(req.header("Authorization")));
  }

  // 3. Required signed headers.
  auto is_signed = [&](std::string_view name) {
    return std::binary_search(p.signed_names.begin(), p.signed_names.end(), name);
  };
  if (!is_signed("host")) return incomplete("'host' must be among the SignedHeaders");
  for (std::string_view h : {"x-amz-date", "x-amz-target", "x-amz-security-token"})
    if (req.has_header(h) && !is_signed(h))
      return incomplete("'" + std::string(h) + "' is present in the request and must be among the SignedHeaders");
  for (const std::string& name : p.signed_names)
    if (!req.has_header(name))
      return incomplete("SignedHeaders names '" + name + "', which the request does not carry");

  // 4. Timestamp.
  std::string amz_date;
  std::optional<int64_t> ts;
  if (presigned) {
    amz_date = p.amz_date;
    ts = parse_amz_date(amz_date);
    if (!ts) return incomplete("X-Amz-Date must be YYYYMMDDTHHMMSSZ");
  } else if (req.has_header("X-Amz-Date")) {
    amz_date = std::string(req.header("X-Amz-Date"));
    ts = parse_amz_date(amz_date);
    if (!ts) return incomplete("X-Amz-Date must be YYYYMMDDTHHMMSSZ");
  } else if (req.has_header("Date")) {
    ts = parse_imf_fixdate(req.header("Date"));
    if (!ts) return incomplete("the Date header is not an IMF-fixdate (e.g. 'Sun, 06 Nov 1994 08:49:37 GMT')");
    amz_date = format_amz_date(*ts);
  } else {
    return incomplete("Authorization requires an X-Amz-Date or Date header");
  }

  // 5. Scope.
  if (p.date != std::string_view(amz_date).substr(0, 8))
    return mismatch("Credential should be scoped to a valid date: '" + p.date + "' is not the request date '" +
                    amz_date.substr(0, 8) + "'");
  if (std::find(opts_.regions.begin(), opts_.regions.end(), p.region) == opts_.regions.end())
    return mismatch("Credential should be scoped to a valid region: '" + p.region + "' is not served here (serving " +
                    opts_.regions.front() + ")");
  if (p.service != opts_.service)
    return mismatch("Credential should be scoped to the correct service: '" + opts_.service + "', not '" +
                    p.service + "'");
  if (p.terminator != kTerminator)
    return mismatch("Credential should be scoped with a valid terminator: 'aws4_request', not '" + p.terminator + "'");

  // 6. Clock skew (and presigned expiry).
  const int64_t now_s = std::chrono::floor<std::chrono::seconds>(now).time_since_epoch().count();
  const int64_t skew = opts_.max_skew.count();
  if (presigned) {
    if (p.expires < 1 || p.expires > opts_.max_presign_expiry.count())
      return incomplete("X-Amz-Expires must be between 1 and " + std::to_string(opts_.max_presign_expiry.count()));
    if (*ts > now_s + skew)
      return mismatch("Signature not yet current: " + amz_date + " is still later than " +
                      format_amz_date(now_s + skew) + " (" + format_amz_date(now_s) + " + 15 min.)");
    if (now_s > *ts + p.expires)
      return mismatch("Signature expired: the presigned request expired at " + format_amz_date(*ts + p.expires) +
                      " (" + amz_date + " + " + std::to_string(p.expires) + " s); it is now " +
                      format_amz_date(now_s));
  } else {
    if (*ts < now_s - skew)
      return mismatch("Signature expired: " + amz_date + " is now earlier than " + format_amz_date(now_s - skew) +
                      " (" + format_amz_date(now_s) + " - 15 min.)");
    if (*ts > now_s + skew)
      return mismatch("Signature not yet current: " + amz_date + " is still later than " +
                      format_amz_date(now_s + skew) + " (" + format_amz_date(now_s) + " + 15 min.)");
  }

  // 7. Access key.
  if (req.has_header("X-Amz-Security-Token") || query_has(qs, "X-Amz-Security-Token"))
    return err(Code::InvalidClientTokenId,
               "The security token included in the request is invalid: ebb issues no temporary credentials");
  std::optional<std::string> secret = lookup_ ? lookup_(p.access_key_id) : std::nullopt;
  if (!secret) return err(Code::InvalidClientTokenId, "The security token included in the request is invalid.");

  // 8. Canonical request.
  std::string payload_hash = sha256_hex(req.body);
  if (req.has_header("X-Amz-Content-Sha256")) {
    std::string_view claimed = req.header("X-Amz-Content-Sha256");
    if (claimed == "UNSIGNED-PAYLOAD")
      return mismatch("UNSIGNED-PAYLOAD is not accepted: sign the body's SHA-256");
    if (claimed != payload_hash)
      return mismatch("The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  auto cquery = sigv4_canonical_query(req.query, presigned ? "X-Amz-Signature" : "");
  if (!cquery) return incomplete("the query string has a malformed percent escape");
  std::string creq;
  creq.reserve(256 + req.path.size() + req.query.size());
  creq.append(req.method).append("\n").append(sigv4_canonical_uri(req.path)).append("\n").append(*cquery).append("\n");
  for (const std::string& name : p.signed_names) {
    creq.append(name).append(":");
    creq.append(sigv4_canonical_header_value(req, name));
    creq.append("\n");
  }
  creq.append("\n").append(p.signed_headers).append("\n").append(payload_hash);

  // 9. String to sign.
  std::string sts;
  sts.reserve(160);
  sts.append(kAlgorithm).append("\n").append(amz_date).append("\n").append(scope_of(p)).append("\n");
  sts.append(sha256_hex(creq));
  if (debug) {
    debug->canonical_request = creq;
    debug->string_to_sign = sts;
  }

  // 10–11. Signing key (cached) and constant-time compare.
  std::string key = signing_key(p.access_key_id, *secret, p.date, p.region, p.service, now_s);
  std::string expected = hex_encode(hmac_sha256(key, sts));
  if (!constant_time_equal(expected, p.signature)) return mismatch(std::string(kMismatch));
  return SigV4Identity{p.access_key_id, presigned};
}

void sigv4_sign(HttpRequest& req, std::string_view access_key_id, std::string_view secret, std::string_view region,
                std::string_view service, int64_t now_s) {
  std::string amz_date = format_amz_date(now_s);
  std::erase_if(req.headers, [](const auto& kv) { return iequals(kv.first, "X-Amz-Date") || iequals(kv.first, "Authorization"); });
  req.headers.emplace_back("X-Amz-Date", amz_date);
  std::vector<std::string> names{"host", "x-amz-date"};
  for (std::string_view h : {"content-type", "x-amz-target", "x-amz-content-sha256"})
    if (req.has_header(h)) names.emplace_back(h);
  std::sort(names.begin(), names.end());
  std::string signed_headers;
  for (auto& n : names) signed_headers += (signed_headers.empty() ? "" : ";") + n;
  std::string creq = req.method + "\n" + sigv4_canonical_uri(req.path) + "\n" +
                     sigv4_canonical_query(req.query).value_or("") + "\n";
  for (auto& n : names) creq += n + ":" + sigv4_canonical_header_value(req, n) + "\n";
  creq += "\n" + signed_headers + "\n" + sha256_hex(req.body);
  std::string date = amz_date.substr(0, 8);
  std::string scope = date + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  std::string sts = std::string(kAlgorithm) + "\n" + amz_date + "\n" + scope + "\n" + sha256_hex(creq);
  std::string sig = hex_encode(hmac_sha256(sigv4_signing_key(secret, date, region, service), sts));
  req.headers.emplace_back("Authorization", std::string(kAlgorithm) + " Credential=" + std::string(access_key_id) + "/" +
                                                scope + ", SignedHeaders=" + signed_headers + ", Signature=" + sig);
}

}  // namespace ebb::http

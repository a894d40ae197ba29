// SigV4 verification (reliability.md §3): AWS's published test-suite vectors
// (aws-sig-v4-test-suite, credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z, region
// us-east-1, service "service"), then every step of the §3.2 check order.
#include "api/http/sigv4.h"

#include <gtest/gtest.h>

#include "base/crypto.h"

namespace ebb::http {
namespace {

constexpr std::string_view kAkid = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr int64_t kVectorTime = 1440938160;  // 2015-08-30T12:36:00Z

WallTime at(int64_t s) { return WallTime(std::chrono::seconds(s)); }

SigV4Verifier vector_verifier(std::string service = "service") {
  SigV4Options o;
  o.service = std::move(service);
  return SigV4Verifier(o, [](std::string_view id) -> std::optional<std::string> {
    if (id == kAkid) return std::string(kSecret);
    return std::nullopt;
  });
}

HttpRequest vector_request(std::string method, std::string target, std::string signed_headers, std::string sig) {
  HttpRequest r;
  r.method = std::move(method);
  r.target = target;
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  r.query = q == std::string::npos ? "" : target.substr(q + 1);
  r.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  r.headers.emplace_back("Authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                         "SignedHeaders=" + signed_headers + ", Signature=" + sig);
  return r;
}

void expect_ok(const SigV4Verifier& v, const HttpRequest& r, int64_t now = kVectorTime) {
  SigV4Debug dbg;
  auto res = v.verify(r, at(now), &dbg);
  ASSERT_TRUE(res.ok()) << res.error().message << "\n--- canonical request\n"
                        << dbg.canonical_request << "\n--- string to sign\n"
                        << dbg.string_to_sign;
  EXPECT_EQ(res->access_key_id, kAkid);
}

Code code_of(const SigV4Verifier& v, const HttpRequest& r, int64_t now = kVectorTime) {
  auto res = v.verify(r, at(now));
  EXPECT_FALSE(res.ok()) << "expected a failure";
  return res.ok() ? Code::InternalError : res.error().code;
}

std::string message_of(const SigV4Verifier& v, const HttpRequest& r, int64_t now = kVectorTime) {
  auto res = v.verify(r, at(now));
  return res.ok() ? std::string("(accepted)") : res.error().message;
}

// ---------------------------------------------------------------- AWS vectors

TEST(SigV4Vectors, GetVanilla) {
  expect_ok(vector_verifier(), vector_request("GET", "/", "host;x-amz-date",
                                              "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(SigV4Vectors, GetVanillaQueryOrderKeyCase) {
  expect_ok(vector_verifier(), vector_request("GET", "/?Param2=value2&Param1=value1", "host;x-amz-date",
                                              "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(SigV4Vectors, GetUtf8Path) {
  expect_ok(vector_verifier(), vector_request("GET", "/\xE1\x88\xB4", "host;x-amz-date",
                                              "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"));
}

TEST(SigV4Vectors, GetSlashDotSlashAndRelativeRelative) {
  // Dot segments are removed before encoding: both canonicalise to "/".
  const char* sig = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
  expect_ok(vector_verifier(), vector_request("GET", "/./", "host;x-amz-date", sig));
  expect_ok(vector_verifier(), vector_request("GET", "/example1/example2/../..", "host;x-amz-date", sig));
}

TEST(SigV4Vectors, GetSpace) {
  expect_ok(vector_verifier(), vector_request("GET", "/example space/", "host;x-amz-date",
                                              "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"));
}

TEST(SigV4Vectors, GetVanillaQueryUnreserved) {
  std::string u = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  expect_ok(vector_verifier(), vector_request("GET", "/?" + u + "=" + u, "host;x-amz-date",
                                              "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"));
}

TEST(SigV4Vectors, PostVanilla) {
  expect_ok(vector_verifier(), vector_request("POST", "/", "host;x-amz-date",
                                              "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
}

TEST(SigV4Vectors, PostXWwwFormUrlencoded) {
  auto r = vector_request("POST", "/", "content-type;host;x-amz-date",
                          "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
  r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  r.body = "Param1=value1";
  expect_ok(vector_verifier(), r);
}

TEST(SigV4Vectors, SigningKeyDerivation) {
  // The derived key of AWS's "derive the signing key" example (20150830/us-east-1/iam).
  EXPECT_EQ(hex_encode(sigv4_signing_key(kSecret, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

// ---------------------------------------------------------------- canonical pieces

TEST(SigV4Canonical, UriDoubleEncodesAndNormalises) {
  EXPECT_EQ(sigv4_canonical_uri(""), "/");
  EXPECT_EQ(sigv4_canonical_uri("/"), "/");
  EXPECT_EQ(sigv4_canonical_uri("/000000000000/q1"), "/000000000000/q1");
  EXPECT_EQ(sigv4_canonical_uri("/a%2Fb"), "/a%252Fb");
  EXPECT_EQ(sigv4_canonical_uri("/a/./b/../c/"), "/a/c/");
  EXPECT_EQ(sigv4_canonical_uri("/a b"), "/a%20b");
}

TEST(SigV4Canonical, QuerySortsDecodesAndKeepsPlusLiteral) {
  EXPECT_EQ(*sigv4_canonical_query("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(*sigv4_canonical_query("a=x+y&b=%7e&c"), "a=x%2By&b=~&c=");
  EXPECT_EQ(*sigv4_canonical_query("a=1&X-Amz-Signature=ff", "X-Amz-Signature"), "a=1");
  EXPECT_EQ(*sigv4_canonical_query(""), "");
  EXPECT_FALSE(sigv4_canonical_query("a=%zz"));
  EXPECT_FALSE(sigv4_canonical_query("a=%4"));
}

TEST(SigV4Canonical, HeaderValuesTrimmedCollapsedJoined) {
  HttpRequest r;
  r.headers = {{"My-Header1", "  value1  "}, {"my-header2", "\"a   b   c\""}, {"MY-HEADER1", "value2"}};
  EXPECT_EQ(sigv4_canonical_header_value(r, "my-header1"), "value1,value2");
  EXPECT_EQ(sigv4_canonical_header_value(r, "my-header2"), "\"a b c\"");
}

TEST(SigV4Canonical, Dates) {
  EXPECT_EQ(parse_amz_date("20150830T123600Z"), kVectorTime);
  EXPECT_EQ(format_amz_date(kVectorTime), "20150830T123600Z");
  EXPECT_EQ(parse_imf_fixdate("Sun, 30 Aug 2015 12:36:00 GMT"), kVectorTime);
  EXPECT_FALSE(parse_amz_date("20150830T123600"));
  EXPECT_FALSE(parse_amz_date("20150230T123600Z"));  // 30 February
  EXPECT_FALSE(parse_amz_date("2015-08-30T12:36:00Z"));
  EXPECT_FALSE(parse_imf_fixdate("Sun, 30 Aug 2015 12:36:00 UTC"));
  EXPECT_EQ(format_amz_date(951782400), "20000229T000000Z");
}

// ---------------------------------------------------------------- check order

TEST(SigV4Order, NoSignatureIsMissingAuthenticationToken) {
  HttpRequest r;
  r.method = "GET";
  r.path = "/";
  r.headers = {{"Host", "h"}};
  EXPECT_EQ(code_of(vector_verifier(), r), Code::MissingAuthenticationToken);
}

TEST(SigV4Order, MalformedHeadersAreIncompleteSignature) {
  const char* good_sig = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
  for (std::string h : {
           std::string("AWS4-HMAC-SHA1 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                       "SignedHeaders=host;x-amz-date, Signature=") + good_sig,
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service, "
                       "SignedHeaders=host;x-amz-date, Signature=") + good_sig,
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                       "SignedHeaders=x-amz-date;host, Signature=") + good_sig,
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                       "SignedHeaders=host;host;x-amz-date, Signature=") + good_sig,
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                       "SignedHeaders=Host;x-amz-date, Signature=") + good_sig,
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                       "SignedHeaders=host;x-amz-date, Signature=5FA00FA31553B73EBF1942676E86291E8372FF2A2260956D9B8AAE1D763FBF31"),
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                       "SignedHeaders=host;x-amz-date"),
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                       "Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                       "SignedHeaders=host;x-amz-date, Signature=") + good_sig,
           std::string("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/2015083/us-east-1/service/aws4_request, "
                       "SignedHeaders=host;x-amz-date, Signature=") + good_sig,
           std::string("AWS4-HMAC-SHA256"),
       }) {
    HttpRequest r = vector_request("GET", "/", "host;x-amz-date", good_sig);
    r.headers.back().second = h;
    EXPECT_EQ(code_of(vector_verifier(), r), Code::IncompleteSignature) << h;
  }
}

TEST(SigV4Order, RequiredSignedHeaders) {
  auto v = vector_verifier();
  // host not signed
  auto r = vector_request("GET", "/", "x-amz-date", std::string(64, 'a'));
  EXPECT_EQ(code_of(v, r), Code::IncompleteSignature);
  EXPECT_NE(message_of(v, r).find("host"), std::string::npos);
  // x-amz-target present but unsigned
  r = vector_request("POST", "/", "host;x-amz-date", std::string(64, 'a'));
  r.headers.emplace_back("X-Amz-Target", "AmazonSQS.ListQueues");
  EXPECT_EQ(code_of(v, r), Code::IncompleteSignature);
  EXPECT_NE(message_of(v, r).find("x-amz-target"), std::string::npos);
  // a signed header that is absent
  r = vector_request("GET", "/", "host;x-amz-date;x-foo", std::string(64, 'a'));
  EXPECT_EQ(code_of(v, r), Code::IncompleteSignature);
}

TEST(SigV4Order, Timestamps) {
  auto v = vector_verifier();
  auto r = vector_request("GET", "/", "host;x-amz-date", std::string(64, 'a'));
  r.headers[1].second = "2015-08-30T12:36:00Z";
  EXPECT_EQ(code_of(v, r), Code::IncompleteSignature);
  // Date header instead of X-Amz-Date (signed as "date").
  r = vector_request("GET", "/", "date;host", std::string(64, 'a'));
  r.headers.erase(r.headers.begin() + 1);
  r.headers.emplace_back("Date", "yesterday");
  EXPECT_EQ(code_of(v, r), Code::IncompleteSignature);
  r.headers.back().second = "Sun, 30 Aug 2015 12:36:00 GMT";
  EXPECT_EQ(code_of(v, r), Code::SignatureDoesNotMatch);  // parsed; only the signature is wrong now
}

TEST(SigV4Order, ScopeNamesTheWrongPart) {
  auto v = vector_verifier();
  auto with_cred = [](std::string cred) {
    auto r = vector_request("GET", "/", "host;x-amz-date", std::string(64, 'a'));
    r.headers.back().second =
        "AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=host;x-amz-date, Signature=" + std::string(64, 'a');
    return r;
  };
  auto r = with_cred("AKIDEXAMPLE/20150831/us-east-1/service/aws4_request");
  EXPECT_EQ(code_of(v, r), Code::SignatureDoesNotMatch);
  EXPECT_NE(message_of(v, r).find("date"), std::string::npos);
  r = with_cred("AKIDEXAMPLE/20150830/eu-west-1/service/aws4_request");
  EXPECT_NE(message_of(v, r).find("region"), std::string::npos);
  r = with_cred("AKIDEXAMPLE/20150830/us-east-1/sqs/aws4_request");
  EXPECT_NE(message_of(v, r).find("service"), std::string::npos);
  r = with_cred("AKIDEXAMPLE/20150830/us-east-1/service/aws5_request");
  EXPECT_NE(message_of(v, r).find("terminator"), std::string::npos);
  // Scope is checked before the key: an unknown key with a wrong region is a scope error.
  r = with_cred("NOBODY/20150830/eu-west-1/service/aws4_request");
  EXPECT_EQ(code_of(v, r), Code::SignatureDoesNotMatch);
}

TEST(SigV4Order, ClockSkewBothWays) {
  auto v = vector_verifier();
  auto r = vector_request("GET", "/", "host;x-amz-date",
                          "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  expect_ok(v, r, kVectorTime + 900);
  expect_ok(v, r, kVectorTime - 900);
  EXPECT_EQ(code_of(v, r, kVectorTime + 901), Code::SignatureDoesNotMatch);
  EXPECT_EQ(message_of(v, r, kVectorTime + 901),
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)");
  EXPECT_EQ(message_of(v, r, kVectorTime - 901),
            "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 "
            "min.)");
}

TEST(SigV4Order, UnknownKeyAndSessionToken) {
  auto v = vector_verifier();
  auto r = vector_request("GET", "/", "host;x-amz-date", std::string(64, 'a'));
  r.headers.back().second = "AWS4-HMAC-SHA256 Credential=NOBODY/20150830/us-east-1/service/aws4_request, "
                            "SignedHeaders=host;x-amz-date, Signature=" + std::string(64, 'a');
  EXPECT_EQ(code_of(v, r), Code::InvalidClientTokenId);
  r = vector_request("GET", "/", "host;x-amz-date;x-amz-security-token",
                     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  r.headers.emplace_back("X-Amz-Security-Token", "tok");
  EXPECT_EQ(code_of(v, r), Code::InvalidClientTokenId);
}

TEST(SigV4Order, TamperingIsSignatureDoesNotMatch) {
  auto v = vector_verifier();
  auto base = vector_request("POST", "/", "content-type;host;x-amz-date",
                             "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
  base.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  base.body = "Param1=value1";
  expect_ok(v, base);
  auto r = base;
  r.body = "Param1=value2";
  EXPECT_EQ(code_of(v, r), Code::SignatureDoesNotMatch);
  r = base;
  r.query = "extra=1";
  EXPECT_EQ(code_of(v, r), Code::SignatureDoesNotMatch);
  r = base;
  r.method = "PUT";
  EXPECT_EQ(code_of(v, r), Code::SignatureDoesNotMatch);
  r = base;
  r.headers.emplace_back("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD");
  EXPECT_EQ(code_of(v, r), Code::SignatureDoesNotMatch);
  r = base;
  r.headers.emplace_back("X-Amz-Content-Sha256", sha256_hex("other"));
  EXPECT_EQ(code_of(v, r), Code::SignatureDoesNotMatch);
  r = base;
  r.headers.emplace_back("X-Amz-Content-Sha256", sha256_hex(base.body));
  expect_ok(v, r);  // a correct, unsigned x-amz-content-sha256 is fine
  // A wrong secret.
  SigV4Verifier wrong(SigV4Options{{"us-east-1"}, "service"},
                      [](std::string_view) -> std::optional<std::string> { return std::string("not-the-secret"); });
  EXPECT_EQ(code_of(wrong, base), Code::SignatureDoesNotMatch);
}

TEST(SigV4Order, BothFormsAreIncomplete) {
  auto r = vector_request("GET", "/?X-Amz-Signature=" + std::string(64, 'a'), "host;x-amz-date", std::string(64, 'a'));
  EXPECT_EQ(code_of(vector_verifier(), r), Code::IncompleteSignature);
}

// ---------------------------------------------------------------- presigned form

HttpRequest presigned(const std::string& extra, int64_t expires, int64_t t) {
  // Build a presigned URL the way SDKs do, signing with the verifier's own pieces.
  std::string date = format_amz_date(t);
  std::string q = "Action=ListQueues&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F" +
                  date.substr(0, 8) + "%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=" + date +
                  "&X-Amz-Expires=" + std::to_string(expires) + "&X-Amz-SignedHeaders=host" + extra;
  std::string creq = "GET\n/\n" + *sigv4_canonical_query(q) + "\nhost:example.amazonaws.com\n\nhost\n" + sha256_hex("");
  std::string sts = "AWS4-HMAC-SHA256\n" + date + "\n" + date.substr(0, 8) + "/us-east-1/service/aws4_request\n" +
                    sha256_hex(creq);
  std::string sig = hex_encode(hmac_sha256(sigv4_signing_key(kSecret, date.substr(0, 8), "us-east-1", "service"), sts));
  HttpRequest r;
  r.method = "GET";
  r.path = "/";
  r.query = q + "&X-Amz-Signature=" + sig;
  r.headers = {{"Host", "example.amazonaws.com"}};
  return r;
}

TEST(SigV4Presigned, AcceptedWithinExpiryRejectedAfter) {
  auto v = vector_verifier();
  auto r = presigned("", 300, kVectorTime);
  expect_ok(v, r, kVectorTime + 300);
  EXPECT_EQ(code_of(v, r, kVectorTime + 301), Code::SignatureDoesNotMatch);
  EXPECT_NE(message_of(v, r, kVectorTime + 301).find("expired"), std::string::npos);
  EXPECT_EQ(code_of(v, r, kVectorTime - 901), Code::SignatureDoesNotMatch);
  auto tampered = r;
  tampered.query.replace(tampered.query.find("ListQueues"), 10, "PurgeQueue");
  EXPECT_EQ(code_of(v, tampered), Code::SignatureDoesNotMatch);
  auto no_expiry = presigned("", 300, kVectorTime);
  no_expiry.query.replace(no_expiry.query.find("&X-Amz-Expires=300"), 18, "");
  EXPECT_EQ(code_of(v, no_expiry), Code::IncompleteSignature);
  EXPECT_EQ(code_of(v, presigned("", 604801, kVectorTime)), Code::IncompleteSignature);
}

// ---------------------------------------------------------------- signer and cache

TEST(SigV4Sign, SignerOutputVerifiesAndKeysAreCached) {
  auto v = vector_verifier("sqs");
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  r.headers = {{"Host", "127.0.0.1:9324"}, {"Content-Type", "application/x-amz-json-1.0"},
               {"X-Amz-Target", "AmazonSQS.ListQueues"}};
  r.body = "{}";
  sigv4_sign(r, kAkid, kSecret, "us-east-1", "sqs", kVectorTime);
  expect_ok(v, r);
  expect_ok(v, r);
  EXPECT_EQ(v.cached_keys(), 1u);
  v.forget(kAkid);
  EXPECT_EQ(v.cached_keys(), 0u);
  auto tampered = r;
  tampered.headers[2].second = "AmazonSQS.DeleteQueue";
  EXPECT_EQ(code_of(v, tampered), Code::SignatureDoesNotMatch);
}

}  // namespace
}  // namespace ebb::http

// parse_documents / parse_file: YAML and JSON input, strictness (reliability.md §5.4).
#include <gtest/gtest.h>

#include "manifest/manifest.h"
#include "test_util.h"

namespace ebb::manifest {
namespace {

using testing::errors_of;
using testing::has_error;
using testing::queue_doc;

TEST(Parse, SeveralDocumentsSkippingEmptyOnes) {
  auto docs = parse_documents("---\n" + queue_doc("a") + "---\n# only a comment\n---\n" + queue_doc("b") + "---\n",
                              "f.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[1]["metadata"]["name"], "b");
}

TEST(Parse, DocumentEndMarkerAndDirectives) {
  auto docs = parse_documents("%YAML 1.2\n---\n" + queue_doc("a") + "...\n---\n" + queue_doc("b"), "f.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  EXPECT_EQ(docs->size(), 2u);
}

TEST(Parse, JsonDocument) {
  auto docs = parse_documents(R"({"apiVersion":"ebb/v1","kind":"Queue","metadata":{"name":"j"},
                                  "spec":{"visibilityTimeoutSeconds":30}})",
                              "f.json");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  EXPECT_EQ((*docs)[0]["spec"]["visibilityTimeoutSeconds"], 30);
}

TEST(Parse, JsonNumbersFollowJsonGrammar) {
  auto docs = parse_documents(R"({"a":1.5e3,"b":-0.25,"c":true,"d":null})", "f.json");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  EXPECT_EQ((*docs)[0]["a"], 1500.0);
  EXPECT_TRUE((*docs)[0]["d"].is_null());
}

TEST(Parse, JsonDuplicateKeyRejected) {
  auto docs = parse_documents(R"({"a":1,
  "a":2})", "f.json");
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.error().message.find("line 2, column 3: duplicate key \"a\" (first at line 1, column 2)"),
            std::string::npos)
      << docs.error().message;
}

TEST(Parse, DuplicateKeyRejectedWithLineAndColumn) {
  std::string y = "apiVersion: ebb/v1\nkind: Queue\nmetadata:\n  name: a\n  name: b\n";
  EXPECT_TRUE(has_error(y, "m.yaml document 1: line 5, column 3: metadata: duplicate key \"name\" (first at line 4, column 3)"));
}

TEST(Parse, LineNumbersCountFromTheWholeFile) {
  std::string y = queue_doc("a") + "---\n" + queue_doc("b") + "spec:\n  delaySeconds: 0755\n";
  EXPECT_TRUE(has_error(y, "m.yaml document 2: line 11, column 17: spec.delaySeconds: unquoted 0755"));
}

TEST(Parse, AliasBombRejected) {
  std::string y =
      "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
      "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
      "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
      "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
  auto docs = parse_documents(y, "bomb.yaml");
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.error().message.find("more than 10000 nodes"), std::string::npos) << docs.error().message;
}

TEST(Parse, DeepAliasChainRejectedEvenWhenSmall) {
  std::string y = "a0: &a0 x\n";
  for (int i = 1; i <= 9; ++i) {
    y += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [*a" + std::to_string(i - 1) + "]\n";
  }
  auto docs = parse_documents(y, "deep.yaml");
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.error().message.find("aliases nested 8 deep"), std::string::npos) << docs.error().message;
}

TEST(Parse, SmallAliasesAreExpanded) {
  auto docs = parse_documents("labels: &l {app: x}\nother: *l\n", "f.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  EXPECT_EQ((*docs)[0]["other"]["app"], "x");
}

TEST(Parse, RecursiveAliasRejected) {
  EXPECT_FALSE(parse_documents("a: &a [*a]\n", "f.yaml").ok());
}

TEST(Parse, Yaml11LookAlikesMustBeQuoted) {
  for (const char* v : {"on", "yes", "No", "OFF", "y", "0755", "1e3", "0x10", "+5", "12:30", "2025-01-01", "1_000",
                        ".inf"}) {
    SCOPED_TRACE(v);
    std::string y = queue_doc("a") + "  labels:\n    team: " + v + "\n";
    EXPECT_TRUE(has_error(y, std::string("hint: quote the value: \"") + v + "\""));
  }
}

TEST(Parse, QuotedLookAlikesAreStrings) {
  auto docs = parse_documents("a: \"on\"\nb: '0755'\nc: !!str yes\n", "f.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  EXPECT_EQ((*docs)[0]["a"], "on");
  EXPECT_EQ((*docs)[0]["b"], "0755");
  EXPECT_EQ((*docs)[0]["c"], "yes");
}

TEST(Parse, PlainScalarsBothYamlVersionsAgreeOn) {
  auto docs = parse_documents("i: 42\nn: -7\nf: 0.5\nt: true\nz: ~\ne:\ns: hello world\nq: 500m\n", "f.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  const auto& d = (*docs)[0];
  EXPECT_EQ(d["i"], 42);
  EXPECT_EQ(d["n"], -7);
  EXPECT_EQ(d["f"], 0.5);
  EXPECT_EQ(d["t"], true);
  EXPECT_TRUE(d["z"].is_null());
  EXPECT_TRUE(d["e"].is_null());
  EXPECT_EQ(d["s"], "hello world");
  EXPECT_EQ(d["q"], "500m");
}

TEST(Parse, UnsupportedTagRejected) {
  EXPECT_FALSE(parse_documents("a: !!binary aGVsbG8=\n", "f.yaml").ok());
  EXPECT_FALSE(parse_documents("a: !custom x\n", "f.yaml").ok());
}

TEST(Parse, SyntaxErrorNamesTheLine) {
  auto docs = parse_documents("a: 1\nb: [1, 2\n", "bad.yaml");
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.error().message.find("bad.yaml document 1: line"), std::string::npos) << docs.error().message;
}

TEST(Parse, HostileStreamsDoNotHang) {
  // jbeder/yaml-cpp#1040: LoadAll spins on these.
  for (const char* y : {",", "- x\n,", "[", "{", "]", "&a", "*a", "? ? ?", "\t- a", "a: b: c"}) {
    SCOPED_TRACE(y);
    (void)parse_documents(y, "h.yaml");
  }
}

TEST(Parse, DeepNestingRejected) {
  EXPECT_FALSE(parse_documents(std::string(1000, '[') + std::string(1000, ']'), "deep.yaml").ok());
}

TEST(Parse, InvalidUtf8Rejected) {
  auto docs = parse_documents("a: \"\xC0\xAF\"\n", "f.yaml");
  ASSERT_FALSE(docs.ok());
  EXPECT_NE(docs.error().message.find("not valid UTF-8"), std::string::npos) << docs.error().message;
}

TEST(Parse, ListIsExpanded) {
  std::string y =
      "apiVersion: v1\nkind: List\nitems:\n"
      "- {apiVersion: ebb/v1, kind: Queue, metadata: {name: a}}\n"
      "- {apiVersion: ebb/v1, kind: Queue, metadata: {name: b}}\n";
  auto docs = parse_file(y, "l.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  ASSERT_EQ(docs->size(), 2u);
  EXPECT_EQ((*docs)[1].origin, "l.yaml document 1 items[1]");
  EXPECT_EQ((*docs)[1].doc["metadata"]["name"], "b");
}

TEST(Parse, ListInsideListRejected) {
  std::string y = "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: List, items: []}\n";
  EXPECT_FALSE(parse_file(y, "l.yaml").ok());
}

TEST(Parse, NonMapDocumentRejected) {
  EXPECT_FALSE(parse_documents("- a\n- b\n", "f.yaml").ok());
  EXPECT_FALSE(parse_documents("just text\n", "f.yaml").ok());
}

TEST(Parse, EmptyFileRejected) { EXPECT_FALSE(parse_documents("# nothing\n", "f.yaml").ok()); }

TEST(Parse, OversizedTextRejected) {
  EXPECT_FALSE(parse_documents(std::string(kMaxManifestBytes + 1, ' '), "big.yaml").ok());
}

TEST(Parse, AllErrorsOfAFileAreReported) {
  std::string e = errors_of("a: on\n---\nb: off\n");
  EXPECT_NE(e.find("document 1"), std::string::npos) << e;
  EXPECT_NE(e.find("document 2"), std::string::npos) << e;
}

}  // namespace
}  // namespace ebb::manifest

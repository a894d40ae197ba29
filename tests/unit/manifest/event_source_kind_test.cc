// kind: EventSource validation (event_source_kind.h, reliability.md §5.4).
#include <gtest/gtest.h>

#include "manifest/event_source_kind.h"
#include "manifest/manifest.h"
#include "test_util.h"

namespace ebb::manifest {
namespace {

using testing::errors_of;
using testing::has_error;

std::string source(std::string_view spec_lines) {
  return "apiVersion: ebb/v1\nkind: EventSource\nmetadata: {name: uploads}\nspec:\n" + std::string(spec_lines);
}

TEST(EventSource, ValidDocuments) {
  auto docs = parse_file(source("  directory: /srv/uploads\n  queue: thumbnails\n"), "m.yaml");
  ASSERT_TRUE(docs.ok()) << docs.error().message;
  auto v = validate_all(*docs);
  ASSERT_TRUE(v.ok()) << v.error().message;
  EXPECT_EQ((*v)[0].kind, "EventSource");
  EXPECT_EQ((*v)[0].name, "uploads");
  EXPECT_FALSE((*v)[0].doc["spec"].contains("body"));  // defaults not filled in

  EXPECT_EQ(errors_of(source("  directory: /srv/uploads/\n  queue: q.fifo\n  body: simple\n  bucket: photos\n"
                             "  include: [\"*.jpg\", \"*.[Pp][Nn][Gg]\"]\n  ignoreHidden: false\n")),
            "");
  EXPECT_EQ(event_source_defaults()["body"], "s3");
  EXPECT_EQ(event_source_defaults()["ignoreHidden"], true);
}

struct Case {
  const char* name;
  std::string yaml;
  std::string want;
};

TEST(EventSource, InvalidDocuments) {
  const Case cases[] = {
      {.name = "no spec", .yaml = "apiVersion: ebb/v1\nkind: EventSource\nmetadata: {name: s}\n", .want = "spec: required"},
      {.name = "no directory", .yaml = source("  queue: q\n"), .want = "spec.directory: required field is missing"},
      {.name = "no queue", .yaml = source("  directory: /d\n"), .want = "spec.queue: required field is missing"},
      {.name = "relative directory", .yaml = source("  directory: d\n  queue: q\n"),
       .want = "spec.directory: must be an absolute path"},
      {.name = "directory with ..", .yaml = source("  directory: /srv/..\n  queue: q\n"),
       .want = "spec.directory: must not contain \"..\""},
      {.name = "directory with NUL", .yaml = source("  directory: \"/srv/a\\0b\"\n  queue: q\n"),
       .want = "spec.directory: must not contain a NUL character"},
      {.name = "bad queue", .yaml = source("  directory: /d\n  queue: Q\n"), .want = "spec.queue: queue name \"Q\""},
      {.name = "bad body", .yaml = source("  directory: /d\n  queue: q\n  body: json\n"),
       .want = "spec.body: must be one of s3, simple, got \"json\""},
      {.name = "empty bucket", .yaml = source("  directory: /d\n  queue: q\n  bucket: \"\"\n"),
       .want = "spec.bucket: must be 1 to 1024 characters"},
      {.name = "include not a list", .yaml = source("  directory: /d\n  queue: q\n  include: \"*.jpg\"\n"),
       .want = "spec.include: must be a list of file name patterns"},
      {.name = "include with slash", .yaml = source("  directory: /d\n  queue: q\n  include: [\"a/*.jpg\"]\n"),
       .want = "spec.include[0]: matches file names only; must not contain '/'"},
      {.name = "include empty pattern", .yaml = source("  directory: /d\n  queue: q\n  include: [\"*.jpg\", \"\"]\n"),
       .want = "spec.include[1]: must not be empty"},
      {.name = "ignoreHidden not bool", .yaml = source("  directory: /d\n  queue: q\n  ignoreHidden: \"yes\"\n"),
       .want = "spec.ignoreHidden: must be true or false"},
      {.name = "recursive unknown", .yaml = source("  directory: /d\n  queue: q\n  recursive: true\n"),
       .want = "spec.recursive: unknown field"},
      {.name = "bad name", .yaml = "apiVersion: ebb/v1\nkind: EventSource\nmetadata: {name: Up}\nspec: {directory: /d, queue: q}\n",
       .want = "metadata.name: name \"Up\" is not a valid DNS-1123 name"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(has_error(c.yaml, c.want));
  }
}

}  // namespace
}  // namespace ebb::manifest

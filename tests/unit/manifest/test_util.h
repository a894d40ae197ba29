// Helpers for the manifest tests: parse + validate a YAML text in one call and look
// for an expected fragment among the error lines.
#pragma once
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "manifest/manifest.h"

namespace ebb::manifest::testing {

// Every error of parse_file + validate_all, one per line; "" when the text is valid.
inline std::string errors_of(std::string_view yaml) {
  auto docs = parse_file(yaml, "m.yaml");
  if (!docs.ok()) return docs.error().message;
  auto v = validate_all(*docs);
  return v.ok() ? "" : v.error().message;
}

inline ::testing::AssertionResult has_error(std::string_view yaml, std::string_view fragment) {
  std::string errors = errors_of(yaml);
  if (errors.find(fragment) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected an error containing [" << fragment << "], got ["
                                       << errors << "]";
}

// A minimal Queue document with `spec_lines` (already indented by two spaces).
inline std::string queue_doc(std::string_view name, std::string_view spec_lines = "") {
  std::string s = "apiVersion: ebb/v1\nkind: Queue\nmetadata:\n  name: " + std::string(name) + "\n";
  if (!spec_lines.empty()) s += "spec:\n" + std::string(spec_lines);
  return s;
}

}  // namespace ebb::manifest::testing

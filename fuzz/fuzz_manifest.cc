// The manifest loader (reliability.md §5.4): YAML/JSON text -> documents (strict:
// duplicate keys, alias bombs, YAML 1.1 look-alikes) -> validation of every kind.
// Invariants: no crash, no unbounded expansion, deterministic.
#include <cstddef>
#include <cstdint>
#include <string>

#include "manifest/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto docs = ebb::manifest::parse_file(text, "fuzz.yaml");
  if (!docs.ok()) return 0;
  auto again = ebb::manifest::parse_file(text, "fuzz.yaml");
  if (!again.ok() || again->size() != docs->size()) __builtin_trap();
  auto v = ebb::manifest::validate_all(*docs);
  (void)v;
  return 0;
}

// Query/form decoding (sqs-api.md §2): percent-decoding of a form body, then the
// indexed-list/map tree built for an action. Invariants: no crash, no unbounded
// allocation (the tree never allocates by attacker index), deterministic result.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/sqs/form_decode.h"
#include "api/sqs/query_tree.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ebb::sqs::FormParams a, b;
  auto s1 = ebb::sqs::decode_form(text, a);
  auto s2 = ebb::sqs::decode_form(text, b);
  if (s1.ok() != s2.ok() || a != b) __builtin_trap();  // deterministic
  if (!s1.ok()) return 0;
  for (const char* action : {"SendMessageBatch", "DeleteMessageBatch", "CreateQueue", "SendMessage",
                             "ChangeMessageVisibilityBatch", "ReceiveMessage", "TagQueue"}) {
    ebb::sqs::FormParams copy = a;
    auto tree = ebb::sqs::build_query_tree(copy, action);
    (void)tree;
  }
  return 0;
}

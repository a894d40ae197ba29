#include "api/sqs/tag_rules.h"

#include "base/utf8.h"

namespace ebb::sqs {

namespace {
constexpr size_t kMaxTags = 50;
Error invalid(std::string m) { return err(Code::InvalidParameterValue, std::move(m)); }
}  // namespace

Status check_tags(const std::map<std::string, std::string>& tags, const std::string& queue) {
  if (tags.size() > kMaxTags) return invalid("Too many tags added for queue " + queue + ".");
  for (const auto& [k, v] : tags) {
    if (!utf8_valid(k) || !utf8_valid(v)) return invalid("Tag keys and values must be valid UTF-8.");
    size_t klen = utf8_length(k);
    if (klen < 1 || klen > 128) return invalid("Tag key must be between 1 and 128 characters in length.");
    if (k.compare(0, 4, "aws:") == 0) return invalid("Tag keys starting with 'aws:' are reserved for AWS use.");
    if (utf8_length(v) > 256) return invalid("Tag value must be at most 256 characters in length.");
  }
  return {};
}

}  // namespace ebb::sqs

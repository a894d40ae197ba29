#include "api/sqs/paging.h"

#include <algorithm>

#include "api/sqs/params.h"
#include "base/crypto.h"

namespace ebb::sqs {

namespace {
constexpr int kDefaultPage = 1000;
}

Status page_queue_urls(const Call& c, const std::vector<std::string>& names, const char* member, bool always_list,
                       Value& result) {
  EBB_TRY(std::optional<int> max, opt_int(c.params, "MaxResults", 1, 1000, "Must be between 1 and 1000, if provided."));
  EBB_TRY(const std::string* token, opt_string(c.params, "NextToken"));
  auto begin = names.begin();
  if (token && !token->empty()) {
    auto last = base64url_decode(*token);
    bool plausible = last && !last->empty() && last->size() <= 80;
    for (char ch : plausible ? *last : std::string())
      plausible = plausible && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                                ch == '_' || ch == '-' || ch == '.');
    if (!plausible) return err(Code::InvalidParameterValue, "Invalid NextToken value.");
    begin = std::upper_bound(names.begin(), names.end(), *last);
  }
  size_t limit = static_cast<size_t>(max.value_or(kDefaultPage));
  size_t left = static_cast<size_t>(names.end() - begin);
  size_t take = std::min(limit, left);
  Value urls = Value::list("QueueUrl");
  urls.items.reserve(take);
  for (size_t i = 0; i < take; ++i) urls.push(Value::str(c.queue_url(*(begin + i))));
  if (take > 0 || always_list) result.set(member, std::move(urls));
  // Without MaxResults there is never a NextToken (AWS; aws-cli #6910).
  if (max && take < left) result.set("NextToken", Value::str(base64url_encode(*(begin + take - 1))));
  return {};
}

}  // namespace ebb::sqs

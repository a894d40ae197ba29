#include "api/sqs/queue_url.h"

#include <vector>

namespace ebb::sqs {

namespace {

bool is_account(std::string_view s) {
  if (s.size() != 12) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Queue names are [A-Za-z0-9_-] plus ".fifo"; anything else cannot name a queue.
bool plausible_name(std::string_view s) {
  if (s.empty() || s.size() > 80) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return s != "." && s != "..";
}

Error no_queue() { return err(Code::NonExistentQueue, "The specified queue does not exist."); }

}  // namespace

Result<std::string> queue_name_from_url(std::string_view url, std::string_view account) {
  std::string_view path = url;
  size_t scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    size_t slash = url.find('/', scheme + 3);
    path = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
  }
  size_t q = path.find_first_of("?#");
  if (q != std::string_view::npos) path = path.substr(0, q);

  std::vector<std::string_view> segs;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    if (next > pos) segs.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  if (segs.empty())
    return err(Code::InvalidAddress, "The address " + std::string(url.substr(0, 256)) + " is not valid for this endpoint.");
  for (std::string_view s : segs)
    if (s == "." || s == "..") return no_queue();  // never resolve dot segments

  std::string_view name = segs.back();
  std::string_view acct;
  if (segs.size() >= 2) acct = segs[segs.size() - 2];
  if (segs.size() == 2 && acct == "queue") acct = {};
  if (!acct.empty() && is_account(acct) && acct != account) return no_queue();
  if (!plausible_name(name)) return no_queue();
  return std::string(name);
}

std::string make_queue_url(std::string_view public_url, std::string_view scheme, std::string_view host,
                           std::string_view account, std::string_view name) {
  std::string url;
  url.reserve(public_url.size() + host.size() + account.size() + name.size() + 16);
  if (!public_url.empty()) {
    url.append(public_url);
    while (!url.empty() && url.back() == '/') url.pop_back();
  } else {
    url.append(scheme.empty() ? "http" : scheme).append("://").append(host.empty() ? "localhost" : host);
  }
  url.push_back('/');
  url.append(account).push_back('/');
  url.append(name);
  return url;
}

bool is_queue_path(std::string_view path) {
  if (path.size() < 15 || path[0] != '/') return false;
  if (!is_account(path.substr(1, 12)) || path[13] != '/') return false;
  std::string_view rest = path.substr(14);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  return !rest.empty() && rest.find('/') == std::string_view::npos;
}

}  // namespace ebb::sqs

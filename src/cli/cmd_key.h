// ebb key create --role admin|producer|consumer [--queue PATTERN…] [--name N]
//                [--expires 90d] [--format env|credentials] | list | revoke ID
// (docs/cli.md, docs/security.md "Access keys"): access keys for the SQS API.
#pragma once
#include <string>
#include <vector>

#include "cli/api_client.h"

namespace ebb::cli {

struct KeyOptions {
  std::string verb;
  std::string role;
  std::vector<std::string> queues;
  std::string name;
  std::string expires;          // "" = never
  std::string format = "env";   // create: env (export lines) | credentials (a profile)
  std::string id;
  std::string output;           // list: "" or "json"
  bool no_headers = false;
};
int run_key(ApiClient& api, const KeyOptions& o);

}  // namespace ebb::cli

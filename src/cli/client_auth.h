// How the CLI proves who it is to ebbd's native API (docs/security.md, docs/cli.md):
//   --token > EBB_TOKEN          a bearer token (ebb token create)
//   otherwise the admin key      SigV4, service "ebb", from the credentials file:
//     --credentials-file > EBB_CREDENTIALS_FILE > <data dir>/credentials, where the
//     data dir is found as ebbd finds it (EBB_DATA_DIR > STATE_DIRECTORY >
//     $XDG_DATA_HOME/ebb > $HOME/.local/share/ebb). A default file that is missing or
//     unreadable means "no credentials" (fine against --auth none); a named one is an error.
#pragma once
#include <string>

#include "cli/cli_error.h"

namespace ebb::cli {

struct ClientAuth {
  std::string bearer;                   // "" = none
  std::string access_key_id, secret;    // "" = none
  std::string region = "us-east-1";     // EBB_REGION > AWS_REGION > us-east-1
  std::string source;                   // where it came from, for the 401 hint
};

Outcome<ClientAuth> resolve_client_auth(const std::string& token_flag, const std::string& credentials_flag);

// ebbd's default data dir (server/paths.h: EBB_DATA_DIR, STATE_DIRECTORY,
// $XDG_DATA_HOME/ebb, ~/.local/share/ebb), without creating anything; "" if none applies.
std::string default_data_dir();

// The [default] profile's key of an AWS shared-credentials file; nullopt if absent.
bool parse_shared_credentials(const std::string& text, std::string& key, std::string& secret);

}  // namespace ebb::cli

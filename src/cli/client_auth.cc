#include "cli/client_auth.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ebb::cli {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : std::string();
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  size_t b = s.find_first_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b);
}

std::string default_credentials_path() {
  std::string dir = default_data_dir();
  return dir.empty() ? std::string() : dir + "/credentials";
}

}  // namespace

std::string default_data_dir() {
  std::string dir = env("EBB_DATA_DIR");
  if (dir.empty()) {
    std::string sd = env("STATE_DIRECTORY");
    dir = sd.substr(0, sd.find(':'));
  }
  if (dir.empty() && !env("XDG_DATA_HOME").empty()) dir = env("XDG_DATA_HOME") + "/ebb";
  if (dir.empty() && !env("HOME").empty()) dir = env("HOME") + "/.local/share/ebb";
  return dir;
}

bool parse_shared_credentials(const std::string& text, std::string& key, std::string& secret) {
  std::istringstream in(text);
  std::string line, section;
  key.clear();
  secret.clear();
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      section = line;
      continue;
    }
    if (section != "[default]") continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string n = trim(line.substr(0, eq)), v = trim(line.substr(eq + 1));
    if (n == "aws_access_key_id") key = v;
    if (n == "aws_secret_access_key") secret = v;
  }
  return !key.empty() && !secret.empty();
}

Outcome<ClientAuth> resolve_client_auth(const std::string& token_flag, const std::string& credentials_flag) {
  ClientAuth a;
  if (std::string r = env("EBB_REGION"); !r.empty()) a.region = r;
  else if (std::string r2 = env("AWS_REGION"); !r2.empty()) a.region = r2;
  if (!token_flag.empty()) {
    a.bearer = token_flag;
    a.source = "--token";
    return a;
  }
  if (std::string t = env("EBB_TOKEN"); !t.empty()) {
    a.bearer = t;
    a.source = "EBB_TOKEN";
    return a;
  }
  std::string path = credentials_flag.empty() ? env("EBB_CREDENTIALS_FILE") : credentials_flag;
  const bool named = !path.empty();
  if (!named) path = default_credentials_path();
  if (path.empty()) return a;
  std::ifstream f(path);
  if (!f) {
    if (!named) return a;
    return usage_error("cannot read the credentials file " + path + ": " + std::strerror(errno),
                       "ebbd writes it to <data dir>/credentials on first start (mode 0600: run as its owner)");
  }
  std::stringstream ss;
  ss << f.rdbuf();
  if (!parse_shared_credentials(ss.str(), a.access_key_id, a.secret)) {
    if (!named) return a;
    return usage_error(path + " has no [default] aws_access_key_id and aws_secret_access_key");
  }
  a.source = path;
  return a;
}

}  // namespace ebb::cli

#include "server/paths.h"

#include <gtest/gtest.h>

#include <map>

namespace ebb::server {
namespace {

EnvLookup env_of(std::map<std::string, std::string> m) {
  return [m](const char* k) -> std::optional<std::string> {
    auto it = m.find(k);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

TEST(DataDir, Precedence) {
  EXPECT_EQ(*default_data_dir(env_of({{"EBB_DATA_DIR", "/d"}, {"STATE_DIRECTORY", "/s"}, {"HOME", "/h"}})), "/d");
  EXPECT_EQ(*default_data_dir(env_of({{"STATE_DIRECTORY", "/var/lib/ebb:/x"}, {"HOME", "/h"}})), "/var/lib/ebb");
  EXPECT_EQ(*default_data_dir(env_of({{"XDG_DATA_HOME", "/xdg"}, {"HOME", "/h"}})), "/xdg/ebb");
  EXPECT_EQ(*default_data_dir(env_of({{"XDG_DATA_HOME", "rel"}, {"HOME", "/h"}})), "/h/.local/share/ebb");
  EXPECT_FALSE(default_data_dir(env_of({})).ok());
}

}  // namespace
}  // namespace ebb::server

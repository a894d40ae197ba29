// gzip for HTTP bodies (/metrics when the scraper sends Accept-Encoding: gzip).
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace ebb::obs {

// A gzip member (RFC 1952) holding `data`; nullopt if zlib fails.
std::optional<std::string> gzip_compress(std::string_view data, int level = 6);
// True when an Accept-Encoding header value accepts gzip (q=0 refuses it).
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace ebb::obs

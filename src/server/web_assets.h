// The dashboard's files, compiled into the binary (reliability.md §4.4: no request
// path ever touches the filesystem). Generated from web/ui/ by
// tools/cmake/embed_web.cmake; served under /ui/ by server/web_ui.cc.
#pragma once
#include <cstddef>
#include <span>
#include <string_view>

namespace ebb::server {

struct WebAsset {
  std::string_view path;          // relative to web/ui/, e.g. "index.html", "vendor/uplot-1.6.32/uPlot.iife.min.js"
  std::string_view content_type;
  std::string_view etag;          // quoted, from the file's SHA-256
  const unsigned char* data;
  size_t size;
};

std::span<const WebAsset> web_assets();

}  // namespace ebb::server

#include "cli/manifest_files.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "manifest/manifest.h"

namespace ebb::cli {
namespace {

namespace fs = std::filesystem;
constexpr std::size_t kLimit = manifest::kMaxManifestBytes;

CliError too_large(const std::string& source) {
  return CliError{kExitRefused, source + ": larger than 1 MiB; split it into several files", {}, ""};
}

// Reads at most kLimit + 1 bytes: enough to know the input is too large.
Outcome<std::string> read_bounded(std::istream& in, const std::string& source) {
  std::string text(kLimit + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kLimit) return too_large(source);
  if (in.bad()) return CliError{kExitRefused, source + ": read error", {}, ""};
  return text;
}

Outcome<ManifestText> read_file(const fs::path& path, const std::string& source) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (!ec && size > kLimit) return too_large(source);
  std::ifstream in(path, std::ios::binary);
  if (!in) return CliError{kExitRefused, source + ": cannot open", {}, ""};
  Outcome<std::string> text = read_bounded(in, source);
  if (!text.ok()) return text.error();
  return ManifestText{source, std::move(*text)};
}

bool manifest_extension(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

}  // namespace

Outcome<std::vector<ManifestText>> read_manifests(const std::vector<std::string>& args) {
  std::vector<ManifestText> out;
  bool stdin_used = false;
  for (const std::string& arg : args) {
    if (arg == "-") {
      if (stdin_used) return usage_error("-f -: standard input given twice");
      stdin_used = true;
      Outcome<std::string> text = read_bounded(std::cin, "-");
      if (!text.ok()) return text.error();
      out.push_back(ManifestText{"-", std::move(*text)});
      continue;
    }
    if (arg.empty() || arg.find('\0') != std::string::npos) return usage_error("-f: empty path");
    std::error_code ec;
    fs::file_status st = fs::status(arg, ec);
    if (ec || !fs::exists(st)) return usage_error("-f " + arg + ": no such file or directory");
    if (fs::is_directory(st)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(arg, ec)) {
        if (e.is_regular_file() && manifest_extension(e.path())) files.push_back(e.path());
      }
      if (ec) return CliError{kExitRefused, arg + ": cannot list directory: " + ec.message(), {}, ""};
      std::sort(files.begin(), files.end());
      if (files.empty()) return usage_error("-f " + arg + ": no .yaml, .yml or .json files in the directory");
      for (const fs::path& f : files) {
        Outcome<ManifestText> m = read_file(f, f.string());
        if (!m.ok()) return m.error();
        out.push_back(std::move(*m));
      }
      continue;
    }
    // Devices, FIFOs and sockets could block or never end; stdin is "-".
    if (!fs::is_regular_file(st)) return usage_error("-f " + arg + ": not a regular file or directory");
    Outcome<ManifestText> m = read_file(arg, arg);
    if (!m.ok()) return m.error();
    out.push_back(std::move(*m));
  }
  return out;
}

}  // namespace ebb::cli

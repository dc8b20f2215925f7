// Copyright 2026 The Cerumbra Authors.

#include "server/static_files.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace cerumbra::server {

std::string ContentTypeFor(std::string_view path) {
  auto ends = [&](std::string_view ext) {
    return path.size() >= ext.size() &&
           path.substr(path.size() - ext.size()) == ext;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js") || ends(".mjs")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".json")) return "application/json";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".txt") || ends(".md")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

StaticFiles EmbeddedStaticFiles() {
  StaticFiles out;
  for (const auto& [path, bytes] : EmbeddedFiles()) {
    out[std::string(path)] = {ContentTypeFor(path), std::string(bytes)};
  }
  return out;
}

Result<StaticFiles> LoadStaticFiles(const std::string& root) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return NotFoundError("web root is not a directory: " + root);
  }
  StaticFiles out;
  size_t total = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path rel = fs::relative(it->path(), root, ec);
    if (ec) break;
    const std::string name = rel.generic_string();
    bool hidden = false;
    for (const auto& part : rel) {
      if (!part.empty() && part.string()[0] == '.') hidden = true;
    }
    if (hidden) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink() || !it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::string body((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      return InvalidArgumentError("cannot read " + it->path().string());
    }
    total += body.size();
    if (total > 64u * 1024 * 1024) {
      return InvalidArgumentError("web root holds more than 64 MiB");
    }
    out["/" + name] = {ContentTypeFor(name), std::move(body)};
  }
  if (ec)
    return InvalidArgumentError("cannot list " + root + ": " + ec.message());
  return out;
}

}  // namespace cerumbra::server

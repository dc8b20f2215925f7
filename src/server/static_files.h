// Copyright 2026 The Cerumbra Authors.
//
// The web client's files: embedded at build time from web/ byte for byte
// (cmake/embed_files.cmake), or read from a directory at startup
// (`--web-root`, for development).

#ifndef CERUMBRA_SERVER_STATIC_FILES_H_
#define CERUMBRA_SERVER_STATIC_FILES_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cerumbra/status.h"
#include "server/server.h"

namespace cerumbra::server {

// EmbeddedFiles returns the files of web/ as built into this binary,
// sorted by path ("/index.html", "/js/app.js", ...). Defined in the
// generated web_assets.cc.
const std::vector<std::pair<std::string_view, std::string_view>>&
EmbeddedFiles();

// ContentTypeFor returns the Content-Type for a path by its extension
// (UTF-8 text types, application/octet-stream when unknown).
std::string ContentTypeFor(std::string_view path);

// EmbeddedStaticFiles returns EmbeddedFiles() as StaticFiles.
StaticFiles EmbeddedStaticFiles();

// LoadStaticFiles reads every regular file under `root` (hidden files and
// symlinks skipped) into StaticFiles. Fails with NotFound when `root` is not
// a directory, InvalidArgument when a file cannot be read or the tree holds
// more than 64 MiB.
Result<StaticFiles> LoadStaticFiles(const std::string& root);

}  // namespace cerumbra::server

#endif  // CERUMBRA_SERVER_STATIC_FILES_H_

// Copyright 2026 The Cerumbra Authors.

#include "server/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace cerumbra::server {
namespace {

namespace fs = std::filesystem;

TEST(StaticFilesTest, EmbeddedEqualsTheWebDirectoryByteForByte) {
  auto loaded = LoadStaticFiles(CERUMBRA_WEB_DIR);
  StaticFiles embedded = EmbeddedStaticFiles();
  if (!loaded.ok()) {
    EXPECT_TRUE(embedded.empty());
    GTEST_SKIP() << "no web/ directory in this checkout";
  }
  ASSERT_EQ(embedded.size(), loaded.value().size());
  for (const auto& [path, file] : loaded.value()) {
    auto it = embedded.find(path);
    ASSERT_NE(it, embedded.end()) << path;
    EXPECT_EQ(it->second.body, file.body) << path;
    EXPECT_EQ(it->second.content_type, file.content_type) << path;
  }
}

TEST(StaticFilesTest, LoadSkipsHiddenFilesAndSymlinks) {
  fs::path dir = fs::temp_directory_path() /
                 ("cerumbra_static_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "js");
  fs::create_directories(dir / ".git");
  std::ofstream(dir / "index.html") << "<p>x</p>";
  std::ofstream(dir / "js" / "app.js") << "export {}";
  std::ofstream(dir / ".git" / "config") << "secret";
  std::ofstream(dir / ".env") << "secret";
  fs::create_symlink("/etc/passwd", dir / "passwd");
  auto files = LoadStaticFiles(dir.string());
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(files.value().size(), 2u);
  EXPECT_EQ(files.value().at("/index.html").body, "<p>x</p>");
  EXPECT_EQ(files.value().at("/js/app.js").content_type,
            "text/javascript; charset=utf-8");
  fs::remove_all(dir);
  EXPECT_EQ(LoadStaticFiles(dir.string()).status().code(),
            StatusCode::kNotFound);
}

TEST(StaticFilesTest, ContentTypes) {
  EXPECT_EQ(ContentTypeFor("/a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("/a.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("/a.bin"), "application/octet-stream");
}

}  // namespace
}  // namespace cerumbra::server

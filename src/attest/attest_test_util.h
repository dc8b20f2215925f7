// Copyright 2026 The Cerumbra Authors.
//
// Test-only helpers for the src/attest tests: a temporary directory, a
// simulated CA in it, and an Attester over it.

#ifndef CERUMBRA_ATTEST_ATTEST_TEST_UTIL_H_
#define CERUMBRA_ATTEST_ATTEST_TEST_UTIL_H_

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "attest/attester.h"
#include "attest/simulated_ca.h"

namespace cerumbra::attest::testing {

// kTestNow is a fixed "now" for certificates (2026-11-26).
inline const std::chrono::sys_seconds kTestNow{
    std::chrono::seconds(1'795'700'000)};
inline constexpr int64_t kTestNowMs = 1'795'700'000'000;

// TempDir is a fresh directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl =
        (std::filesystem::temp_directory_path() / "cerumbra-attest-XXXXXX")
            .string();
    CERUMBRA_CHECK(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// WriteFile writes `text` to `path`.
inline void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  CERUMBRA_CHECK(out.good());
}

// ReadFile returns the contents of `path` ("" if unreadable).
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// MakeCa creates a simulated CA in `dir` at kTestNow and returns its root
// fingerprint.
inline std::string MakeCa(const std::string& dir) {
  CaInitOptions options;
  options.dir = dir;
  options.now = kTestNow;
  Result<CaInitResult> result = InitSimulatedCa(options);
  CERUMBRA_CHECK(result.ok());
  return result->root_fingerprint;
}

// MakeAttester returns a simulated Attester over the CA in `ca_dir`,
// measuring a small model file and web root it creates under `work`.
inline std::unique_ptr<Attester> MakeAttester(const std::string& ca_dir,
                                              const std::string& work) {
  WriteFile(work + "/model.gguf", "not really a model");
  std::filesystem::create_directories(work + "/web/js");
  WriteFile(work + "/web/index.html", "<!doctype html>");
  WriteFile(work + "/web/js/app.js", "console.log(1)");
  AttesterOptions options;
  options.ca_dir = ca_dir;
  options.model_path = work + "/model.gguf";
  options.web_root = work + "/web";
  options.config_json = R"({"model":"model.gguf","port":8443})";
  options.use_nvidia = false;
  options.now = kTestNow;
  Result<std::unique_ptr<Attester>> attester =
      Attester::Create(std::move(options));
  CERUMBRA_CHECK(attester.ok());
  return *std::move(attester);
}

}  // namespace cerumbra::attest::testing

#endif  // CERUMBRA_ATTEST_ATTEST_TEST_UTIL_H_

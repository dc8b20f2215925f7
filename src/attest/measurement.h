// Copyright 2026 The Cerumbra Authors.
//
// The node's measurements (docs/protocol.md §4.1, computed as
// docs/attestation.md §3 defines): SHA-384 over
//   executable  the bytes of the running binary (/proc/self/exe);
//   model       the bytes of the model file (optionally cached by path,
//               size and mtime);
//   web         the web assets, as a canonical digest over a file list;
//   config      the effective configuration as canonical JSON.
// `executable` and `model` are plain SHA-384 of the file, so an operator
// can check them with `sha384sum`.

#ifndef CERUMBRA_ATTEST_MEASUREMENT_H_
#define CERUMBRA_ATTEST_MEASUREMENT_H_

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cerumbra/status.h"
#include "crypto/sha.h"
#include "protocol/quote.h"

namespace cerumbra::attest {

// Measurement names (§4.1).
inline constexpr char kMeasurementConfig[] = "config";
inline constexpr char kMeasurementExecutable[] = "executable";
inline constexpr char kMeasurementModel[] = "model";
inline constexpr char kMeasurementWeb[] = "web";

// ProgressCallback is told (bytes hashed, total bytes) while a large file
// is hashed; called on the hashing thread, at most about 100 times a file.
using ProgressCallback = std::function<void(uint64_t done, uint64_t total)>;

// StderrProgress returns a ProgressCallback that prints "hashing <label>:
// N% of M MiB" to stderr every 10% for files of at least 64 MiB (smaller
// files hash quickly and print nothing). The callback keeps its own state;
// use one per file. Thread safety: as for writing to stderr.
ProgressCallback StderrProgress(std::string label);

// MeasureFile returns SHA-384 of the regular file at `path` (symlinks are
// followed). Calls `progress` (if set) as it reads. Fails with NotFound if
// the file does not exist, InvalidArgument if it is not a regular file,
// Unavailable on a read error. Thread safety: safe to call concurrently.
Result<crypto::Sha384Digest> MeasureFile(const std::string& path,
                                         const ProgressCallback& progress = {});

// MeasureFileCached is MeasureFile with a cache file at `cache_path`
// (JSON, docs/attestation.md §3.2) keyed by the file's absolute path, size
// and modification time (nanoseconds): a hit returns the stored digest
// without reading the file; a miss hashes it and rewrites the cache
// (atomically, mode 0600). An unreadable or malformed cache is ignored (and
// replaced); a cache that cannot be written is not an error. An empty
// `cache_path` means no cache.
// WARNING: whoever can write the cache decides the reported digest; keep it
// in a directory only the node's user can write.
// Thread safety: concurrent calls with the same cache file race on it (the
// last writer wins; entries are never torn).
Result<crypto::Sha384Digest> MeasureFileCached(
    const std::string& path, const std::string& cache_path,
    const ProgressCallback& progress = {});

// MeasureExecutable returns MeasureFile("/proc/self/exe").
Result<crypto::Sha384Digest> MeasureExecutable();

// WebFile is one web asset: `path` relative to the web root, '/'-separated
// (no leading '/', no "." or ".." segments, no empty segments), and its
// bytes.
struct WebFile {
  std::string path;
  std::vector<uint8_t> bytes;
};

// MeasureWebFiles returns the canonical web digest (docs/attestation.md
// §3.3): SHA-384 of "cerumbra-web-v1" || 0x00 || u32 count || for each
// file sorted by path (bytewise): u32 path length || path || u64 length ||
// bytes (integers big-endian). Fails with InvalidArgument for a bad or
// duplicate path or more than 65,536 files. Thread safety: pure function.
Result<crypto::Sha384Digest> MeasureWebFiles(std::span<const WebFile> files);

// ReadWebRoot returns every regular file under directory `root` as
// WebFiles (paths relative to `root`). Symbolic links, devices and other
// non-regular entries are InvalidArgument (the digest must describe exactly
// what would be served); so are more than 65,536 files or 1 GiB in total.
// NotFound when `root` does not exist. Thread safety: safe concurrently.
Result<std::vector<WebFile>> ReadWebRoot(const std::string& root);

// MeasureWebRoot is MeasureWebFiles(ReadWebRoot(root)).
Result<crypto::Sha384Digest> MeasureWebRoot(const std::string& root);

// CanonicalJson returns `json` (one JSON value, at most `max_size` bytes) in
// canonical
// form: no whitespace, object members sorted by name (bytewise UTF-8),
// strings with only '"', '\\' and control characters escaped (controls as
// \u00XX except \b \f \n \r \t), integers in plain decimal. Non-integer
// numbers, duplicate member names and malformed JSON are InvalidArgument.
// Thread safety: pure function.
Result<std::string> CanonicalJson(std::string_view json,
                                  size_t max_size = size_t{1} << 20);

// MeasureConfig returns SHA-384(CanonicalJson(config_json)).
Result<crypto::Sha384Digest> MeasureConfig(std::string_view config_json);

// ToMeasurement wraps a digest as a protocol::Measurement named `name`.
protocol::Measurement ToMeasurement(std::string_view name,
                                    const crypto::Sha384Digest& digest);

// HexEncode returns lower-case hex; HexDecode parses hex of either case
// (InvalidArgument for odd length or a non-hex character). Pure functions.
std::string HexEncode(std::span<const uint8_t> bytes);
Result<std::vector<uint8_t>> HexDecode(std::string_view hex);

}  // namespace cerumbra::attest

#endif  // CERUMBRA_ATTEST_MEASUREMENT_H_

// Copyright 2026 The Cerumbra Authors.

#include "attest/measurement.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <system_error>

namespace cerumbra::attest {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr size_t kMaxWebFiles = 65536;
constexpr uint64_t kMaxWebBytes = uint64_t{1} << 30;
constexpr size_t kReadChunk = 1 << 20;
constexpr char kCacheFormat[] = "cerumbra-measurement-cache-v1";
constexpr size_t kMaxCacheEntries = 64;

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

void PutU32(std::vector<uint8_t>& out, uint32_t v) {
  for (int i = 3; i >= 0; --i)
    out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void PutU64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

bool ValidWebPath(std::string_view path) {
  if (path.empty() || path.size() > 4096) return false;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    const std::string_view seg = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos
                                               : slash - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    for (char c : seg) {
      if (c == '\0' || c == '\\') return false;
    }
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// --- Canonical JSON -------------------------------------------------------
// A small strict parser that writes the canonical form as it goes; it
// exists (rather than Boost.JSON's DOM) to reject duplicate member names.
class Canonicalizer {
 public:
  explicit Canonicalizer(std::string_view text) : text_(text) {}

  Result<std::string> Run() {
    std::string out;
    SkipSpace();
    CERUMBRA_RETURN_IF_ERROR(Value(out, 0));
    SkipSpace();
    if (pos_ != text_.size()) return Error("trailing characters");
    return out;
  }

 private:
  static Status Error(std::string_view what) {
    return InvalidArgumentError(std::string("config JSON: ") +
                                std::string(what));
  }
  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status Value(std::string& out, int depth) {
    if (depth > 32) return Error("nested too deeply");
    SkipSpace();
    if (pos_ >= text_.size()) return Error("unexpected end");
    const char c = text_[pos_];
    if (c == '{') return Object(out, depth);
    if (c == '[') return Array(out, depth);
    if (c == '"') {
      std::string s;
      CERUMBRA_RETURN_IF_ERROR(String(s));
      WriteString(out, s);
      return OkStatus();
    }
    if (Literal("true")) return out += "true", OkStatus();
    if (Literal("false")) return out += "false", OkStatus();
    if (Literal("null")) return out += "null", OkStatus();
    return Integer(out);
  }

  Status Object(std::string& out, int depth) {
    ++pos_;  // '{'
    std::map<std::string, std::string> members;
    if (!Eat('}')) {
      do {
        SkipSpace();
        std::string name;
        CERUMBRA_RETURN_IF_ERROR(String(name));
        if (!Eat(':')) return Error("expected ':'");
        std::string value;
        CERUMBRA_RETURN_IF_ERROR(Value(value, depth + 1));
        if (!members.emplace(std::move(name), std::move(value)).second) {
          return Error("duplicate member name");
        }
      } while (Eat(','));
      if (!Eat('}')) return Error("expected '}'");
    }
    out += '{';
    bool first = true;
    for (const auto& [name, value] : members) {  // std::map: bytewise order
      if (!first) out += ',';
      first = false;
      WriteString(out, name);
      out += ':';
      out += value;
    }
    out += '}';
    return OkStatus();
  }

  Status Array(std::string& out, int depth) {
    ++pos_;  // '['
    out += '[';
    if (!Eat(']')) {
      bool first = true;
      do {
        if (!first) out += ',';
        first = false;
        CERUMBRA_RETURN_IF_ERROR(Value(out, depth + 1));
      } while (Eat(','));
      if (!Eat(']')) return Error("expected ']'");
    }
    out += ']';
    return OkStatus();
  }

  Status Integer(std::string& out) {
    const size_t start = pos_;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    const size_t digits = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      ++pos_;
    }
    if (pos_ == digits) return Error("unexpected character");
    if (text_[digits] == '0' && pos_ - digits > 1) {
      return Error("leading zero");
    }
    if (pos_ - digits > 19) return Error("integer too large");
    if (pos_ < text_.size() &&
        (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
      return Error("only integers are allowed");
    }
    std::string_view number = text_.substr(start, pos_ - start);
    if (number == "-0") number = "0";
    out += number;
    return OkStatus();
  }

  Status Hex4(uint32_t& v) {
    if (pos_ + 4 > text_.size()) return Error("bad \\u escape");
    v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return Error("bad \\u escape");
    }
    return OkStatus();
  }

  static void AppendUtf8(std::string& s, uint32_t cp) {
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  // String parses a JSON string into its UTF-8 value.
  Status String(std::string& s) {
    if (pos_ >= text_.size() || text_[pos_] != '"') {
      return Error("expected string");
    }
    ++pos_;
    while (true) {
      if (pos_ >= text_.size()) return Error("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') break;
      if (static_cast<unsigned char>(c) < 0x20) {
        return Error("control character in string");
      }
      if (c != '\\') {
        s += c;
        continue;
      }
      if (pos_ >= text_.size()) return Error("bad escape");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
          s += '"';
          break;
        case '\\':
          s += '\\';
          break;
        case '/':
          s += '/';
          break;
        case 'b':
          s += '\b';
          break;
        case 'f':
          s += '\f';
          break;
        case 'n':
          s += '\n';
          break;
        case 'r':
          s += '\r';
          break;
        case 't':
          s += '\t';
          break;
        case 'u': {
          uint32_t cp = 0;
          CERUMBRA_RETURN_IF_ERROR(Hex4(cp));
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Error("lone surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo = 0;
            if (!Literal("\\u")) return Error("lone surrogate");
            CERUMBRA_RETURN_IF_ERROR(Hex4(lo));
            if (lo < 0xDC00 || lo > 0xDFFF) return Error("lone surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          AppendUtf8(s, cp);
          break;
        }
        default:
          return Error("bad escape");
      }
    }
    return OkStatus();
  }

  static void WriteString(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (char c : s) {
      const auto u = static_cast<unsigned char>(c);
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        default:
          if (u < 0x20) {
            out += "\\u00";
            out += kHex[u >> 4];
            out += kHex[u & 15];
          } else {
            out += c;
          }
      }
    }
    out += '"';
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// --- Cache ----------------------------------------------------------------

struct FileKey {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

Result<FileKey> StatFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFoundError("file not found: " + path);
    return UnavailableError("cannot stat " + path + ": " +
                            std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return InvalidArgumentError("not a regular file: " + path);
  }
  std::error_code ec;
  const fs::path abs = fs::absolute(path, ec);
  FileKey key;
  key.path = ec ? path : abs.lexically_normal().string();
  key.size = static_cast<uint64_t>(st.st_size);
  key.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                 st.st_mtim.tv_nsec;
  return key;
}

json::array ReadCacheEntries(const std::string& cache_path) {
  std::ifstream in(cache_path, std::ios::binary);
  if (!in) return {};
  std::string text((std::istreambuf_iterator<char>(in)),
                   std::istreambuf_iterator<char>());
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return {};
  const json::object& o = v.as_object();
  const json::value* format = o.if_contains("format");
  const json::value* entries = o.if_contains("entries");
  if (format == nullptr || !format->is_string() ||
      format->as_string() != kCacheFormat || entries == nullptr ||
      !entries->is_array()) {
    return {};
  }
  return entries->as_array();
}

bool EntryMatches(const json::value& e, const FileKey& key) {
  if (!e.is_object()) return false;
  const json::object& o = e.as_object();
  const json::value* p = o.if_contains("path");
  const json::value* s = o.if_contains("size");
  const json::value* m = o.if_contains("mtime_ns");
  return p != nullptr && p->is_string() && p->as_string() == key.path &&
         s != nullptr && s->is_int64() &&
         s->as_int64() == static_cast<int64_t>(key.size) && m != nullptr &&
         m->is_int64() && m->as_int64() == key.mtime_ns;
}

void WriteCache(const std::string& cache_path, const json::array& entries) {
  json::object root;
  root["format"] = kCacheFormat;
  root["entries"] = entries;
  const std::string text = json::serialize(root) + "\n";
  const std::string tmp = cache_path + ".tmp." + std::to_string(::getpid());
  {
    const mode_t old = ::umask(077);
    std::unique_ptr<FILE, FileCloser> f(std::fopen(tmp.c_str(), "wb"));
    ::umask(old);
    if (f == nullptr) return;
    if (std::fwrite(text.data(), 1, text.size(), f.get()) != text.size()) {
      f.reset();
      std::remove(tmp.c_str());
      return;
    }
  }
  if (std::rename(tmp.c_str(), cache_path.c_str()) != 0) {
    std::remove(tmp.c_str());
  }
}

}  // namespace

std::string HexEncode(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

Result<std::vector<uint8_t>> HexDecode(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return InvalidArgumentError("odd-length hex");
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgumentError("bad hex digit");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

ProgressCallback StderrProgress(std::string label) {
  auto last = std::make_shared<int>(-1);
  return [label = std::move(label), last](uint64_t done, uint64_t total) {
    if (total < (uint64_t{64} << 20)) return;
    const int percent = static_cast<int>(done * 100 / total);
    if (percent / 10 == *last / 10) return;
    *last = percent;
    std::fprintf(stderr, "hashing %s: %d%% of %llu MiB\n", label.c_str(),
                 percent, static_cast<unsigned long long>(total >> 20));
  };
}

Result<crypto::Sha384Digest> MeasureFile(const std::string& path,
                                         const ProgressCallback& progress) {
  CERUMBRA_ASSIGN_OR_RETURN(FileKey key, StatFile(path));
  std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (f == nullptr) {
    return UnavailableError("cannot open " + path + ": " +
                            std::strerror(errno));
  }
  CERUMBRA_ASSIGN_OR_RETURN(crypto::Sha384Hasher hasher,
                            crypto::Sha384Hasher::Create());
  std::vector<uint8_t> buf(kReadChunk);
  uint64_t done = 0;
  uint64_t next_report = 0;
  const uint64_t step = std::max<uint64_t>(key.size / 100, kReadChunk);
  while (true) {
    const size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n > 0) {
      hasher.Update({buf.data(), n});
      done += n;
    }
    if (progress && (done >= next_report || n == 0)) {
      progress(done, key.size);
      next_report = done + step;
    }
    if (n < buf.size()) {
      if (std::ferror(f.get())) {
        return UnavailableError("read error on " + path);
      }
      break;
    }
  }
  return hasher.Finish();
}

Result<crypto::Sha384Digest> MeasureFileCached(
    const std::string& path, const std::string& cache_path,
    const ProgressCallback& progress) {
  if (cache_path.empty()) return MeasureFile(path, progress);
  CERUMBRA_ASSIGN_OR_RETURN(FileKey key, StatFile(path));
  json::array entries = ReadCacheEntries(cache_path);
  for (const json::value& e : entries) {
    if (!EntryMatches(e, key)) continue;
    const json::value* digest = e.as_object().if_contains("sha384");
    if (digest == nullptr || !digest->is_string()) break;
    Result<std::vector<uint8_t>> bytes = HexDecode(digest->as_string());
    if (!bytes.ok() || bytes->size() != crypto::kSha384DigestSize) break;
    crypto::Sha384Digest out;
    std::copy(bytes->begin(), bytes->end(), out.begin());
    return out;
  }
  CERUMBRA_ASSIGN_OR_RETURN(crypto::Sha384Digest digest,
                            MeasureFile(path, progress));
  // The file may have changed while it was hashed: only cache the digest
  // when size and mtime are still the ones read before.
  Result<FileKey> after = StatFile(path);
  if (after.ok() && after->size == key.size &&
      after->mtime_ns == key.mtime_ns) {
    json::array kept;
    for (const json::value& e : entries) {
      if (!e.is_object()) continue;
      const json::value* p = e.as_object().if_contains("path");
      if (p != nullptr && p->is_string() && p->as_string() == key.path) {
        continue;
      }
      kept.push_back(e);
    }
    while (kept.size() >= kMaxCacheEntries) kept.erase(kept.begin());
    json::object entry;
    entry["path"] = key.path;
    entry["size"] = static_cast<int64_t>(key.size);
    entry["mtime_ns"] = key.mtime_ns;
    entry["sha384"] = HexEncode(digest);
    kept.push_back(std::move(entry));
    WriteCache(cache_path, kept);
  }
  return digest;
}

Result<crypto::Sha384Digest> MeasureExecutable() {
  return MeasureFile("/proc/self/exe");
}

Result<crypto::Sha384Digest> MeasureWebFiles(std::span<const WebFile> files) {
  if (files.size() > kMaxWebFiles)
    return InvalidArgumentError("too many files");
  std::vector<const WebFile*> sorted;
  sorted.reserve(files.size());
  for (const WebFile& f : files) {
    if (!ValidWebPath(f.path)) {
      return InvalidArgumentError("bad web asset path: " + f.path);
    }
    sorted.push_back(&f);
  }
  std::sort(
      sorted.begin(), sorted.end(),
      [](const WebFile* a, const WebFile* b) { return a->path < b->path; });
  for (size_t i = 1; i < sorted.size(); ++i) {
    if (sorted[i]->path == sorted[i - 1]->path) {
      return InvalidArgumentError("duplicate web asset path: " +
                                  sorted[i]->path);
    }
  }
  CERUMBRA_ASSIGN_OR_RETURN(crypto::Sha384Hasher hasher,
                            crypto::Sha384Hasher::Create());
  constexpr std::string_view kLabel = "cerumbra-web-v1";
  hasher.Update(AsBytes(kLabel));
  std::vector<uint8_t> header = {0x00};
  PutU32(header, static_cast<uint32_t>(sorted.size()));
  hasher.Update(header);
  for (const WebFile* f : sorted) {
    std::vector<uint8_t> h;
    PutU32(h, static_cast<uint32_t>(f->path.size()));
    hasher.Update(h);
    hasher.Update(AsBytes(f->path));
    h.clear();
    PutU64(h, f->bytes.size());
    hasher.Update(h);
    hasher.Update(f->bytes);
  }
  return hasher.Finish();
}

Result<std::vector<WebFile>> ReadWebRoot(const std::string& root) {
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(root, ec);
  if (ec || !fs::exists(st))
    return NotFoundError("web root not found: " + root);
  if (!fs::is_directory(fs::status(root, ec))) {
    return InvalidArgumentError("web root is not a directory: " + root);
  }
  std::vector<WebFile> out;
  uint64_t total = 0;
  fs::recursive_directory_iterator it(root, ec), end;
  if (ec) return UnavailableError("cannot read web root: " + root);
  for (; it != end; it.increment(ec)) {
    if (ec) return UnavailableError("cannot read web root: " + root);
    const fs::directory_entry& entry = *it;
    const fs::file_status s = entry.symlink_status(ec);
    if (ec) return UnavailableError("cannot stat " + entry.path().string());
    if (fs::is_directory(s)) continue;
    if (!fs::is_regular_file(s)) {
      return InvalidArgumentError("web root holds a non-regular file: " +
                                  entry.path().string());
    }
    if (out.size() >= kMaxWebFiles)
      return InvalidArgumentError("too many files");
    WebFile file;
    file.path = entry.path().lexically_relative(root).generic_string();
    std::ifstream in(entry.path(), std::ios::binary);
    if (!in) return UnavailableError("cannot read " + entry.path().string());
    file.bytes.assign(std::istreambuf_iterator<char>(in),
                      std::istreambuf_iterator<char>());
    total += file.bytes.size();
    if (total > kMaxWebBytes) return InvalidArgumentError("web root too large");
    out.push_back(std::move(file));
  }
  return out;
}

Result<crypto::Sha384Digest> MeasureWebRoot(const std::string& root) {
  CERUMBRA_ASSIGN_OR_RETURN(std::vector<WebFile> files, ReadWebRoot(root));
  return MeasureWebFiles(files);
}

Result<std::string> CanonicalJson(std::string_view json_text, size_t max_size) {
  if (json_text.size() > max_size) {
    return InvalidArgumentError("config JSON too large");
  }
  // Boost.JSON checks UTF-8 well-formedness; the canonicalizer the rest.
  boost::system::error_code ec;
  json::parse(json_text, ec);
  if (ec) return InvalidArgumentError("config JSON: malformed");
  return Canonicalizer(json_text).Run();
}

Result<crypto::Sha384Digest> MeasureConfig(std::string_view config_json) {
  CERUMBRA_ASSIGN_OR_RETURN(std::string canonical, CanonicalJson(config_json));
  return crypto::Sha384(AsBytes(canonical));
}

protocol::Measurement ToMeasurement(std::string_view name,
                                    const crypto::Sha384Digest& digest) {
  return {std::string(name), {digest.begin(), digest.end()}};
}

}  // namespace cerumbra::attest

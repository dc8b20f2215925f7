// Copyright 2026 The Cerumbra Authors.

#include "inference/demo_model.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <new>
#include <string>
#include <system_error>
#include <vector>

#include "ggml.h"
#include "gguf.h"
#include "inference/demo_vocab.h"

namespace cerumbra::inference {
namespace {

// The demo shape. 128256 x 256 embeddings and output projection (65.7M)
// dominate; 4 small layers (0.79M each) keep a real transformer in the
// loop. Decoding cost is dominated by the output matrix, like in small real
// models, which keeps the benchmarks honest about batching.
constexpr int kEmbd = 256;
constexpr int kLayers = 4;
constexpr int kHeads = 4;
constexpr int kHeadsKv = 2;
constexpr int kHeadDim = kEmbd / kHeads;
constexpr int kFf = 768;
constexpr int kContextLength = 8192;
constexpr uint32_t kFileTypeQ8_0 = 7;  // LLAMA_FTYPE_MOSTLY_Q8_0

// Llama 3's chat template; llama_chat_apply_template recognizes it and the
// vocabulary has its special tokens (<|start_header_id|>, <|eot_id|>).
constexpr const char* kChatTemplate =
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = '<|start_header_id|>' + message['role'] + "
    "'<|end_header_id|>\n\n' + message['content'] | trim + '<|eot_id|>' %}"
    "{% if loop.index0 == 0 %}{% set content = bos_token + content %}"
    "{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";

// SplitMix64: tiny, fast, and the same on every platform (the standard
// distributions are not), so a seed always gives the same bytes.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [-1, 1), exactly representable (24 random bits).
  float NextSymmetric() {
    return static_cast<float>(static_cast<int32_t>(Next() >> 40) - (1 << 23)) /
           static_cast<float>(1 << 23);
  }

 private:
  uint64_t state_;
};

struct GgufDeleter {
  void operator()(gguf_context* ctx) const { gguf_free(ctx); }
};
struct GgmlDeleter {
  void operator()(ggml_context* ctx) const { ggml_free(ctx); }
};
using GgufPtr = std::unique_ptr<gguf_context, GgufDeleter>;
using GgmlPtr = std::unique_ptr<ggml_context, GgmlDeleter>;

// One tensor to write: its shape (ggml order: ne0 is the input dimension),
// type, and the bytes that back it until the file is written.
struct TensorSpec {
  std::string name;
  int64_t ne0;
  int64_t ne1;  // 1 for vectors
  ggml_type type;
  float scale;  // uniform half-width; 0 means all ones (norm weights)
  std::vector<uint8_t> data;
};

void FillTensor(TensorSpec& t, uint64_t seed, size_t index) {
  t.data.resize(ggml_row_size(t.type, t.ne0) * t.ne1);
  if (t.type == GGML_TYPE_F32) {
    std::vector<float> ones(t.ne0 * t.ne1, 1.0f);
    std::copy_n(reinterpret_cast<const uint8_t*>(ones.data()), t.data.size(),
                t.data.data());
    return;
  }
  // Each tensor has its own stream, so the bytes of one tensor do not depend
  // on the order in which tensors are made.
  SplitMix64 rng(seed * 0x100000001b3ULL + index + 1);
  constexpr int64_t kRowsPerChunk = 1024;
  std::vector<float> rows(kRowsPerChunk * t.ne0);
  for (int64_t row = 0; row < t.ne1; row += kRowsPerChunk) {
    const int64_t n = std::min(kRowsPerChunk, t.ne1 - row);
    for (int64_t i = 0; i < n * t.ne0; ++i) {
      rows[i] = rng.NextSymmetric() * t.scale;
    }
    ggml_quantize_chunk(t.type, rows.data(),
                        t.data.data() + row * ggml_row_size(t.type, t.ne0), 0,
                        n, t.ne0, nullptr);
  }
}

Status WriteDemoModelImpl(const std::string& path, uint32_t seed) {
  std::span<const uint8_t> vocab_bytes = DemoVocabGguf();
  gguf_init_params vocab_params = {/*no_alloc=*/true, /*ctx=*/nullptr};
  GgufPtr vocab(gguf_init_from_buffer(vocab_bytes.data(), vocab_bytes.size(),
                                      vocab_params));
  if (!vocab) return InternalError("demo model: embedded vocabulary is bad");
  const int64_t tokens_key =
      gguf_find_key(vocab.get(), "tokenizer.ggml.tokens");
  if (tokens_key < 0)
    return InternalError("demo model: vocabulary has no tokens");
  const int64_t n_vocab =
      static_cast<int64_t>(gguf_get_arr_n(vocab.get(), tokens_key));

  GgufPtr out(gguf_init_empty());
  // The tokenizer (tokenizer.ggml.*) comes over as is; the model keys from
  // the vocabulary file describe another model and are all overwritten.
  gguf_set_kv(out.get(), vocab.get());
  gguf_set_val_str(out.get(), "general.architecture", "llama");
  gguf_set_val_str(out.get(), "general.name",
                   "Cerumbra demo model (random weights)");
  gguf_set_val_str(out.get(), "general.description",
                   "Random weights with the Llama 3 tokenizer: it produces "
                   "meaningless text. Made by `cerumbra model make-demo`.");
  gguf_set_val_u32(out.get(), "general.file_type", kFileTypeQ8_0);
  gguf_set_val_bool(out.get(), kDemoModelMetadataKey, true);
  gguf_set_val_u32(out.get(), "cerumbra.demo_seed", seed);
  gguf_set_val_u32(out.get(), "llama.context_length", kContextLength);
  gguf_set_val_u32(out.get(), "llama.embedding_length", kEmbd);
  gguf_set_val_u32(out.get(), "llama.block_count", kLayers);
  gguf_set_val_u32(out.get(), "llama.feed_forward_length", kFf);
  gguf_set_val_u32(out.get(), "llama.attention.head_count", kHeads);
  gguf_set_val_u32(out.get(), "llama.attention.head_count_kv", kHeadsKv);
  gguf_set_val_f32(out.get(), "llama.rope.freq_base", 500000.0f);
  gguf_set_val_f32(out.get(), "llama.attention.layer_norm_rms_epsilon", 1e-5f);
  gguf_set_val_u32(out.get(), "llama.vocab_size",
                   static_cast<uint32_t>(n_vocab));
  gguf_set_val_u32(out.get(), "llama.rope.dimension_count", kHeadDim);
  gguf_set_val_str(out.get(), "tokenizer.chat_template", kChatTemplate);

  constexpr float kWeightScale = 0.035f;  // std 0.02, like common inits
  constexpr float kOutputScale = 0.1f;    // peakier logits, more varied text
  std::vector<TensorSpec> specs;
  specs.push_back(
      {"token_embd.weight", kEmbd, n_vocab, GGML_TYPE_Q8_0, kWeightScale, {}});
  for (int l = 0; l < kLayers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    const int kv = kHeadsKv * kHeadDim;
    specs.push_back({p + "attn_norm.weight", kEmbd, 1, GGML_TYPE_F32, 0, {}});
    specs.push_back(
        {p + "attn_q.weight", kEmbd, kEmbd, GGML_TYPE_Q8_0, kWeightScale, {}});
    specs.push_back(
        {p + "attn_k.weight", kEmbd, kv, GGML_TYPE_Q8_0, kWeightScale, {}});
    specs.push_back(
        {p + "attn_v.weight", kEmbd, kv, GGML_TYPE_Q8_0, kWeightScale, {}});
    specs.push_back({p + "attn_output.weight",
                     kEmbd,
                     kEmbd,
                     GGML_TYPE_Q8_0,
                     kWeightScale,
                     {}});
    specs.push_back({p + "ffn_norm.weight", kEmbd, 1, GGML_TYPE_F32, 0, {}});
    specs.push_back(
        {p + "ffn_gate.weight", kEmbd, kFf, GGML_TYPE_Q8_0, kWeightScale, {}});
    specs.push_back(
        {p + "ffn_down.weight", kFf, kEmbd, GGML_TYPE_Q8_0, kWeightScale, {}});
    specs.push_back(
        {p + "ffn_up.weight", kEmbd, kFf, GGML_TYPE_Q8_0, kWeightScale, {}});
  }
  specs.push_back({"output_norm.weight", kEmbd, 1, GGML_TYPE_F32, 0, {}});
  specs.push_back(
      {"output.weight", kEmbd, n_vocab, GGML_TYPE_Q8_0, kOutputScale, {}});

  ggml_init_params meta_params = {
      /*mem_size=*/specs.size() * ggml_tensor_overhead() + 1024,
      /*mem_buffer=*/nullptr, /*no_alloc=*/true};
  GgmlPtr meta(ggml_init(meta_params));
  if (!meta) return InternalError("demo model: ggml_init failed");
  for (size_t i = 0; i < specs.size(); ++i) {
    TensorSpec& s = specs[i];
    FillTensor(s, seed, i);
    ggml_tensor* t = s.ne1 == 1
                         ? ggml_new_tensor_1d(meta.get(), s.type, s.ne0)
                         : ggml_new_tensor_2d(meta.get(), s.type, s.ne0, s.ne1);
    ggml_set_name(t, s.name.c_str());
    gguf_add_tensor(out.get(), t);
    gguf_set_tensor_data(out.get(), s.name.c_str(), s.data.data());
  }
  if (!gguf_write_to_file(out.get(), path.c_str(), /*only_meta=*/false)) {
    return InternalError("demo model: cannot write " + path);
  }
  return OkStatus();
}

}  // namespace

Status WriteDemoModel(const std::string& path, uint32_t seed) {
  try {
    return WriteDemoModelImpl(path, seed);
  } catch (const std::bad_alloc&) {
    return ResourceExhaustedError("demo model: out of memory");
  } catch (const std::exception& e) {
    return InternalError(std::string("demo model: ") + e.what());
  }
}

std::string DefaultModelCacheDir() {
  if (const char* dir = std::getenv("CERUMBRA_CACHE_DIR"); dir && *dir) {
    return std::string(dir) + "/models";
  }
  if (const char* dir = std::getenv("XDG_CACHE_HOME"); dir && *dir) {
    return std::string(dir) + "/cerumbra/models";
  }
  if (const char* dir = std::getenv("HOME"); dir && *dir) {
    return std::string(dir) + "/.cache/cerumbra/models";
  }
  return "";
}

Result<std::string> EnsureDemoModel(const std::string& cache_dir) {
  const std::string dir =
      cache_dir.empty() ? DefaultModelCacheDir() : cache_dir;
  if (dir.empty()) {
    return FailedPreconditionError(
        "demo model: no cache directory (set CERUMBRA_CACHE_DIR or HOME)");
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return InternalError("demo model: cannot create " + dir + ": " +
                         ec.message());
  }
  const std::string path = dir + "/" + std::string(kDemoModelFileName);
  if (std::filesystem::is_regular_file(path, ec)) return path;

  // A name no other process or thread uses: pid, a counter and the clock.
  static std::atomic<uint64_t> counter{0};
  const std::string tmp =
      path + ".tmp-" + std::to_string(::getpid()) + "-" +
      std::to_string(counter.fetch_add(1)) + "-" +
      std::to_string(
          std::chrono::steady_clock::now().time_since_epoch().count());
  Status status = WriteDemoModel(tmp, kDemoModelDefaultSeed);
  if (!status.ok()) {
    std::filesystem::remove(tmp, ec);
    return status;
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return InternalError("demo model: cannot rename into " + path);
  }
  return path;
}

}  // namespace cerumbra::inference

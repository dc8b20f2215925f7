// Copyright 2026 The Cerumbra Authors.
//
// SecretBytes: an owned buffer for key material that is wiped when freed.

#ifndef CERUMBRA_CRYPTO_SECRET_BYTES_H_
#define CERUMBRA_CRYPTO_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace cerumbra::crypto {

// SecretBytes owns a heap buffer of secret bytes (keys, shared secrets, PRKs).
//
// - Move-only: a secret has exactly one owner. A moved-from SecretBytes is
//   empty (size() == 0).
// - Wiped: the buffer is overwritten with OPENSSL_cleanse when the object is
//   destroyed, assigned over, or Clear()ed.
// - No implicit view, no operator<<, no comparison operators: the raw bytes
//   are reachable only through the greppable Reveal()/RevealMutable(). Compare
//   secrets with ConstantTimeEquals (crypto/constant_time.h).
//
// Thread safety: a value type; concurrent const access is safe, mutation
// needs external synchronization.
class SecretBytes {
 public:
  // SecretBytes() is empty.
  SecretBytes() = default;
  // SecretBytes(size) holds `size` zero bytes. Like std::vector, running
  // out of memory terminates the process (std::bad_alloc is never caught).
  explicit SecretBytes(size_t size);

  // CopyFrom returns a SecretBytes holding a copy of `bytes`. The caller
  // remains responsible for wiping its own copy.
  static SecretBytes CopyFrom(std::span<const uint8_t> bytes);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  // ~SecretBytes wipes the buffer before releasing it.
  ~SecretBytes();

  // size returns the number of bytes held.
  size_t size() const { return size_; }
  // empty is true when no bytes are held.
  bool empty() const { return size_ == 0; }

  // Reveal returns a read-only view of the secret. The view is valid until
  // this object is moved from, assigned to, cleared or destroyed. Every use
  // is a place where a secret leaves its box: keep them few and greppable.
  std::span<const uint8_t> Reveal() const { return {data_.get(), size_}; }
  // RevealMutable returns a writable view (for filling a fresh buffer), with
  // the same lifetime as Reveal().
  std::span<uint8_t> RevealMutable() { return {data_.get(), size_}; }

  // Clear wipes and releases the buffer; afterwards empty() is true.
  void Clear();

 private:
  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

// Wipe zeroes `bytes` in a way the compiler cannot drop (OPENSSL_cleanse),
// for buffers that held secrets, prompts or completions but are not
// SecretBytes. Thread safety: as for writing the buffer.
void Wipe(std::span<uint8_t> bytes);

}  // namespace cerumbra::crypto

#endif  // CERUMBRA_CRYPTO_SECRET_BYTES_H_

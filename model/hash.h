// A stable 64-bit hash of bytes: xxHash64 (XXH64), implemented from its published specification
// (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md).
//
// The value depends only on the bytes and the seed: it is the same in every process, on every machine and in
// every build, so it may be written to disk (series hashes in index and WAL files) and compared across hosts.
// Do not use absl::Hash or std::hash for that: they are seeded per process.
//
//   uint64_t h = vigil::Hash64("some bytes");
//
//   vigil::Hasher64 hasher;           // the same value, fed in pieces
//   hasher.Update("some ");
//   hasher.Update("bytes");
//   uint64_t h2 = hasher.Digest();    // == h
#ifndef VIGIL_MODEL_HASH_H_
#define VIGIL_MODEL_HASH_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil {

// Returns XXH64 of `len` bytes at `data` with `seed`. `data` may be null when `len` is 0. (A name of its own rather
// than an overload of Hash64: Hash64("text", seed) must never be read as a pointer and a length.)
uint64_t Hash64Bytes(const void* data, size_t len, uint64_t seed = 0);

// Returns XXH64 of the bytes of `data` with `seed`.
inline uint64_t Hash64(std::string_view data, uint64_t seed = 0) { return Hash64Bytes(data.data(), data.size(), seed); }

// Incremental XXH64: Update() any number of times, then Digest(). The result equals Hash64() of the
// concatenation of everything passed to Update(), however it was split. Does not allocate.
class Hasher64 {
 public:
  explicit Hasher64(uint64_t seed = 0);

  // Appends `len` bytes at `data` (may be null when `len` is 0).
  void Update(const void* data, size_t len);
  // Appends the bytes of `data`.
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // Appends one byte.
  void UpdateByte(uint8_t byte) { Update(&byte, 1); }

  // Returns the hash of all bytes appended so far. Does not change the state: more bytes may follow.
  uint64_t Digest() const;

 private:
  uint64_t seed_;
  uint64_t total_len_ = 0;
  uint64_t acc_[4];
  // Bytes not yet consumed as a whole 32-byte stripe.
  unsigned char buffer_[32];
  size_t buffered_ = 0;
};

}  // namespace vigil

#endif  // VIGIL_MODEL_HASH_H_

#include "model/hash.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace vigil {
namespace {

// The five 64-bit primes of the specification.
constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kPrime3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kPrime4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kPrime5 = 0x27D4EB2F165667C5ULL;

constexpr size_t kStripe = 32;

// The specification reads input as little-endian words whatever the host's byte order.
inline uint64_t Read64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}

inline uint32_t Read32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}

inline uint64_t Round(uint64_t acc, uint64_t lane) {
  acc += lane * kPrime2;
  acc = std::rotl(acc, 31);
  return acc * kPrime1;
}

inline uint64_t MergeAccumulator(uint64_t acc, uint64_t acc_n) {
  acc ^= Round(0, acc_n);
  return acc * kPrime1 + kPrime4;
}

inline void InitAccumulators(uint64_t seed, uint64_t acc[4]) {
  acc[0] = seed + kPrime1 + kPrime2;
  acc[1] = seed + kPrime2;
  acc[2] = seed;
  acc[3] = seed - kPrime1;
}

inline void ProcessStripe(const unsigned char* p, uint64_t acc[4]) {
  acc[0] = Round(acc[0], Read64(p));
  acc[1] = Round(acc[1], Read64(p + 8));
  acc[2] = Round(acc[2], Read64(p + 16));
  acc[3] = Round(acc[3], Read64(p + 24));
}

inline uint64_t ConvergeAccumulators(const uint64_t acc[4]) {
  uint64_t h = std::rotl(acc[0], 1) + std::rotl(acc[1], 7) + std::rotl(acc[2], 12) + std::rotl(acc[3], 18);
  h = MergeAccumulator(h, acc[0]);
  h = MergeAccumulator(h, acc[1]);
  h = MergeAccumulator(h, acc[2]);
  h = MergeAccumulator(h, acc[3]);
  return h;
}

// Steps 4-6 of the specification: adds the total length, consumes the remaining (< 32) bytes and mixes.
uint64_t Finish(uint64_t h, uint64_t total_len, const unsigned char* p, size_t remaining) {
  h += total_len;
  while (remaining >= 8) {
    h ^= Round(0, Read64(p));
    h = std::rotl(h, 27) * kPrime1 + kPrime4;
    p += 8;
    remaining -= 8;
  }
  if (remaining >= 4) {
    h ^= static_cast<uint64_t>(Read32(p)) * kPrime1;
    h = std::rotl(h, 23) * kPrime2 + kPrime3;
    p += 4;
    remaining -= 4;
  }
  while (remaining > 0) {
    h ^= static_cast<uint64_t>(*p) * kPrime5;
    h = std::rotl(h, 11) * kPrime1;
    ++p;
    --remaining;
  }
  h ^= h >> 33;
  h *= kPrime2;
  h ^= h >> 29;
  h *= kPrime3;
  h ^= h >> 32;
  return h;
}

}  // namespace

uint64_t Hash64Bytes(const void* data, size_t len, uint64_t seed) {
  const auto* p = static_cast<const unsigned char*>(data);
  size_t remaining = len;
  uint64_t h;
  if (len >= kStripe) {
    uint64_t acc[4];
    InitAccumulators(seed, acc);
    while (remaining >= kStripe) {
      ProcessStripe(p, acc);
      p += kStripe;
      remaining -= kStripe;
    }
    h = ConvergeAccumulators(acc);
  } else {
    h = seed + kPrime5;
  }
  return Finish(h, len, p, remaining);
}

Hasher64::Hasher64(uint64_t seed) : seed_(seed) { InitAccumulators(seed, acc_); }

void Hasher64::Update(const void* data, size_t len) {
  if (len == 0) return;
  const auto* p = static_cast<const unsigned char*>(data);
  total_len_ += len;
  if (buffered_ > 0) {
    const size_t take = std::min(len, kStripe - buffered_);
    std::memcpy(buffer_ + buffered_, p, take);
    buffered_ += take;
    p += take;
    len -= take;
    if (buffered_ < kStripe) return;
    ProcessStripe(buffer_, acc_);
    buffered_ = 0;
  }
  while (len >= kStripe) {
    ProcessStripe(p, acc_);
    p += kStripe;
    len -= kStripe;
  }
  if (len > 0) {
    std::memcpy(buffer_, p, len);
    buffered_ = len;
  }
}

uint64_t Hasher64::Digest() const {
  const uint64_t h = total_len_ >= kStripe ? ConvergeAccumulators(acc_) : seed_ + kPrime5;
  return Finish(h, total_len_, buffer_, buffered_);
}

}  // namespace vigil

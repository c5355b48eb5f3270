#include "tsdb/head/open_chunk.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace vigil::tsdb {
namespace {

uint64_t ZigZag(uint64_t v) { return (v << 1) ^ static_cast<uint64_t>(static_cast<int64_t>(v) >> 63); }
uint64_t UnZigZag(uint64_t u) { return (u >> 1) ^ (~(u & 1) + 1); }

}  // namespace

void OpenChunk::Reserve(size_t extra) {
  if (size_ + extra <= capacity_) return;
  // Grow by half: open chunks are small and many, so a doubling's slack would cost more than the copies.
  size_t cap = std::max<size_t>({32, capacity_ + capacity_ / 2, size_ + extra});
  auto grown = std::make_unique_for_overwrite<uint8_t[]>(cap);
  if (size_ > 0) std::memcpy(grown.get(), data_.get(), size_);
  data_ = std::move(grown);
  capacity_ = static_cast<uint32_t>(cap);
}

void OpenChunk::Append(TimestampMs t, double v) {
  Reserve(10 + 1 + 8);
  uint8_t* p = data_.get() + size_;
  if (count_ == 0) {
    first_t_ = t;
    last_t_ = t;
    last_delta_ = 0;
    last_bits_ = 0;
  }
  const uint64_t delta = static_cast<uint64_t>(t) - static_cast<uint64_t>(last_t_);
  uint64_t dod = ZigZag(delta - last_delta_);
  while (dod >= 0x80) {
    *p++ = static_cast<uint8_t>(dod | 0x80);
    dod >>= 7;
  }
  *p++ = static_cast<uint8_t>(dod);

  const uint64_t bits = std::bit_cast<uint64_t>(v);
  const uint64_t x = bits ^ last_bits_;
  if (x == 0) {
    *p++ = 0;
  } else {
    const int z = std::countr_zero(x) / 8;
    const int n = 8 - std::countl_zero(x) / 8 - z;
    *p++ = static_cast<uint8_t>((z << 4) | n);
    uint64_t sig = x >> (8 * z);
    for (int i = 0; i < n; ++i) {
      *p++ = static_cast<uint8_t>(sig);
      sig >>= 8;
    }
  }
  size_ = static_cast<uint32_t>(p - data_.get());
  last_delta_ = delta;
  last_t_ = t;
  last_bits_ = bits;
  ++count_;
}

void OpenChunk::Decode(std::vector<int64_t>* ts, std::vector<double>* vs) const {
  ts->clear();
  vs->clear();
  ts->reserve(count_);
  vs->reserve(count_);
  OpenChunkReader r(bytes(), first_t_, count_);
  while (r.Next()) {
    ts->push_back(r.At().t);
    vs->push_back(r.At().v);
  }
}

void OpenChunk::Clear() {
  data_.reset();
  size_ = 0;
  capacity_ = 0;
  count_ = 0;
}

bool OpenChunkReader::ReadVarint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (pos_ >= bytes_.size()) return false;
    const uint64_t b = static_cast<uint8_t>(bytes_[pos_++]);
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

bool OpenChunkReader::Next() {
  if (left_ == 0) return false;
  uint64_t dod;
  if (!ReadVarint(&dod) || pos_ >= bytes_.size()) {
    left_ = 0;
    return false;
  }
  const uint8_t tag = static_cast<uint8_t>(bytes_[pos_++]);
  uint64_t x = 0;
  if (tag != 0) {
    const int z = tag >> 4;
    const int n = tag & 0x0f;
    if (n == 0 || z + n > 8 || pos_ + static_cast<size_t>(n) > bytes_.size()) {
      left_ = 0;
      return false;
    }
    for (int i = 0; i < n; ++i) x |= static_cast<uint64_t>(static_cast<uint8_t>(bytes_[pos_++])) << (8 * i);
    x <<= 8 * z;
  }
  prev_delta_ += UnZigZag(dod);
  prev_t_ += prev_delta_;
  prev_bits_ ^= x;
  cur_ = Sample{static_cast<TimestampMs>(prev_t_), std::bit_cast<double>(prev_bits_)};
  --left_;
  return true;
}

}  // namespace vigil::tsdb

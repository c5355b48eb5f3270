#include "tsdb/chunk/chunk_iterator.h"

#include <bit>

#include "absl/base/attributes.h"
#include "absl/strings/str_cat.h"
#include "base/status/status_macros.h"
#include "base/strings/absl_view.h"
#include "tsdb/chunk/decimal.h"

namespace vigil::tsdb {
namespace {

using chunk_internal::BitReader;
using chunk_internal::BitWidth;
using chunk_internal::FromDecimal;
using chunk_internal::kMaxDecimalExponent;
using chunk_internal::ReadVarBits;
using chunk_internal::UnZigZag;

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

absl::Status Truncated(std::string_view field, const BitReader& r) {
  return absl::DataLossError(
      absl::StrCat("chunk truncated: ", AV(field), " at byte offset ", r.position() / 8, " runs past the end"));
}

}  // namespace

ChunkIterator::ChunkIterator(std::string_view chunk) : data_(chunk) {
  err_ = Init(chunk);
  if (!err_.ok()) done_ = true;
}

absl::Status ChunkIterator::Init(std::string_view chunk) {
  VIGIL_ASSIGN_OR_RETURN(header_, ParseChunkHeader(chunk));
  const uint64_t n = header_.num_samples;
  BitReader r(Bytes(chunk), chunk.size(), static_cast<uint64_t>(header_.header_bytes) * 8);
  if (n == 0) return CheckEnd(r.position());
  if (n >= 2) step_ = (static_cast<uint64_t>(header_.max_time) - static_cast<uint64_t>(header_.min_time)) / (n - 1);
  if (header_.time_encoding == TimeEncoding::kDelta) {
    VIGIL_RETURN_IF_ERROR(time_residuals_.Init(&r, n - 1, "timestamp deltas"));
  } else if (header_.time_encoding == TimeEncoding::kGridOffset) {
    VIGIL_RETURN_IF_ERROR(time_residuals_.Init(&r, n - 1, "timestamp grid offsets"));
  }
  switch (header_.value_encoding) {
    case ValueEncoding::kNone:
      break;  // ParseChunkHeader rejects kNone with samples.
    case ValueEncoding::kConstant: {
      uint64_t tz;
      const uint64_t at = r.position() / 8;
      if (!r.ReadChecked(7, &tz)) return Truncated("constant value", r);
      if (tz > 64) {
        return absl::DataLossError(
            absl::StrCat("corrupt chunk: constant value trailing zero count ", tz, " > 64 at byte offset ", at));
      }
      uint64_t bits = 0;
      if (tz < 64) {
        if (!r.ReadChecked(64 - static_cast<int>(tz), &bits)) return Truncated("constant value", r);
        bits <<= tz;
      }
      constant_bits_ = bits;
      return CheckEnd(r.position());
    }
    case ValueEncoding::kDecimal: {
      uint64_t e;
      uint64_t order;
      uint64_t specials;
      const uint64_t at = r.position() / 8;
      if (!r.ReadChecked(5, &e) || !r.ReadChecked(2, &order)) return Truncated("decimal value header", r);
      if (e > kMaxDecimalExponent) {
        return absl::DataLossError(
            absl::StrCat("corrupt chunk: decimal exponent ", e, " > ", kMaxDecimalExponent, " at byte offset ", at));
      }
      if (order > 2 || (order > 0 && order >= n)) {
        return absl::DataLossError(
            absl::StrCat("corrupt chunk: difference order ", order, " for ", n, " samples at byte offset ", at));
      }
      exponent_ = static_cast<int>(e);
      order_ = static_cast<int>(order);
      const uint64_t specials_at = r.position() / 8;
      if (!r.ReadChecked(BitWidth(n), &specials)) return Truncated("exception count", r);
      if (specials > n) {
        return absl::DataLossError(absl::StrCat("corrupt chunk: exception count ", specials, " > ", n,
                                                " samples at byte offset ", specials_at));
      }
      special_pos_bits_ = BitWidth(n - 1);
      const uint64_t region = specials * (static_cast<uint64_t>(special_pos_bits_) + 64);
      if (region > r.remaining_bits()) return Truncated("value exceptions", r);
      specials_ = r;
      BitReader check = r;
      for (uint64_t i = 0, prev = 0; i < specials; ++i) {
        const uint64_t pos_at = check.position() / 8;
        const uint64_t pos = check.Read(special_pos_bits_);
        check.Read(64);
        if (pos >= n || (i > 0 && pos <= prev)) {
          return absl::DataLossError(absl::StrCat("corrupt chunk: value exception position ", pos,
                                                  " is not increasing or >= ", n, " at byte offset ", pos_at));
        }
        prev = pos;
      }
      specials_left_ = specials;
      LoadSpecial();
      r.Skip(region);
      uint64_t zz;
      if (order_ >= 1) {
        if (!ReadVarBits(&r, &zz)) return Truncated("first mantissa", r);
        mantissa_ = static_cast<uint64_t>(UnZigZag(zz));
      }
      if (order_ == 2) {
        if (!ReadVarBits(&r, &zz)) return Truncated("first mantissa delta", r);
        first_delta_ = static_cast<uint64_t>(UnZigZag(zz));
      }
      VIGIL_RETURN_IF_ERROR(value_residuals_.Init(&r, n - static_cast<uint64_t>(order_), "value residuals"));
      return CheckEnd(r.position());
    }
    case ValueEncoding::kXor:
      xor_ = chunk_internal::XorReader(r);
      break;  // Its end is only known after the last value; Next checks it.
  }
  return absl::OkStatus();
}

absl::Status ChunkIterator::CheckEnd(uint64_t end_bits) const {
  const uint64_t end_bytes = (end_bits + 7) / 8;
  if (end_bytes < data_.size()) {
    return absl::DataLossError(absl::StrCat("corrupt chunk: ", data_.size() - end_bytes,
                                            " unexpected bytes after the end of the chunk at byte offset ", end_bytes));
  }
  const int pad = static_cast<int>(end_bytes * 8 - end_bits);
  BitReader r(Bytes(data_), data_.size(), end_bits);
  if (r.Read(pad) != 0) {
    return absl::DataLossError(
        absl::StrCat("corrupt chunk: nonzero padding bits in the last byte at byte offset ", end_bytes - 1));
  }
  return absl::OkStatus();
}

bool ChunkIterator::Fail(absl::Status status) {
  err_ = std::move(status);
  done_ = true;
  return false;
}

void ChunkIterator::LoadSpecial() {
  if (specials_left_ == 0) {
    next_special_ = ~uint64_t{0};
    return;
  }
  --specials_left_;
  next_special_ = specials_.Read(special_pos_bits_);
  next_special_bits_ = specials_.Read(64);
}

ABSL_ATTRIBUTE_ALWAYS_INLINE inline bool ChunkIterator::Step() {
  if (done_) return false;
  if (index_ >= header_.num_samples) {
    done_ = true;
    return false;
  }
  if (index_ == 0) {
    t_ = header_.min_time;
    grid_ = static_cast<uint64_t>(t_);
  } else if (header_.time_encoding == TimeEncoding::kRegular) {
    t_ = static_cast<int64_t>(static_cast<uint64_t>(t_) + step_);
  } else {
    int64_t t;
    if (header_.time_encoding == TimeEncoding::kDelta) {
      t = static_cast<int64_t>(static_cast<uint64_t>(t_) + step_ + static_cast<uint64_t>(time_residuals_.Next()));
    } else {
      grid_ += step_;
      t = static_cast<int64_t>(grid_ + static_cast<uint64_t>(time_residuals_.Next()));
    }
    // Deltas lie in [0, 2^64), so a sum that wrapped lands at or below t_: this also catches overflow. Offsets
    // are checked the same way: the chunk is only valid if its timestamps increase up to max time.
    if (t <= t_ || t > header_.max_time) {
      return Fail(absl::DataLossError(absl::StrCat("corrupt chunk: timestamp ", t, " of sample ", index_,
                                                   " is not between the previous timestamp ", t_, " and the max time ",
                                                   header_.max_time, " (", AV(TimeEncodingName(header_.time_encoding)),
                                                   " timestamps start at byte offset ", header_.header_bytes, ")")));
    }
    t_ = t;
  }

  switch (header_.value_encoding) {
    case ValueEncoding::kNone:
      break;
    case ValueEncoding::kConstant:
      v_ = std::bit_cast<double>(constant_bits_);
      break;
    case ValueEncoding::kDecimal:
      if (order_ == 0) {
        mantissa_ = static_cast<uint64_t>(value_residuals_.Next());
      } else if (order_ == 1) {
        if (index_ > 0) mantissa_ += static_cast<uint64_t>(value_residuals_.Next());
      } else if (index_ == 1) {
        delta_ = first_delta_;
        mantissa_ += delta_;
      } else if (index_ >= 2) {
        delta_ += static_cast<uint64_t>(value_residuals_.Next());
        mantissa_ += delta_;
      }
      v_ = FromDecimal(static_cast<int64_t>(mantissa_), exponent_);
      if (index_ == next_special_) {
        v_ = std::bit_cast<double>(next_special_bits_);
        LoadSpecial();
      }
      break;
    case ValueEncoding::kXor: {
      uint64_t bits;
      if (!xor_.Next(&bits)) {
        return Fail(absl::DataLossError(absl::StrCat("chunk truncated or corrupt: XOR value of sample ", index_,
                                                     " at byte offset ", xor_.position() / 8,
                                                     " runs past the end or has an invalid window")));
      }
      v_ = std::bit_cast<double>(bits);
      break;
    }
  }
  ++index_;
  if (index_ == header_.num_samples) {
    if (t_ != header_.max_time) {
      return Fail(absl::DataLossError(absl::StrCat("corrupt chunk: last timestamp ", t_, " differs from the max time ",
                                                   header_.max_time, " in the header (time span at byte offset 2..",
                                                   header_.header_bytes, ")")));
    }
    if (header_.value_encoding == ValueEncoding::kXor) {
      if (absl::Status s = CheckEnd(xor_.position()); !s.ok()) return Fail(std::move(s));
    }
  }
  return true;
}

bool ChunkIterator::Next() { return Step(); }

bool ChunkIterator::AppendUntil(int64_t maxt, std::vector<Sample>* out) {
  if (!done_) out->reserve(out->size() + (header_.num_samples - index_));
  while (Step()) {
    if (t_ > maxt) return true;
    out->push_back(Sample{t_, v_});
  }
  return false;
}

bool ChunkIterator::Seek(int64_t t) {
  if (done_) return false;
  if (index_ > 0 && t_ >= t) return true;
  while (Next()) {
    if (t_ >= t) return true;
  }
  return false;
}

}  // namespace vigil::tsdb

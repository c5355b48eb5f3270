#include "tsdb/chunk/chunk_appender.h"

#include <bit>

#include "absl/strings/str_cat.h"
#include "tsdb/chunk/bit_stream.h"
#include "tsdb/chunk/decimal.h"
#include "tsdb/chunk/varint.h"
#include "tsdb/chunk/xor_codec.h"

namespace vigil::tsdb {
namespace {

using chunk_internal::BitCounter;
using chunk_internal::BitWidth;
using chunk_internal::BitWriter;
using chunk_internal::IntPlan;
using chunk_internal::kMaxDecimalExponent;
using chunk_internal::MinDecimalExponent;
using chunk_internal::PutVarint;
using chunk_internal::ToDecimal;
using chunk_internal::VarBitsCost;
using chunk_internal::WriteInts;
using chunk_internal::WriteVarBits;
using chunk_internal::WriteXor;
using chunk_internal::ZigZag;

// Field widths of the decimal value section.
constexpr int kExponentBits = 5;
constexpr int kOrderBits = 2;
// Field width of the constant value section's trailing-zero count (0..64).
constexpr int kTrailingZeroBits = 7;

// Decimal chunks costing more than this many bits per sample are also priced as XOR; below it XOR cannot win on
// realistic data and pricing it would only cost encode time.
constexpr uint64_t kTryXorAboveBitsPerSample = 16;

uint64_t Wrapping(int64_t v) { return static_cast<uint64_t>(v); }

}  // namespace

void ChunkEncoder::Reserve(size_t samples) {
  time_residuals_.reserve(samples);
  time_offsets_.reserve(samples);
  mantissas_.reserve(samples);
  deltas_.reserve(samples);
  delta_deltas_.reserve(samples);
  specials_.reserve(samples);
  planner_.Reserve(samples);
}

absl::Status ChunkEncoder::Encode(std::span<const int64_t> timestamps, std::span<const double> values,
                                  std::string* out) {
  if (timestamps.size() != values.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk encode: ", timestamps.size(), " timestamps but ", values.size(), " values"));
  }
  if (timestamps.size() > kMaxChunkSamples) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk encode: ", timestamps.size(), " samples exceed the limit of ", kMaxChunkSamples));
  }
  for (size_t i = 1; i < timestamps.size(); ++i) {
    if (timestamps[i] <= timestamps[i - 1]) {
      return absl::InvalidArgumentError(absl::StrCat("chunk encode: timestamp ", timestamps[i], " of sample ", i,
                                                     " is not after the previous timestamp ", timestamps[i - 1]));
    }
  }
  EncodeValid(timestamps.data(), values.data(), timestamps.size(), out);
  return absl::OkStatus();
}

bool ChunkEncoder::PlanDecimal(const double* values, size_t n) {
  // Smallest exponent of every value; -1 if it has none.
  uint32_t count_at[kMaxDecimalExponent + 1] = {};
  size_t inexact = 0;
  int hint = 0;
  for (size_t i = 0; i < n; ++i) {
    const int e = MinDecimalExponent(values[i], hint);
    if (e < 0) {
      if (++inexact > n / 2) return false;
      continue;
    }
    ++count_at[e];
    hint = e;
  }
  // One exponent serves the whole chunk. Values needing a larger one become exceptions stored raw: worth it for
  // a lone 0.1+0.2 among 0.01-resolution values, not when most values need the precision. Each decimal digit
  // costs about log2(10) bits per value.
  const uint64_t special_cost = static_cast<uint64_t>(BitWidth(n - 1)) + 64;
  int best_e = 0;
  double best_cost = 0;
  size_t above = inexact;
  for (int e = 0; e <= kMaxDecimalExponent; ++e) above += count_at[e];
  for (int e = 0; e <= kMaxDecimalExponent; ++e) {
    above -= count_at[e];
    const double cost = static_cast<double>(above * special_cost) + static_cast<double>(n - above) * 3.33 * e;
    if (e == 0 || cost < best_cost) {
      best_cost = cost;
      best_e = e;
    }
  }

  mantissas_.resize(n);
  specials_.clear();
  bool have_exact = false;
  int64_t prev = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t m;
    if (ToDecimal(values[i], best_e, &m)) {
      if (!have_exact) {
        // Leading exceptions take the first exact mantissa, so they add no delta.
        for (size_t j = 0; j < i; ++j) mantissas_[j] = m;
        have_exact = true;
      }
      prev = m;
    } else {
      specials_.push_back(static_cast<uint32_t>(i));
      m = prev;  // Holding the mantissa keeps the deltas around the exception small.
    }
    mantissas_[i] = m;
  }
  if (!have_exact) return false;

  // Raw mantissas, deltas or delta-of-deltas: whichever packs smallest.
  const int64_t* m = mantissas_.data();
  decimal_order_ = 0;
  decimal_plan_ = planner_.Plan(m, n);
  uint64_t best_bits = decimal_plan_.cost_bits;
  if (n >= 2) {
    deltas_.resize(n - 1);
    for (size_t i = 0; i + 1 < n; ++i) deltas_[i] = static_cast<int64_t>(Wrapping(m[i + 1]) - Wrapping(m[i]));
    const IntPlan plan = planner_.Plan(deltas_.data(), n - 1);
    const uint64_t bits = plan.cost_bits + VarBitsCost(ZigZag(m[0]));
    if (bits < best_bits) {
      best_bits = bits;
      decimal_order_ = 1;
      decimal_plan_ = plan;
    }
  }
  if (n >= 3) {
    delta_deltas_.resize(n - 2);
    for (size_t i = 0; i + 2 < n; ++i) {
      delta_deltas_[i] = static_cast<int64_t>(Wrapping(deltas_[i + 1]) - Wrapping(deltas_[i]));
    }
    const IntPlan plan = planner_.Plan(delta_deltas_.data(), n - 2);
    const uint64_t bits = plan.cost_bits + VarBitsCost(ZigZag(m[0])) + VarBitsCost(ZigZag(deltas_[0]));
    if (bits < best_bits) {
      best_bits = bits;
      decimal_order_ = 2;
      decimal_plan_ = plan;
    }
  }
  decimal_exponent_ = best_e;
  decimal_bits_ = kExponentBits + kOrderBits + BitWidth(n) + specials_.size() * special_cost + best_bits;
  return true;
}

void ChunkEncoder::EncodeValid(const int64_t* ts, const double* vs, size_t n, std::string* out) {
  stats_ = ChunkEncodeStats();
  const size_t start = out->size();
  out->push_back(static_cast<char>(kChunkFormatVersion));
  const size_t encoding_at = out->size();
  out->push_back(0);
  PutVarint(out, n);
  if (n == 0) {  // Encoding byte 0: no values, regular (no) timestamps.
    stats_.header_bytes = out->size() - start;
    return;
  }
  PutVarint(out, ZigZag(ts[0]));
  const uint64_t span = Wrapping(ts[n - 1]) - Wrapping(ts[0]);
  PutVarint(out, span);
  stats_.header_bytes = out->size() - start;

  BitWriter w(out);
  TimeEncoding time_encoding = TimeEncoding::kRegular;
  if (n >= 2) {
    const uint64_t step = span / (n - 1);
    time_residuals_.resize(n - 1);
    time_offsets_.resize(n - 1);
    bool regular = true;
    for (size_t i = 1; i < n; ++i) {
      const uint64_t delta = Wrapping(ts[i]) - Wrapping(ts[i - 1]);
      regular &= delta == step;
      time_residuals_[i - 1] = static_cast<int64_t>(delta - step);
      time_offsets_[i - 1] = static_cast<int64_t>(Wrapping(ts[i]) - Wrapping(ts[0]) - step * i);
    }
    if (!regular) {
      // The first sample sits on the grid by definition, so offsets start at sample 1.
      const IntPlan delta_plan = planner_.Plan(time_residuals_.data(), n - 1);
      const IntPlan offset_plan = planner_.Plan(time_offsets_.data(), n - 1);
      if (offset_plan.cost_bits < delta_plan.cost_bits) {
        time_encoding = TimeEncoding::kGridOffset;
        WriteInts(time_offsets_.data(), n - 1, offset_plan, &w);
      } else {
        time_encoding = TimeEncoding::kDelta;
        WriteInts(time_residuals_.data(), n - 1, delta_plan, &w);
      }
    }
  }

  stats_.time_bits = w.bit_count();
  ValueEncoding value_encoding = ValueEncoding::kConstant;
  const uint64_t first = std::bit_cast<uint64_t>(vs[0]);
  for (size_t i = 1; i < n; ++i) {
    if (std::bit_cast<uint64_t>(vs[i]) != first) {
      value_encoding = ValueEncoding::kDecimal;
      break;
    }
  }
  if (value_encoding == ValueEncoding::kDecimal) {
    const bool decimal = PlanDecimal(vs, n);
    if (!decimal || decimal_bits_ > kTryXorAboveBitsPerSample * n) {
      BitCounter counter;
      WriteXor(vs, n, &counter);
      if (!decimal || counter.bit_count() < decimal_bits_) value_encoding = ValueEncoding::kXor;
    }
  }

  switch (value_encoding) {
    case ValueEncoding::kConstant: {
      const int tz = first == 0 ? 64 : std::countr_zero(first);
      w.Write(static_cast<uint64_t>(tz), kTrailingZeroBits);
      if (tz < 64) w.Write(first >> tz, 64 - tz);
      break;
    }
    case ValueEncoding::kDecimal: {
      w.Write(static_cast<uint64_t>(decimal_exponent_), kExponentBits);
      w.Write(static_cast<uint64_t>(decimal_order_), kOrderBits);
      w.Write(specials_.size(), BitWidth(n));
      const int pos_bits = BitWidth(n - 1);
      for (uint32_t pos : specials_) {
        w.Write(pos, pos_bits);
        w.Write(std::bit_cast<uint64_t>(vs[pos]), 64);
      }
      if (decimal_order_ >= 1) WriteVarBits(&w, ZigZag(mantissas_[0]));
      if (decimal_order_ == 2) WriteVarBits(&w, ZigZag(deltas_[0]));
      const int64_t* residuals = decimal_order_ == 0   ? mantissas_.data()
                                 : decimal_order_ == 1 ? deltas_.data()
                                                       : delta_deltas_.data();
      WriteInts(residuals, n - static_cast<size_t>(decimal_order_), decimal_plan_, &w);
      stats_.decimal_exponent = decimal_exponent_;
      stats_.decimal_order = decimal_order_;
      stats_.value_exceptions = static_cast<uint32_t>(specials_.size());
      break;
    }
    case ValueEncoding::kXor:
      WriteXor(vs, n, &w);
      break;
    case ValueEncoding::kNone:
      break;
  }
  stats_.value_bits = w.bit_count() - stats_.time_bits;
  w.Flush();
  (*out)[encoding_at] =
      static_cast<char>(static_cast<uint8_t>(value_encoding) | (static_cast<uint8_t>(time_encoding) << 4));
}

ChunkAppender::ChunkAppender(size_t expected_samples) {
  timestamps_.reserve(expected_samples);
  values_.reserve(expected_samples);
  encoder_.Reserve(expected_samples);
}

absl::Status ChunkAppender::Append(int64_t t, double v) {
  if (!timestamps_.empty() && t <= timestamps_.back()) {
    return absl::InvalidArgumentError(
        absl::StrCat("chunk append: timestamp ", t, " is not after the chunk's last timestamp ", timestamps_.back()));
  }
  if (timestamps_.size() >= kMaxChunkSamples) {
    return absl::ResourceExhaustedError(absl::StrCat("chunk append: chunk is full (", kMaxChunkSamples, " samples)"));
  }
  timestamps_.push_back(t);
  values_.push_back(v);
  return absl::OkStatus();
}

std::string ChunkAppender::Finish() {
  std::string out;
  FinishTo(&out);
  return out;
}

void ChunkAppender::FinishTo(std::string* out) {
  encoder_.EncodeValid(timestamps_.data(), values_.data(), timestamps_.size(), out);
  Reset();
}

void ChunkAppender::Reset() {
  timestamps_.clear();
  values_.clear();
}

}  // namespace vigil::tsdb

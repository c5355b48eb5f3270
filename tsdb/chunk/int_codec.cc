#include "tsdb/chunk/int_codec.h"

#include <algorithm>
#include <bit>

#include "absl/strings/str_cat.h"
#include "base/strings/absl_view.h"

namespace vigil::tsdb::chunk_internal {
namespace {

// Width of the `b` and `hb` fields.
constexpr int kWidthFieldBits = 7;

uint64_t Gcd(uint64_t a, uint64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  const int shift = std::countr_zero(a | b);
  a >>= std::countr_zero(a);
  do {
    b >>= std::countr_zero(b);
    if (a > b) std::swap(a, b);
    b -= a;
  } while (b != 0);
  return a << shift;
}

uint64_t AbsAsUnsigned(int64_t v) { return v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v); }

// Exact division of a signed offset by a positive divisor; wraps like the decoder's multiplication.
int64_t DivideExact(int64_t v, uint64_t g) {
  if (v >= 0) return static_cast<int64_t>(static_cast<uint64_t>(v) / g);
  return static_cast<int64_t>(0 - (AbsAsUnsigned(v) / g));
}

// The unsigned code of r for the given mode, base and divisor (g > 0).
inline uint64_t Code(int64_t r, bool zigzag, int64_t base, uint64_t g, int g_shift) {
  const uint64_t d = static_cast<uint64_t>(r) - static_cast<uint64_t>(base);
  if (!zigzag) return g_shift >= 0 ? d >> g_shift : d / g;
  const int64_t sd = static_cast<int64_t>(d);
  return ZigZag(g_shift >= 0 ? (sd >> g_shift) : DivideExact(sd, g));
}

// log2(g) if g is a power of two, else -1 (then Code divides).
int ShiftFor(uint64_t g) { return std::has_single_bit(g) ? std::countr_zero(g) : -1; }

uint64_t HeaderBits(int64_t base, uint64_t gcd, size_t k, uint32_t exceptions) {
  uint64_t bits = 1 + VarBitsCost(ZigZag(base)) + VarBitsCost(gcd);
  if (gcd == 0) return bits;
  bits += kWidthFieldBits + BitWidth(k);
  if (exceptions > 0) bits += kWidthFieldBits;
  return bits;
}

}  // namespace

void WriteVarBits(BitWriter* w, uint64_t v) {
  const int width = BitWidth(v);
  if (width >= 63) {
    w->Write(63, 6);
    w->Write(v, 64);
  } else {
    w->Write(static_cast<uint64_t>(width), 6);
    w->Write(v, width);
  }
}

int VarBitsCost(uint64_t v) {
  const int width = BitWidth(v);
  return 6 + (width >= 63 ? 64 : width);
}

bool ReadVarBits(BitReader* r, uint64_t* v) {
  uint64_t len;
  if (!r->ReadChecked(6, &len)) return false;
  return r->ReadChecked(len == 63 ? 64 : static_cast<int>(len), v);
}

IntPlan IntPlanner::Plan(const int64_t* r, size_t k) {
  if (k == 0) return IntPlan{};
  int64_t lo = r[0];
  int64_t hi = r[0];
  for (size_t i = 1; i < k; ++i) {
    lo = std::min(lo, r[i]);
    hi = std::max(hi, r[i]);
  }
  if (lo == hi) {
    IntPlan plan;
    plan.base = lo;
    plan.cost_bits = HeaderBits(lo, 0, k, 0);
    return plan;
  }
  IntPlan best = PlanMode(r, k, /*zigzag=*/false, lo);
  // A signed mode around the median wins when outliers lie below the bulk (a counter reset, a late scrape
  // followed by an early one): the minimum would then shift every offset.
  scratch_.assign(r, r + k);
  auto mid = scratch_.begin() + static_cast<std::ptrdiff_t>(k / 2);
  std::nth_element(scratch_.begin(), mid, scratch_.end());
  const int64_t median = *mid;
  if (median != lo) {
    IntPlan signed_plan = PlanMode(r, k, /*zigzag=*/true, median);
    if (signed_plan.cost_bits < best.cost_bits) best = signed_plan;
  }
  return best;
}

IntPlan IntPlanner::PlanMode(const int64_t* r, size_t k, bool zigzag, int64_t base) {
  uint64_t g = 0;
  for (size_t i = 0; i < k && g != 1; ++i) {
    const uint64_t d = static_cast<uint64_t>(r[i]) - static_cast<uint64_t>(base);
    g = Gcd(g, zigzag ? AbsAsUnsigned(static_cast<int64_t>(d)) : d);
  }
  IntPlan plan;
  plan.zigzag = zigzag;
  plan.base = base;
  plan.gcd = g;
  if (g == 0) {
    plan.cost_bits = HeaderBits(base, 0, k, 0);
    return plan;
  }
  const int g_shift = ShiftFor(g);
  uint32_t hist[65] = {};
  for (size_t i = 0; i < k; ++i) ++hist[BitWidth(Code(r[i], zigzag, base, g, g_shift))];
  int max_width = 64;
  while (max_width > 0 && hist[max_width] == 0) --max_width;

  const uint64_t pos_bits = static_cast<uint64_t>(BitWidth(k - 1));
  uint64_t best_cost = static_cast<uint64_t>(k) * static_cast<uint64_t>(max_width);
  int best_b = max_width;
  uint32_t best_e = 0;
  uint32_t e = 0;
  for (int b = max_width - 1; b >= 0; --b) {
    e += hist[b + 1];
    const uint64_t cost = static_cast<uint64_t>(k) * static_cast<uint64_t>(b) + kWidthFieldBits +
                          static_cast<uint64_t>(e) * (pos_bits + static_cast<uint64_t>(max_width - b));
    if (cost < best_cost) {
      best_cost = cost;
      best_b = b;
      best_e = e;
    }
  }
  plan.low_bits = best_b;
  plan.exceptions = best_e;
  plan.high_bits = best_e > 0 ? max_width - best_b : 0;
  plan.cost_bits = HeaderBits(base, g, k, best_e) + static_cast<uint64_t>(k) * static_cast<uint64_t>(best_b) +
                   static_cast<uint64_t>(best_e) * (pos_bits + static_cast<uint64_t>(plan.high_bits));
  return plan;
}

void WriteInts(const int64_t* r, size_t k, const IntPlan& plan, BitWriter* w) {
  if (k == 0) return;
  w->WriteBit(plan.zigzag);
  WriteVarBits(w, ZigZag(plan.base));
  WriteVarBits(w, plan.gcd);
  if (plan.gcd == 0) return;
  const int b = plan.low_bits;
  w->Write(static_cast<uint64_t>(b), kWidthFieldBits);
  w->Write(plan.exceptions, BitWidth(k));
  if (plan.exceptions > 0) w->Write(static_cast<uint64_t>(plan.high_bits), kWidthFieldBits);
  const int g_shift = ShiftFor(plan.gcd);
  if (b > 0) {
    for (size_t i = 0; i < k; ++i) w->Write(Code(r[i], plan.zigzag, plan.base, plan.gcd, g_shift), b);
  }
  if (plan.exceptions == 0) return;
  const int pos_bits = BitWidth(k - 1);
  for (size_t i = 0; i < k; ++i) {
    const uint64_t high = Code(r[i], plan.zigzag, plan.base, plan.gcd, g_shift) >> b;
    if (high != 0) {
      w->Write(i, pos_bits);
      w->Write(high, plan.high_bits);
    }
  }
}

absl::Status IntReader::Init(BitReader* r, uint64_t k, std::string_view what) {
  *this = IntReader();
  if (k == 0) return absl::OkStatus();
  const uint64_t start = r->position();
  auto truncated = [&](std::string_view field) {
    return absl::DataLossError(absl::StrCat("chunk truncated: ", AV(what), " ", AV(field), " at byte offset ",
                                            r->position() / 8, " (stream starts at byte ", start / 8,
                                            ") runs past the end"));
  };
  uint64_t mode;
  uint64_t base;
  if (!r->ReadChecked(1, &mode)) return truncated("mode");
  if (!ReadVarBits(r, &base)) return truncated("base");
  if (!ReadVarBits(r, &gcd_)) return truncated("divisor");
  zigzag_ = mode != 0;
  base_ = UnZigZag(base);
  if (gcd_ == 0) return absl::OkStatus();  // Every value equals base.
  constant_ = false;
  uint64_t b;
  uint64_t exceptions;
  const uint64_t b_offset = r->position() / 8;
  if (!r->ReadChecked(kWidthFieldBits, &b)) return truncated("bit width");
  if (b > 64) {
    return absl::DataLossError(
        absl::StrCat("corrupt chunk: ", AV(what), " bit width ", b, " > 64 at byte offset ", b_offset));
  }
  const uint64_t e_offset = r->position() / 8;
  if (!r->ReadChecked(BitWidth(k), &exceptions)) return truncated("patch count");
  if (exceptions > k) {
    return absl::DataLossError(absl::StrCat("corrupt chunk: ", AV(what), " patch count ", exceptions, " > ", k,
                                            " values at byte offset ", e_offset));
  }
  uint64_t hb = 0;
  if (exceptions > 0) {
    const uint64_t hb_offset = r->position() / 8;
    if (!r->ReadChecked(kWidthFieldBits, &hb)) return truncated("patch width");
    if (hb == 0 || b + hb > 64) {
      return absl::DataLossError(absl::StrCat("corrupt chunk: ", AV(what), " patch width ", hb, " with ", b,
                                              " low bits is outside 1..", 64 - b, " at byte offset ", hb_offset));
    }
  }
  low_bits_ = static_cast<int>(b);
  high_bits_ = static_cast<int>(hb);
  pos_bits_ = BitWidth(k - 1);
  // k <= 2^32 and widths <= 64, so these products cannot overflow.
  const uint64_t low_region = k * b;
  const uint64_t patch_region = exceptions * (static_cast<uint64_t>(pos_bits_) + hb);
  if (low_region + patch_region > r->remaining_bits()) {
    return absl::DataLossError(absl::StrCat("chunk truncated: ", AV(what), " need ", low_region + patch_region,
                                            " bits of packed values from byte offset ", r->position() / 8, " but only ",
                                            r->remaining_bits(), " remain"));
  }
  low_ = *r;
  patches_ = *r;
  patches_.Skip(low_region);
  // Validate patch positions once so that Next() needs no error path.
  BitReader check = patches_;
  uint64_t prev = 0;
  for (uint64_t i = 0; i < exceptions; ++i) {
    const uint64_t at = check.position() / 8;
    const uint64_t pos = check.Read(pos_bits_);
    check.Read(high_bits_);
    if (pos >= k || (i > 0 && pos <= prev)) {
      return absl::DataLossError(absl::StrCat("corrupt chunk: ", AV(what), " patch position ", pos,
                                              " is not increasing or >= ", k, " at byte offset ", at));
    }
    prev = pos;
  }
  patches_left_ = exceptions;
  LoadPatch();
  r->Skip(low_region + patch_region);
  return absl::OkStatus();
}

}  // namespace vigil::tsdb::chunk_internal

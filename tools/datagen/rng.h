// Deterministic pseudo-random numbers for the data generator: the same seed gives the same stream on every
// machine and compiler (no std:: distributions, whose output the standard leaves to the library).
#ifndef VIGIL_TOOLS_DATAGEN_RNG_H_
#define VIGIL_TOOLS_DATAGEN_RNG_H_

#include <cstdint>

namespace vigil::datagen {

// SplitMix64's output function: a bijective 64-bit mixer with good avalanche.
constexpr uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Hashes two words into one, for deriving seeds (fleet seed + host index, host seed + series key).
constexpr uint64_t HashPair(uint64_t a, uint64_t b) { return Mix64(Mix64(a + 0x9E3779B97F4A7C15ULL) ^ b); }

// A uniform double in [0, 1) from a hash.
constexpr double ToUnit(uint64_t h) { return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0); }

// A SplitMix64 generator.
class Rng {
 public:
  explicit Rng(uint64_t seed = 1) : state_(seed) {}

  uint64_t Next() { return Mix64(state_ += 0x9E3779B97F4A7C15ULL); }
  // Uniform in [0, 1).
  double Uniform() { return ToUnit(Next()); }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [lo, hi].
  int64_t Int(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1)); }
  bool Chance(double p) { return Uniform() < p; }
  // Approximately standard normal (Irwin-Hall with four terms: mean 0, variance 1, tails cut at +-3.46), cheap
  // and portable.
  double Normal() { return (Uniform() + Uniform() + Uniform() + Uniform() - 2.0) * 1.7320508075688772; }

 private:
  uint64_t state_;
};

}  // namespace vigil::datagen

#endif  // VIGIL_TOOLS_DATAGEN_RNG_H_

// Seeded randomness. Every component draws from its own generator, derived from one seed
// and the component's name, so adding a draw in one component never shifts another's
// sequence. The algorithms (xoshiro256**, SplitMix64 seeding, and the distributions below)
// are written out here rather than taken from <random>, whose distributions differ between
// standard libraries: the same seed gives the same numbers everywhere.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace runtime {

class Random {
 public:
  explicit Random(std::uint64_t seed);

  // A generator for `component`, independent of every other name under the same seed.
  static Random derive(std::uint64_t seed, std::string_view component);

  std::uint64_t next();

  // Uniform in [low, high], both inclusive; low <= high.
  std::uint64_t uniform(std::uint64_t low, std::uint64_t high);
  // Uniform in [0, 1).
  double unit();
  // Exponentially distributed with the given mean.
  double exponential(double mean);
  // Normally distributed (Box-Muller).
  double normal(double mean, double stddev);
  // True with probability p.
  bool chance(double p);
  // `count` random bytes as lower-case hex (2 * count characters).
  std::string hex(std::size_t count);
  // `length` characters from [0-9A-Za-z].
  std::string alphanumeric(std::size_t length);

 private:
  std::array<std::uint64_t, 4> state_{};
};

// FNV-1a, 64 bits: a stable hash for deriving seeds from names.
std::uint64_t stable_hash(std::string_view text);

}  // namespace runtime

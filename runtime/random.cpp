#include "runtime/random.hpp"

#include <cassert>
#include <cmath>
#include <numbers>

namespace runtime {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

Random::Random(std::uint64_t seed) {
  for (auto& word : state_) {
    word = splitmix64(seed);
  }
}

Random Random::derive(std::uint64_t seed, std::string_view component) {
  std::uint64_t mixed = seed;
  std::uint64_t salt = splitmix64(mixed) ^ stable_hash(component);
  return Random(salt);
}

std::uint64_t Random::next() {
  const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const std::uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

std::uint64_t Random::uniform(std::uint64_t low, std::uint64_t high) {
  assert(low <= high);
  const std::uint64_t span = high - low;
  if (span == UINT64_MAX) {
    return next();
  }
  // Rejection sampling keeps the result unbiased.
  const std::uint64_t range = span + 1;
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % range;
  std::uint64_t value = next();
  while (value >= limit) {
    value = next();
  }
  return low + value % range;
}

double Random::unit() {
  // The top 53 bits fill a double's mantissa exactly.
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

double Random::exponential(double mean) { return -mean * std::log1p(-unit()); }

double Random::normal(double mean, double stddev) {
  const double u1 = 1.0 - unit();  // in (0, 1]
  const double u2 = unit();
  return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

bool Random::chance(double p) { return unit() < p; }

std::string Random::hex(std::size_t count) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(count * 2);
  for (std::size_t i = 0; i < count; ++i) {
    auto byte = static_cast<unsigned>(uniform(0, 255));
    text += digits[byte >> 4];
    text += digits[byte & 15];
  }
  return text;
}

std::string Random::alphanumeric(std::size_t length) {
  static constexpr std::string_view alphabet =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string text;
  text.reserve(length);
  for (std::size_t i = 0; i < length; ++i) {
    text += alphabet[uniform(0, alphabet.size() - 1)];
  }
  return text;
}

}  // namespace runtime

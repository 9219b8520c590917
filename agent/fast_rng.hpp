#pragma once

#include <cstdint>
#include <limits>

namespace grid::agent {

/// The engine's random numbers: xoshiro256** (Blackman and Vigna), seeded through
/// splitmix64. Not cryptographic; 4 words of state, a handful of instructions per number,
/// no allocation, so it suits the hot path (think times, scenario picks, ${random(..)},
/// UUIDs, random data rows). One per engine thread, never shared; seed each engine
/// differently (e.g. from the agent id and the engine index) so engines do not repeat
/// each other. Meets UniformRandomBitGenerator, so <random> distributions accept it.
class FastRng {
public:
  using result_type = uint64_t;

  explicit FastRng(uint64_t seed) {
    for (auto& word : s_) word = splitmix64(seed);
  }

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

  /// 64 uniformly random bits.
  result_type operator()() { return next(); }
  uint64_t next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, 1), 53 random bits.
  double uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  /// Uniform in [0, n); 0 when n is 0. Unbiased (Lemire's multiply-and-reject).
  uint64_t below(uint64_t n) {
    if (n == 0) return 0;
    __extension__ using u128 = unsigned __int128;
    u128 m = static_cast<u128>(next()) * n;
    auto low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<u128>(next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  /// Uniform in [low, high], inclusive; any int64 range, including the full one.
  /// Requires low <= high (returns low otherwise).
  int64_t between(int64_t low, int64_t high) {
    if (high <= low) return low;
    const uint64_t span = static_cast<uint64_t>(high) - static_cast<uint64_t>(low);  // high - low, mod 2^64
    const uint64_t offset = span == std::numeric_limits<uint64_t>::max() ? next() : below(span + 1);
    return static_cast<int64_t>(static_cast<uint64_t>(low) + offset);  // wraps back into range
  }

private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t s_[4];
};

}  // namespace grid::agent

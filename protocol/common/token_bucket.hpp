#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "protocol/common/clock.hpp"

namespace grid::common {

/// A token bucket: up to `burst` events at once, then `rate_per_s` a second on average.
/// Pure: the caller passes the time. It starts full.
class TokenBucket {
public:
  TokenBucket(double rate_per_s, double burst) : rate_(rate_per_s), burst_(burst), tokens_(burst) {}

  /// Takes one token at `now`; false (nothing taken) when the bucket is empty. Times
  /// that go back are taken as no time passing.
  bool try_take(SteadyTime now);
  /// True when the bucket would be full at `now` (nothing to remember about it).
  bool full_at(SteadyTime now) const;

private:
  void refill(SteadyTime now);
  double rate_;
  double burst_;
  double tokens_;
  SteadyTime last_{};
  bool started_ = false;
};

/// One TokenBucket per key (a node id), made on first use, for rate limits "per node".
/// Bounded: past `max_keys` keys, buckets that are full again are forgotten (a full
/// bucket is the same as a new one); if none is, the new key shares an overflow bucket,
/// so that a sender inventing names cannot grow memory or escape the limit.
class KeyedTokenBuckets {
public:
  KeyedTokenBuckets(double rate_per_s, double burst, size_t max_keys = 4096)
      : rate_(rate_per_s), burst_(burst), max_keys_(max_keys), overflow_(rate_per_s, burst) {}

  /// Takes one token from `key`'s bucket at `now`.
  bool try_take(const std::string& key, SteadyTime now);
  size_t keys() const { return buckets_.size(); }

private:
  double rate_;
  double burst_;
  size_t max_keys_;
  TokenBucket overflow_;
  std::unordered_map<std::string, TokenBucket> buckets_;
};

}  // namespace grid::common

#include "protocol/common/token_bucket.hpp"

#include <algorithm>
#include <iterator>

namespace grid::common {

void TokenBucket::refill(SteadyTime now) {
  if (!started_) {
    started_ = true;
    last_ = now;
    return;
  }
  if (now <= last_) return;
  const double seconds = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(burst_, tokens_ + seconds * rate_);
  last_ = now;
}

bool TokenBucket::try_take(SteadyTime now) {
  refill(now);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

bool TokenBucket::full_at(SteadyTime now) const {
  if (!started_) return true;
  const double seconds = now > last_ ? std::chrono::duration<double>(now - last_).count() : 0.0;
  return tokens_ + seconds * rate_ >= burst_;
}

bool KeyedTokenBuckets::try_take(const std::string& key, SteadyTime now) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) {
      for (auto i = buckets_.begin(); i != buckets_.end();)
        i = i->second.full_at(now) ? buckets_.erase(i) : std::next(i);
      if (buckets_.size() >= max_keys_) return overflow_.try_take(now);
    }
    it = buckets_.emplace(key, TokenBucket(rate_, burst_)).first;
  }
  return it->second.try_take(now);
}

}  // namespace grid::common

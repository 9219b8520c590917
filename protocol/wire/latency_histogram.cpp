#include "protocol/wire/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace grid::wire {
namespace {

constexpr uint32_t chunk_of(uint32_t index) {
  return index < LatencyHistogram::kLinearLimit
             ? 0
             : 1 + (index - LatencyHistogram::kLinearLimit) / LatencyHistogram::kSubBuckets;
}

constexpr uint32_t offset_in_chunk(uint32_t index) {
  return index < LatencyHistogram::kLinearLimit
             ? index
             : (index - LatencyHistogram::kLinearLimit) % LatencyHistogram::kSubBuckets;
}

constexpr size_t chunk_size(uint32_t chunk) {
  return chunk == 0 ? LatencyHistogram::kLinearLimit : LatencyHistogram::kSubBuckets;
}

constexpr uint32_t first_index_of_chunk(uint32_t chunk) {
  return chunk == 0 ? 0 : LatencyHistogram::kLinearLimit + (chunk - 1) * LatencyHistogram::kSubBuckets;
}

}  // namespace

LatencyHistogram::LatencyHistogram(const LatencyHistogram& other) { *this = other; }

LatencyHistogram& LatencyHistogram::operator=(const LatencyHistogram& other) {
  if (this == &other) return *this;
  for (uint32_t c = 0; c < kChunks; ++c) {
    chunks_[c] = other.chunks_[c] ? std::make_unique<Chunk>(*other.chunks_[c]) : nullptr;
  }
  count_ = other.count_;
  clamped_ = other.clamped_;
  min_ = other.min_;
  max_ = other.max_;
  sum_ = other.sum_;
  return *this;
}

uint32_t LatencyHistogram::index_of(uint64_t value_us) {
  if (value_us > kMaxValue) value_us = kMaxValue;
  if (value_us < kLinearLimit) return static_cast<uint32_t>(value_us);
  const unsigned msb = 63 - static_cast<unsigned>(std::countl_zero(value_us));
  const unsigned shift = msb - 10;                            // >= 1: keeps 11 significant bits
  const auto sub = static_cast<uint32_t>(value_us >> shift);  // in [1024, 2047]
  return kLinearLimit + (shift - 1) * kSubBuckets + (sub - kSubBuckets);
}

uint64_t LatencyHistogram::lowest_value_of(uint32_t index) {
  if (index < kLinearLimit) return index;
  const uint32_t shift = 1 + (index - kLinearLimit) / kSubBuckets;
  const uint64_t sub = kSubBuckets + (index - kLinearLimit) % kSubBuckets;
  return sub << shift;
}

uint64_t LatencyHistogram::highest_value_of(uint32_t index) {
  if (index < kLinearLimit) return index;
  const uint32_t shift = 1 + (index - kLinearLimit) / kSubBuckets;
  return lowest_value_of(index) + (uint64_t{1} << shift) - 1;
}

void LatencyHistogram::add_at(uint32_t index, uint64_t n) {
  auto& chunk = chunks_[chunk_of(index)];
  if (!chunk) chunk = std::make_unique<Chunk>(chunk_size(chunk_of(index)));
  const uint32_t offset = offset_in_chunk(index);
  chunk->counts[offset] += n;
  chunk->touch(offset);
}

uint64_t LatencyHistogram::bucket(uint32_t index) const {
  const auto& chunk = chunks_[chunk_of(index)];
  return chunk ? chunk->counts[offset_in_chunk(index)] : 0;
}

void LatencyHistogram::record_n(uint64_t value_us, uint64_t n) {
  if (n == 0) return;
  if (value_us > kMaxValue) {
    value_us = kMaxValue;
    clamped_ += n;
  }
  add_at(index_of(value_us), n);
  count_ += n;
  sum_ += value_us * n;
  min_ = std::min(min_, value_us);
  max_ = std::max(max_, value_us);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  for (uint32_t c = 0; c < kChunks; ++c) {
    if (!other.chunks_[c]) continue;
    if (!chunks_[c]) {
      chunks_[c] = std::make_unique<Chunk>(*other.chunks_[c]);
      continue;
    }
    Chunk& mine = *chunks_[c];
    const Chunk& theirs = *other.chunks_[c];
    for (uint32_t i = theirs.lo; i < theirs.hi; ++i) mine.counts[i] += theirs.counts[i];
    if (theirs.lo < theirs.hi) {
      mine.touch(theirs.lo);
      mine.touch(theirs.hi - 1);
    }
  }
  count_ += other.count_;
  clamped_ += other.clamped_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::reset() { *this = LatencyHistogram(); }

uint64_t LatencyHistogram::percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // rank = ceil(p/100 * count) in integers, reading p to 7 decimal places: in doubles,
  // 99.9/100 * 1000 is 999.0000000000001, and a naive ceil would pick the 1000th sample.
  constexpr uint64_t kScale = 1'000'000'000;  // p/100 in parts per billion
  const auto q = static_cast<uint64_t>(std::llround(p * 1e7));
  uint64_t rank = count_ / kScale * q + ((count_ % kScale) * q + kScale - 1) / kScale;
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (uint32_t c = 0; c < kChunks; ++c) {
    if (!chunks_[c]) continue;
    const Chunk& chunk = *chunks_[c];
    for (uint32_t i = chunk.lo; i < chunk.hi; ++i) {
      seen += chunk.counts[i];
      if (seen >= rank) {
        const uint32_t index = first_index_of_chunk(c) + static_cast<uint32_t>(i);
        const uint64_t mid = lowest_value_of(index) + (highest_value_of(index) - lowest_value_of(index)) / 2;
        return std::clamp(mid, min(), max_);
      }
    }
  }
  return max_;
}

bool LatencyHistogram::operator==(const LatencyHistogram& other) const {
  if (count_ != other.count_ || clamped_ != other.clamped_ || sum_ != other.sum_ || min() != other.min() ||
      max_ != other.max_) {
    return false;
  }
  for (uint32_t c = 0; c < kChunks; ++c) {
    const uint32_t first = first_index_of_chunk(c);
    for (uint32_t i = 0; i < chunk_size(c); ++i) {
      if (bucket(first + i) != other.bucket(first + i)) return false;
    }
  }
  return true;
}

HistogramWire LatencyHistogram::to_wire() const {
  HistogramWire wire;
  for (uint32_t c = 0; c < kChunks; ++c) {
    if (!chunks_[c]) continue;
    const Chunk& chunk = *chunks_[c];
    for (uint32_t i = chunk.lo; i < chunk.hi; ++i) {
      if (chunk.counts[i] == 0) continue;
      wire.indexes.push_back(first_index_of_chunk(c) + i);
      wire.counts.push_back(chunk.counts[i]);
    }
  }
  wire.min_us = min();
  wire.max_us = max_;
  wire.sum_us = sum_;
  wire.clamped = clamped_;
  return wire;
}

std::optional<LatencyHistogram> LatencyHistogram::from_wire(const HistogramWire& wire, std::string& error) {
  if (wire.indexes.size() != wire.counts.size()) {
    error = "histogram has " + std::to_string(wire.indexes.size()) + " indexes but " +
            std::to_string(wire.counts.size()) + " counts";
    return std::nullopt;
  }
  LatencyHistogram h;
  uint64_t total = 0;
  for (size_t i = 0; i < wire.indexes.size(); ++i) {
    const uint32_t index = wire.indexes[i];
    if (index >= kBucketCount) {
      error = "histogram bucket index " + std::to_string(index) + " is out of range";
      return std::nullopt;
    }
    if (i > 0 && index <= wire.indexes[i - 1]) {
      error = "histogram bucket indexes are not strictly ascending";
      return std::nullopt;
    }
    if (wire.counts[i] == 0) {
      error = "histogram bucket " + std::to_string(index) + " has a zero count";
      return std::nullopt;
    }
    if (total + wire.counts[i] < total) {
      error = "histogram counts overflow";
      return std::nullopt;
    }
    total += wire.counts[i];
    h.add_at(index, wire.counts[i]);
  }
  if (total == 0) {
    if (wire.min_us != 0 || wire.max_us != 0 || wire.sum_us != 0) {
      error = "empty histogram has non-zero min, max or sum";
      return std::nullopt;
    }
    return h;
  }
  if (wire.min_us > wire.max_us || index_of(wire.min_us) != wire.indexes.front() ||
      index_of(wire.max_us) != wire.indexes.back()) {
    error = "histogram min/max do not match its lowest/highest buckets";
    return std::nullopt;
  }
  h.count_ = total;
  h.min_ = wire.min_us;
  h.max_ = wire.max_us;
  h.sum_ = wire.sum_us;
  h.clamped_ = std::min(wire.clamped, total);
  return h;
}

}  // namespace grid::wire

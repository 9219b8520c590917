#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <msgpack.hpp>

namespace grid::wire {

/// Sparse wire form of a LatencyHistogram: the non-empty buckets in ascending index order,
/// as parallel arrays, plus the exact extremes and sum. Append-only positional fields.
struct HistogramWire {
  std::vector<uint32_t> indexes;  // bucket indexes, strictly ascending
  std::vector<uint64_t> counts;   // samples per bucket, each > 0, same length as indexes
  uint64_t min_us = 0;            // exact smallest recorded value (0 when empty)
  uint64_t max_us = 0;            // exact largest recorded value (0 when empty)
  uint64_t sum_us = 0;            // sum of recorded values, for the mean
  uint64_t clamped = 0;           // samples above the range, counted in the top bucket
  MSGPACK_DEFINE(indexes, counts, min_us, max_us, sum_us, clamped)
};

/// Log-linear latency histogram with three significant digits, in microseconds.
///
/// Values below 2048 µs get one bucket each (exact). Above, each power of two is split
/// into 1024 equal buckets, so a bucket's width is at most 1/1024 of its lowest value:
/// the relative error of any reported value is below 0.1% (HdrHistogram's idea). The
/// range is 0 to 2^40 µs (about 12.7 days); larger values are clamped to the top bucket
/// and counted in `clamped()`.
///
/// Buckets are allocated lazily, one power of two at a time, so a typical latency
/// distribution costs tens of KiB rather than the 250 KiB of the full range. Two
/// histograms merge by adding counts; merging is exact, commutative and associative,
/// which is what lets percentiles be computed over a whole grid.
class LatencyHistogram {
public:
  static constexpr unsigned kSubBuckets = 1024;              // buckets per power of two
  static constexpr unsigned kLinearLimit = 2 * kSubBuckets;  // values below are exact
  static constexpr unsigned kMaxExponent = 40;               // values up to 2^40 µs
  static constexpr uint64_t kMaxValue = (uint64_t{1} << kMaxExponent) - 1;
  static constexpr unsigned kChunks = kMaxExponent - 10;  // chunk 0 linear + 29 log chunks
  static constexpr uint32_t kBucketCount = kLinearLimit + (kChunks - 1) * kSubBuckets;

  LatencyHistogram() = default;
  LatencyHistogram(const LatencyHistogram& other);
  LatencyHistogram& operator=(const LatencyHistogram& other);
  LatencyHistogram(LatencyHistogram&&) noexcept = default;
  LatencyHistogram& operator=(LatencyHistogram&&) noexcept = default;

  /// Records one sample of `value_us` microseconds.
  void record(uint64_t value_us) { record_n(value_us, 1); }
  /// Records `n` samples of the same value.
  void record_n(uint64_t value_us, uint64_t n);

  /// Adds every sample of `other` to this histogram.
  void merge(const LatencyHistogram& other);
  void reset();

  uint64_t count() const { return count_; }
  uint64_t clamped() const { return clamped_; }
  /// Exact extremes; 0 when empty.
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  uint64_t sum() const { return sum_; }

  /// Value at percentile `p` (0..100) by nearest rank: the representative value of the
  /// bucket holding the ceil(p/100 * count)-th smallest sample, clamped to [min, max].
  /// Returns 0 for an empty histogram.
  uint64_t percentile(double p) const;

  bool operator==(const LatencyHistogram& other) const;

  HistogramWire to_wire() const;
  /// Rebuilds a histogram from its wire form. Returns std::nullopt and sets `error` when
  /// the form is inconsistent (unsorted or out-of-range indexes, zero counts, length
  /// mismatch, extremes that contradict the buckets).
  static std::optional<LatencyHistogram> from_wire(const HistogramWire& wire, std::string& error);

  /// Bucket index of a value, and the range of values a bucket stands for.
  static uint32_t index_of(uint64_t value_us);
  static uint64_t lowest_value_of(uint32_t index);
  static uint64_t highest_value_of(uint32_t index);

private:
  // One power of two's buckets, with the range of offsets that may be non-zero, so that
  // merging, encoding and percentiles touch the few hundred buckets a window uses, not
  // all 1,024 of every chunk.
  struct Chunk {
    std::vector<uint64_t> counts;
    uint32_t lo = UINT32_MAX;  // lowest offset ever counted
    uint32_t hi = 0;           // one past the highest offset ever counted
    explicit Chunk(size_t size) : counts(size, 0) {}
    void touch(uint32_t offset) {
      if (offset < lo) lo = offset;
      if (offset + 1 > hi) hi = offset + 1;
    }
  };
  void add_at(uint32_t index, uint64_t n);
  uint64_t bucket(uint32_t index) const;

  std::array<std::unique_ptr<Chunk>, kChunks> chunks_{};
  uint64_t count_ = 0;
  uint64_t clamped_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  uint64_t sum_ = 0;
};

}  // namespace grid::wire

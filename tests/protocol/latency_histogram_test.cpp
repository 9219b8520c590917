// LatencyHistogram: bucket layout, percentile accuracy against exact nearest-rank
// percentiles of the raw samples, clamping, and the sparse wire form.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>

#include "protocol/wire/latency_histogram.hpp"
#include "protocol/wire/msgpack_adaptors.hpp"
#include "sample_messages.hpp"

using grid::wire::HistogramWire;
using grid::wire::LatencyHistogram;

namespace {

constexpr double kPercentiles[] = {0, 1, 50, 90, 95, 99, 99.9, 99.99, 100};

/// Nearest-rank percentile of sorted samples, computed exactly: `p` is read as a decimal
/// with up to 7 places, and the rank ceil(p/100 * n) is computed in integers.
uint64_t exact_percentile(const std::vector<uint64_t>& sorted, double p) {
  constexpr uint64_t kScale = 1'000'000'000;  // p/100 in parts per billion
  const auto q = static_cast<uint64_t>(std::llround(p * 1e7));
  const uint64_t n = sorted.size();
  uint64_t rank = n / kScale * q + ((n % kScale) * q + kScale - 1) / kScale;
  rank = std::clamp<uint64_t>(rank, 1, n);
  return sorted[rank - 1];
}

LatencyHistogram histogram_of(const std::vector<uint64_t>& samples) {
  LatencyHistogram h;
  for (uint64_t v : samples) h.record(v);
  return h;
}

/// Records `samples` and checks count, extremes and sum exactly, the mean within 0.1%, and
/// every percentile of kPercentiles within 1/1024 of the exact one (exact below 2048 µs).
void check_accuracy(std::vector<uint64_t> samples) {
  const LatencyHistogram h = histogram_of(samples);
  std::sort(samples.begin(), samples.end());
  const uint64_t sum = std::accumulate(samples.begin(), samples.end(), uint64_t{0});
  BOOST_TEST(h.count() == samples.size());
  BOOST_TEST(h.min() == samples.front());
  BOOST_TEST(h.max() == samples.back());
  BOOST_TEST(h.sum() == sum);
  const double exact_mean = static_cast<double>(sum) / static_cast<double>(samples.size());
  BOOST_TEST(std::abs(h.mean() - exact_mean) <= exact_mean * 1e-3);
  for (double p : kPercentiles) {
    BOOST_TEST_CONTEXT("p" << p) {
      const uint64_t exact = exact_percentile(samples, p);
      const uint64_t got = h.percentile(p);
      const uint64_t error = got > exact ? got - exact : exact - got;
      BOOST_TEST_INFO("exact " << exact << " µs, histogram " << got << " µs");
      BOOST_TEST(error * 1024 <= exact);
      if (exact < LatencyHistogram::kLinearLimit) BOOST_TEST(got == exact);
    }
  }
}

template <class Draw>
std::vector<uint64_t> draw_samples(size_t n, uint64_t seed, Draw draw) {
  std::mt19937_64 rng(seed);
  std::vector<uint64_t> samples(n);
  for (auto& v : samples) v = draw(rng);
  return samples;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(latency_histogram)

BOOST_AUTO_TEST_CASE(buckets_tile_the_range_without_gaps_or_overlaps) {
  BOOST_TEST(LatencyHistogram::lowest_value_of(0) == 0u);
  uint32_t bad = 0;  // checked once at the end: 31k BOOST_TESTs would flood the log
  for (uint32_t i = 0; i < LatencyHistogram::kBucketCount; ++i) {
    const uint64_t lo = LatencyHistogram::lowest_value_of(i);
    const uint64_t hi = LatencyHistogram::highest_value_of(i);
    if (LatencyHistogram::index_of(lo) != i || LatencyHistogram::index_of(hi) != i || hi < lo) {
      BOOST_TEST_MESSAGE("bucket " << i << " [" << lo << ", " << hi << "] does not map back to itself");
      ++bad;
    }
    if (i + 1 < LatencyHistogram::kBucketCount && LatencyHistogram::lowest_value_of(i + 1) != hi + 1) {
      BOOST_TEST_MESSAGE("gap or overlap after bucket " << i);
      ++bad;
    }
  }
  BOOST_TEST(bad == 0u);
  BOOST_TEST(LatencyHistogram::highest_value_of(LatencyHistogram::kBucketCount - 1) == LatencyHistogram::kMaxValue);
}

BOOST_AUTO_TEST_CASE(bucket_width_is_at_most_a_1024th_of_its_lowest_value) {
  uint32_t too_wide = 0;
  for (uint32_t i = LatencyHistogram::kLinearLimit; i < LatencyHistogram::kBucketCount; ++i) {
    const uint64_t width = LatencyHistogram::highest_value_of(i) - LatencyHistogram::lowest_value_of(i) + 1;
    if (width * 1024 > LatencyHistogram::lowest_value_of(i)) ++too_wide;
  }
  BOOST_TEST(too_wide == 0u);
}

BOOST_AUTO_TEST_CASE(values_below_2048us_are_recorded_exactly) {
  for (uint64_t v = 0; v < LatencyHistogram::kLinearLimit; ++v) {
    BOOST_TEST_REQUIRE(LatencyHistogram::lowest_value_of(LatencyHistogram::index_of(v)) == v);
    BOOST_TEST_REQUIRE(LatencyHistogram::highest_value_of(LatencyHistogram::index_of(v)) == v);
  }
  check_accuracy(draw_samples(100'000, 11, [](std::mt19937_64& rng) { return rng() % 2048; }));
}

BOOST_AUTO_TEST_CASE(percentiles_of_uniform_latencies_from_1us_to_10s_are_within_0_1_percent) {
  check_accuracy(draw_samples(
      100'000, 1, [](std::mt19937_64& rng) { return std::uniform_int_distribution<uint64_t>(1, 10'000'000)(rng); }));
}

BOOST_AUTO_TEST_CASE(percentiles_of_lognormal_latencies_around_20ms_are_within_0_1_percent) {
  check_accuracy(
      draw_samples(100'000, 2, [](std::mt19937_64& rng) { return grid::test::latency_like_us(rng, 20'000, 0.6); }));
}

BOOST_AUTO_TEST_CASE(percentiles_of_exponential_latencies_around_20ms_are_within_0_1_percent) {
  check_accuracy(draw_samples(100'000, 3, [](std::mt19937_64& rng) {
    return static_cast<uint64_t>(std::exponential_distribution<double>(1.0 / 20'000)(rng));
  }));
}

BOOST_AUTO_TEST_CASE(percentiles_of_a_bimodal_distribution_are_within_0_1_percent) {
  // 90% cache hits around 2 ms, 10% misses around 300 ms: p90..p95 straddle the gap.
  check_accuracy(draw_samples(100'000, 4, [](std::mt19937_64& rng) {
    const bool hit = std::bernoulli_distribution(0.9)(rng);
    const double v = hit ? std::normal_distribution<double>(2'000, 300)(rng)
                         : std::normal_distribution<double>(300'000, 40'000)(rng);
    return static_cast<uint64_t>(std::max(v, 0.0));
  }));
}

BOOST_AUTO_TEST_CASE(percentiles_of_values_at_bucket_boundaries_are_within_0_1_percent) {
  check_accuracy(draw_samples(100'000, 5, [](std::mt19937_64& rng) {
    // A bucket's first or last value, or one past either side, anywhere up to ~1 day.
    const auto i =
        static_cast<uint32_t>(LatencyHistogram::kLinearLimit +
                              rng() % (LatencyHistogram::kBucketCount - 4 * 1024 - LatencyHistogram::kLinearLimit));
    switch (rng() % 4) {
      case 0:
        return LatencyHistogram::lowest_value_of(i);
      case 1:
        return LatencyHistogram::lowest_value_of(i) - 1;
      case 2:
        return LatencyHistogram::highest_value_of(i);
      default:
        return LatencyHistogram::highest_value_of(i) + 1;
    }
  }));
}

BOOST_AUTO_TEST_CASE(percentiles_of_values_up_to_one_hour_are_within_0_1_percent) {
  static constexpr uint64_t kHour = 3'600'000'000;
  auto samples = draw_samples(100'000, 6, [](std::mt19937_64& rng) {
    // Log-uniform from 1 s to 1 h.
    const double e = std::uniform_real_distribution<double>(std::log(1e6), std::log(3.6e9))(rng);
    return std::min(static_cast<uint64_t>(std::exp(e)), kHour);
  });
  samples.push_back(kHour);
  check_accuracy(samples);
}

BOOST_AUTO_TEST_CASE(percentile_uses_the_exact_nearest_rank_for_decimal_percentiles) {
  // 1..1000 µs are exact values, so percentile(k/10) must be exactly the ceil(k)-th
  // smallest. 99.9/100*1000 is 999.0000000000001 in doubles; a naive ceil gives 1000.
  LatencyHistogram h;
  for (uint64_t v = 1; v <= 1000; ++v) h.record(v);
  for (int k = 0; k <= 1000; ++k) {
    const double p = k / 10.0;
    BOOST_TEST_INFO("p" << p);
    BOOST_TEST(h.percentile(p) == static_cast<uint64_t>(std::max(k, 1)));
  }
}

BOOST_AUTO_TEST_CASE(percentile_is_clamped_to_the_exact_min_and_max) {
  LatencyHistogram h;
  h.record(1'000'003);  // its bucket is [1'000'000, 1'000'511]; the midpoint is not a sample
  for (double p : kPercentiles) BOOST_TEST(h.percentile(p) == 1'000'003u);
  BOOST_TEST(h.percentile(-5) == 1'000'003u);
  BOOST_TEST(h.percentile(250) == 1'000'003u);
}

BOOST_AUTO_TEST_CASE(percentile_outside_0_to_100_reads_as_the_nearest_end) {
  LatencyHistogram h;
  for (uint64_t v : {10u, 20u, 30u}) h.record(v);
  BOOST_TEST(h.percentile(-1) == 10u);
  BOOST_TEST(h.percentile(1e9) == 30u);
}

BOOST_AUTO_TEST_CASE(empty_histogram_reports_zeros) {
  const LatencyHistogram h;
  BOOST_TEST(h.count() == 0u);
  BOOST_TEST(h.min() == 0u);
  BOOST_TEST(h.max() == 0u);
  BOOST_TEST(h.mean() == 0.0);
  for (double p : kPercentiles) BOOST_TEST(h.percentile(p) == 0u);
  const HistogramWire w = h.to_wire();
  BOOST_TEST(w.indexes.empty());
  BOOST_TEST(w.counts.empty());
  BOOST_TEST(w.min_us == 0u);
  BOOST_TEST(w.max_us == 0u);
}

BOOST_AUTO_TEST_CASE(values_above_the_range_are_clamped_to_the_top_bucket_and_counted) {
  LatencyHistogram h;
  h.record(5);
  h.record(LatencyHistogram::kMaxValue);
  h.record(LatencyHistogram::kMaxValue + 1);
  h.record_n(UINT64_MAX, 2);
  BOOST_TEST(h.count() == 5u);
  BOOST_TEST(h.clamped() == 3u);
  BOOST_TEST(h.max() == LatencyHistogram::kMaxValue);
  // The top bucket's representative value, not necessarily kMaxValue itself.
  BOOST_TEST(LatencyHistogram::index_of(h.percentile(100)) == LatencyHistogram::kBucketCount - 1);
  BOOST_TEST(h.percentile(0) == 5u);
}

BOOST_AUTO_TEST_CASE(record_n_equals_n_single_records) {
  LatencyHistogram a, b;
  a.record_n(123'456, 7);
  a.record_n(99, 0);  // recording zero samples is a no-op
  for (int i = 0; i < 7; ++i) b.record(123'456);
  BOOST_TEST((a == b));
  BOOST_TEST(a.count() == 7u);
  BOOST_TEST(a.min() == 123'456u);
}

BOOST_AUTO_TEST_CASE(copies_are_equal_and_independent) {
  std::mt19937_64 rng(7);
  LatencyHistogram a;
  for (int i = 0; i < 1000; ++i) a.record(grid::test::latency_like_us(rng));
  LatencyHistogram b = a;
  BOOST_TEST((a == b));
  b.record(1);
  BOOST_TEST(!(a == b));
  LatencyHistogram c;
  c = b;
  BOOST_TEST((c == b));
  c.reset();
  BOOST_TEST((c == LatencyHistogram()));
  BOOST_TEST(b.count() == 1001u);
}

BOOST_AUTO_TEST_CASE(histograms_with_different_buckets_are_not_equal) {
  LatencyHistogram a, b;
  a.record(3000);
  a.record(3010);
  b.record(3000);
  b.record(3011);  // same count, min, max... but not the same sum or bucket
  BOOST_TEST(!(a == b));
  LatencyHistogram c, d;
  for (uint64_t v : {100u, 250u, 250u, 400u}) c.record(v);
  for (uint64_t v : {100u, 200u, 300u, 400u}) d.record(v);  // same count, min, max and sum
  BOOST_TEST(c.sum() == d.sum());
  BOOST_TEST(!(c == d));
}

BOOST_AUTO_TEST_SUITE(wire_form)

BOOST_AUTO_TEST_CASE(to_wire_then_from_wire_is_the_identity) {
  std::mt19937_64 rng(21);
  std::vector<LatencyHistogram> cases(6);
  cases[1].record(0);
  cases[2].record(LatencyHistogram::kMaxValue + 10);
  cases[3].record_n(2047, 3);
  cases[3].record(2048);
  for (int i = 0; i < 100'000; ++i) cases[4].record(grid::test::latency_like_us(rng));
  for (int i = 0; i < 10'000; ++i) cases[5].record(rng() >> (rng() % 64));
  for (const auto& h : cases) {
    const HistogramWire w = h.to_wire();
    BOOST_TEST(std::is_sorted(w.indexes.begin(), w.indexes.end()));
    BOOST_TEST((std::find(w.counts.begin(), w.counts.end(), 0u) == w.counts.end()));
    std::string error;
    const auto back = LatencyHistogram::from_wire(w, error);
    BOOST_TEST_REQUIRE(back.has_value(), error);
    BOOST_TEST((*back == h));
    BOOST_TEST(back->clamped() == h.clamped());
    BOOST_TEST(back->percentile(99.9) == h.percentile(99.9));
  }
}

BOOST_AUTO_TEST_CASE(sparse_encoding_of_100k_latencies_around_20ms_is_a_few_kib) {
  std::mt19937_64 rng(22);
  LatencyHistogram h;
  for (int i = 0; i < 100'000; ++i) h.record(grid::test::latency_like_us(rng, 20'000, 0.3));
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, h);
  const size_t buckets = h.to_wire().indexes.size();
  BOOST_TEST_MESSAGE("100k samples in " << buckets << " buckets encode to " << buffer.size() << " bytes");
  // Each non-empty bucket costs a 3-byte index and a 1..3-byte count; nothing else grows.
  BOOST_TEST(buffer.size() <= buckets * 6 + 64);
  BOOST_TEST(buffer.size() < 16u * 1024);
  // A constant latency costs a handful of bytes whatever the count.
  LatencyHistogram flat;
  flat.record_n(20'000, 100'000);
  msgpack::sbuffer small;
  msgpack::pack(small, flat);
  BOOST_TEST(small.size() < 32u);
}

BOOST_AUTO_TEST_CASE(from_wire_rejects_indexes_and_counts_of_different_lengths) {
  HistogramWire w{{5, 6}, {1}, 5, 5, 5, 0};
  std::string error;
  BOOST_TEST(!LatencyHistogram::from_wire(w, error).has_value());
  BOOST_TEST(error.find("2 indexes but 1 counts") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(from_wire_rejects_an_out_of_range_index) {
  const uint32_t bad = LatencyHistogram::kBucketCount;
  HistogramWire w{{bad}, {1}, LatencyHistogram::kMaxValue, LatencyHistogram::kMaxValue, 1, 0};
  std::string error;
  BOOST_TEST(!LatencyHistogram::from_wire(w, error).has_value());
  BOOST_TEST(error.find("index " + std::to_string(bad) + " is out of range") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(from_wire_rejects_unsorted_or_repeated_indexes) {
  for (const std::vector<uint32_t>& indexes : {std::vector<uint32_t>{7, 5}, std::vector<uint32_t>{5, 5}}) {
    HistogramWire w{indexes, {1, 1}, 5, 7, 12, 0};
    std::string error;
    BOOST_TEST(!LatencyHistogram::from_wire(w, error).has_value());
    BOOST_TEST(error.find("not strictly ascending") != std::string::npos, error);
  }
}

BOOST_AUTO_TEST_CASE(from_wire_rejects_a_zero_count) {
  HistogramWire w{{5, 7}, {1, 0}, 5, 7, 12, 0};
  std::string error;
  BOOST_TEST(!LatencyHistogram::from_wire(w, error).has_value());
  BOOST_TEST(error.find("bucket 7 has a zero count") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(from_wire_rejects_counts_whose_total_overflows) {
  HistogramWire w{{5, 7}, {UINT64_MAX, 2}, 5, 7, 12, 0};
  std::string error;
  BOOST_TEST(!LatencyHistogram::from_wire(w, error).has_value());
  BOOST_TEST(error.find("overflow") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(from_wire_rejects_extremes_that_contradict_the_buckets) {
  const std::vector<HistogramWire> bad = {
      {{5, 7}, {1, 1}, 7, 5, 12, 0},  // min > max
      {{5, 7}, {1, 1}, 4, 7, 11, 0},  // min below the lowest bucket
      {{5, 7}, {1, 1}, 6, 7, 13, 0},  // min above the lowest bucket
      {{5, 7}, {1, 1}, 5, 8, 13, 0},  // max above the highest bucket
      {{5, 7}, {1, 1}, 5, 6, 11, 0},  // max below the highest bucket
  };
  for (const auto& w : bad) {
    std::string error;
    BOOST_TEST(!LatencyHistogram::from_wire(w, error).has_value());
    BOOST_TEST(error.find("min/max") != std::string::npos, error);
  }
}

BOOST_AUTO_TEST_CASE(from_wire_rejects_an_empty_histogram_with_extremes) {
  HistogramWire w{{}, {}, 0, 9, 0, 0};
  std::string error;
  BOOST_TEST(!LatencyHistogram::from_wire(w, error).has_value());
  BOOST_TEST(error.find("empty histogram") != std::string::npos, error);
}

BOOST_AUTO_TEST_SUITE_END()  // wire_form
BOOST_AUTO_TEST_SUITE_END()  // latency_histogram

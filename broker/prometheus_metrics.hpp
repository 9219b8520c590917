#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "broker/api_snapshot.hpp"
#include "protocol/wire/latency_histogram.hpp"

namespace grid::broker {

/// One cumulative Prometheus bucket: samples at or below `le_us` microseconds.
struct PromBucket {
  uint64_t le_us = 0;
  uint64_t count = 0;
};

/// The nominal bucket bounds of loadgrid_request_duration_seconds, in µs (1 ms .. 60 s).
const std::vector<uint64_t>& nominal_bucket_bounds_us();

/// The bound actually exposed for a nominal one: the largest value at or below it that
/// ends a bucket of the exact histogram (LatencyHistogram), so that every cumulative count
/// is exact, never interpolated: below 2,048 µs it is the nominal bound itself. Pure.
uint64_t exact_bucket_bound_us(uint64_t nominal_us);

/// Cumulative counts of `histogram` at each bound (ascending, each a bucket's top value):
/// the samples whose bucket lies at or below it. Pure.
std::vector<PromBucket> cumulative_buckets(const wire::LatencyHistogram& histogram,
                                           const std::vector<uint64_t>& bounds_us);

/// A label value escaped for the text format: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

/// The Prometheus text exposition (format 0.0.4) of a snapshot: request and failure
/// counters by request name, region and failure kind, the latency histogram per request
/// name, active users, agents by state and the broker's CPU seconds. Pure.
std::string prometheus_metrics(const ApiSnapshot& snapshot);

}  // namespace grid::broker

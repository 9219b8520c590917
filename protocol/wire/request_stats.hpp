#pragma once

#include <cstdint>
#include <vector>

#include <msgpack.hpp>

#include "protocol/wire/failure_kind.hpp"
#include "protocol/wire/latency_histogram.hpp"
#include "protocol/wire/msgpack_adaptors.hpp"

namespace grid::wire {

/// Responses seen with one HTTP status code.
struct StatusCount {
  uint16_t code = 0;
  uint64_t count = 0;
  bool operator==(const StatusCount&) const = default;
  MSGPACK_DEFINE(code, count)
};

/// Statistics of one named request over some span (a window, or the whole run).
/// Mergeable: merging the stats of two disjoint spans gives the stats of their union.
struct RequestStats {
  uint64_t requests = 0;                  // completed requests: successes + failures
  FailureCounts failures;                 // failed requests by kind; total() is a subset of requests
  std::vector<StatusCount> status_codes;  // requests that got an HTTP response, by status;
                                          // ascending code, each count > 0
  uint64_t bytes_sent = 0;                // request bytes written (headers + body)
  uint64_t bytes_received = 0;            // response bytes read (headers + body)
  LatencyHistogram latency_us;            // µs, requests that got a response or timed out
                                          // (connect/TLS/other failures have no meaningful latency)

  /// Hot path: counts one response status. Linear search: a request sees few codes.
  void count_status(uint16_t code);
  uint64_t failed() const { return failures.total(); }
  void merge(const RequestStats& other);
  bool operator==(const RequestStats& other) const;

  MSGPACK_DEFINE(requests, failures, status_codes, bytes_sent, bytes_received, latency_us)
};

}  // namespace grid::wire

#pragma once

#include <cstdint>
#include <string>
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

/// RequestStats::transports bits (agent/transport.hpp): libcurl, the native HTTP/1.1 client.
inline constexpr uint8_t kServedCurl = 1;
inline constexpr uint8_t kServedNative = 2;
/// "curl", "native", "curl+native", or "" when no request was served.
std::string served_by(uint8_t transports);

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
                                          // (connect/TLS/other failures have no meaningful latency);
                                          // open model: from the intended start (coordinated
                                          // omission corrected)
  // Appended in 0.3:
  uint64_t dropped_iterations = 0;         // open model: arrivals that found no free user (counted on
                                           // the first request of the scenario they would have run)
  LatencyHistogram service_us;             // open model: from the actual start (the service time)
  std::vector<StatusCount> http_versions;  // responses by protocol: code 10, 11 or 20 (HTTP/1.0, 1.1, 2)
  // Appended in issue 9:
  uint8_t transports = 0;  // which transports served these requests: kServedCurl | kServedNative

  /// Hot path: counts one response status. Linear search: a request sees few codes.
  void count_status(uint16_t code);
  /// Hot path: counts one response by HTTP version (10, 11, 20).
  void count_http_version(uint16_t version);
  uint64_t failed() const { return failures.total(); }
  void merge(const RequestStats& other);
  bool operator==(const RequestStats& other) const;

  MSGPACK_DEFINE(requests, failures, status_codes, bytes_sent, bytes_received, latency_us, dropped_iterations,
                 service_us, http_versions, transports)
};

}  // namespace grid::wire

#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace grid::wire {

/// Why a request failed. Every failed request is counted under exactly one kind.
/// Append-only: the wire carries counts positionally in this order.
enum class FailureKind : uint8_t {
  connect = 0,    // could not connect: refused, unreachable, DNS failure
  timeout = 1,    // no complete response within the request's timeout
  tls = 2,        // TLS handshake or certificate failure
  http_4xx = 3,   // a response with a 4xx status the request did not expect
  http_5xx = 4,   // a response with a 5xx status the request did not expect
  other = 5,      // anything else: unexpected 1xx-3xx status, protocol error, reset, ...
  assertion = 6,  // a response that failed a check, or a step whose variable was missing
  // Appended with --allow-target (issue 8); an older peer folds it into `other`:
  not_allowed = 7,  // every address it would connect to is outside the agent's --allow-target list
};

inline constexpr size_t kFailureKindCount = 8;

inline constexpr std::array<std::string_view, kFailureKindCount> kFailureKindNames = {
    "connect", "timeout", "tls", "http_4xx", "http_5xx", "other", "assertion", "not_allowed"};

constexpr std::string_view to_string(FailureKind kind) { return kFailureKindNames[static_cast<size_t>(kind)]; }

/// Failure counts by kind, one slot per FailureKind.
struct FailureCounts {
  std::array<uint64_t, kFailureKindCount> by_kind{};

  uint64_t& operator[](FailureKind kind) { return by_kind[static_cast<size_t>(kind)]; }
  uint64_t operator[](FailureKind kind) const { return by_kind[static_cast<size_t>(kind)]; }
  uint64_t total() const {
    uint64_t sum = 0;
    for (uint64_t n : by_kind) sum += n;
    return sum;
  }
  void merge(const FailureCounts& other) {
    for (size_t i = 0; i < kFailureKindCount; ++i) by_kind[i] += other.by_kind[i];
  }
  bool operator==(const FailureCounts&) const = default;
};

}  // namespace grid::wire

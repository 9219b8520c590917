#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <msgpack.hpp>

namespace grid::wire {

/// Inclusive range of HTTP status codes a request expects; anything else is a failure.
struct StatusRange {
  uint16_t low = 200;
  uint16_t high = 399;
  bool contains(long code) const { return code >= low && code <= high; }
  bool operator==(const StatusRange&) const = default;
  MSGPACK_DEFINE(low, high)
};

/// One named HTTP request as the campaign defines it; part of the plan sent to agents.
struct RequestSpec {
  std::string name;
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  uint32_t timeout_ms = 10'000;  // whole request, connect to last byte
  StatusRange expect_status;
  bool operator==(const RequestSpec&) const = default;
  MSGPACK_DEFINE(name, method, url, headers, body, timeout_ms, expect_status)
};

}  // namespace grid::wire

#pragma once

// The property native_exchange_fuzz.cpp checks, shared with its deterministic replay in
// every test run (tests/agent/native_exchange_fuzz_replay_test.cpp). An input is a server's
// side of one request on one connection:
//
//   byte 0      flags: bit 0 the connection is reused, bit 1 the request is HEAD, bit 2
//               the input ends with a reset (else the server's close), bit 3 capture body
//               and headers
//   byte 1      k: the number of cut points (k % 8)
//   next 2k     the cut points, 16-bit little-endian offsets into the response
//   the rest    the response bytes
//
// The response is fed to an Http1Exchange in pieces cut at those points (in ascending
// order, modulo its size), then the close or reset; a retry (reused connection, no byte)
// runs the same bytes again on a fresh one. Promises: exactly one outcome; the same
// outcome as the whole response fed in one piece (but keep-alive: bytes after the
// response end it only when they come in the same read); bytes_received no more than the bytes
// fed; bytes_sent the whole request; a complete response has a status; capture holds no
// more than was counted. A broken promise throws std::logic_error.

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/http1_exchange.hpp"

namespace grid::fuzz {

struct ExchangeResult {
  agent::TransferOutcome outcome;
  bool reusable = false;
  int retries = 0;
  size_t kept_body = 0;
  size_t kept_headers = 0;
};

inline const std::string& fuzz_request() {
  static const std::string r = "GET /fuzz HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: */*\r\n\r\n";
  return r;
}

// Runs one exchange over `response` cut at `cuts`; throws on a broken promise.
inline ExchangeResult run_exchange(const std::string& response, std::vector<size_t> cuts, uint8_t flags) {
  const bool reused = flags & 1, head = flags & 2, reset = flags & 4, capture = flags & 8;
  std::string body, headers;
  agent::Http1Exchange x;
  x.begin(fuzz_request(), head, reused, capture ? &body : nullptr, capture ? &headers : nullptr);
  ExchangeResult r;
  cuts.push_back(response.size());
  for (int attempt = 0;; ++attempt) {
    if (attempt > 1) throw std::logic_error("retried more than once");
    x.wrote(x.unwritten().size());
    agent::ExchangeStep step = agent::ExchangeStep::wait;
    int outcomes = 0;
    size_t from = 0;
    for (const size_t to : cuts) {
      if (to <= from) continue;
      step = x.received(response.data() + from, to - from);
      from = to;
      if (step != agent::ExchangeStep::wait) break;
    }
    if (step == agent::ExchangeStep::retry) throw std::logic_error("retry after response bytes");
    if (step == agent::ExchangeStep::wait) step = reset ? x.connection_failed(ECONNRESET) : x.peer_closed();
    if (step == agent::ExchangeStep::wait) throw std::logic_error("no outcome after the close");
    if (step == agent::ExchangeStep::retry) {
      if (x.responded() || !reused || attempt > 0) throw std::logic_error("a retry that libcurl would not make");
      ++r.retries;
      x.restart_fresh();
      continue;
    }
    ++outcomes;
    if (outcomes != 1) throw std::logic_error("more than one outcome");
    break;
  }
  r.outcome = x.outcome();
  r.reusable = x.reusable();
  r.kept_body = body.size();
  r.kept_headers = headers.size();
  const auto& o = r.outcome;
  if (o.bytes_received > response.size()) throw std::logic_error("counted more bytes than were fed");
  // Every attempt wrote the whole request; a retried one counts both (libcurl's REQUEST_SIZE).
  if (o.bytes_sent != fuzz_request().size() * (1 + r.retries)) {
    throw std::logic_error("bytes_sent is not the request written");
  }
  if (o.error == agent::TransferError::none && (o.status < 100 || o.status > 999)) {
    throw std::logic_error("a complete response without a status");
  }
  if (o.error != agent::TransferError::none && o.detail.empty()) throw std::logic_error("a failure without a reason");
  if (o.error != agent::TransferError::none && o.error != agent::TransferError::other) {
    throw std::logic_error("a response can only fail as other");
  }
  if (r.kept_body + r.kept_headers > o.bytes_received) throw std::logic_error("kept more than was counted");
  if (r.reusable && o.error != agent::TransferError::none) throw std::logic_error("a failed connection kept");
  return r;
}

inline void check_exchange(const uint8_t* data, size_t size) {
  if (size < 2) return;
  const uint8_t flags = data[0];
  const size_t k = data[1] % 8;
  size_t at = 2;
  std::vector<uint16_t> raw;
  for (size_t i = 0; i < k && at + 1 < size; ++i, at += 2)
    raw.push_back(static_cast<uint16_t>(data[at] | data[at + 1] << 8));
  const std::string response(reinterpret_cast<const char*>(data) + at, size - at);
  std::vector<size_t> cuts;
  for (const uint16_t c : raw) cuts.push_back(response.empty() ? 0 : c % response.size());
  std::sort(cuts.begin(), cuts.end());
  const ExchangeResult split = run_exchange(response, cuts, flags);
  const ExchangeResult whole = run_exchange(response, {}, flags);
  const auto& a = split.outcome;
  const auto& b = whole.outcome;
  if (a.error != b.error || a.status != b.status || a.http_version != b.http_version ||
      a.bytes_received != b.bytes_received || split.retries != whole.retries || split.kept_body != whole.kept_body ||
      split.kept_headers != whole.kept_headers) {
    throw std::logic_error("the outcome depends on how the response was split");
  }
}

}  // namespace grid::fuzz

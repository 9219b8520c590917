#pragma once

// The transport conformance suite's harness (transport_conformance_test.cpp): one request
// definition run through a real Engine twice, once served by libcurl and once by the
// native HTTP/1.1 client, and the observable results of both, side by side.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "agent/target_allowlist.hpp"
#include "protocol/wire/request_spec.hpp"
#include "protocol/wire/request_stats.hpp"
#include "support/nginx_server.hpp"

namespace grid::test {

/// One engine run: one user makes exactly `requests` requests of `spec`.
struct ConformanceRun {
  wire::RequestSpec spec;
  uint64_t requests = 3;                          // exact: the engine's start ceiling, then a stop once all are counted
  uint32_t think_ms = 0;                          // pause after each request (lets a server close an idle connection)
  std::optional<agent::TargetAllowlist> allowed;  // none: loopback only
};

/// What a run counted for its request, and its problems (without the start-ceiling one
/// the harness itself causes).
struct Observed {
  wire::RequestStats stats;
  std::map<std::string, uint64_t> problems;
};

/// The same run served by each transport.
struct BothTransports {
  Observed curl;
  Observed native;
  // Connections the server accepted during each run, when run_both was given a counter.
  std::optional<uint64_t> curl_connections;
  std::optional<uint64_t> native_connections;
};

/// How many connections a server has accepted so far: `read()` returns a running count,
/// and reading it costs `own` connections itself (a request for the figure).
struct ConnectionCounter {
  std::function<uint64_t()> read;
  uint64_t own = 0;
};

/// Runs `run` on one engine with the request's `native` flag set as asked.
Observed run_engine(const ConformanceRun& run, bool native);
/// Runs `run` with curl, then with the native transport; logs both (BOOST_TEST_MESSAGE).
/// With a `counter`, also the connections the server accepted during each run.
BothTransports run_both(const ConformanceRun& run, const std::string& label, const ConnectionCounter& counter = {});

/// Which figures a comparison includes: the byte counts only where they are deterministic.
struct Compare {
  bool bytes_sent = true;
  bool bytes_received = true;
};

/// The observable results as one line: requests, failures by kind, statuses, HTTP
/// versions, bytes and how many latencies were recorded. Two transports conform on a case
/// when their lines are equal (Boost prints both when not).
std::string observable(const wire::RequestStats& s, Compare what = {});

/// A GET request named `name` for `url` with a `timeout` (whole request).
wire::RequestSpec request(const std::string& name, const std::string& url,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

/// Sends `request` on a new blocking connection to 127.0.0.1:`port` and returns all it
/// reads until the server closes (at most 5 s per read).
std::string raw_exchange(uint16_t port, const std::string& request);
/// GET `path` with Connection: close, through raw_exchange: the whole answer, head included.
std::string raw_get(uint16_t port, const std::string& path);
/// The built-in target's /__stats "connections" figure (this request's own connection
/// included).
uint64_t target_connections(uint16_t port);

/// Connection counters: the built-in target's /__stats, the scripted server's own count,
/// and nginx's connection serial number ($connection of a request to /__probe, a 404).
ConnectionCounter builtin_counter(uint16_t port);
ConnectionCounter nginx_counter(const NginxServer& nginx);

/// Debian's nginx with the locations the suite needs (see the .cpp) and their files.
std::unique_ptr<NginxServer> conformance_nginx();

/// Bytes of the files conformance_nginx() serves.
inline constexpr size_t kNginxBodyBytes = 5000;         // /static/body.txt, /chunked/, /close-delimited/
inline constexpr size_t kNginxLargeBytes = 8u << 20;    // /static/large.bin, /chunked/large.bin
inline constexpr size_t kNginxSlowBytes = 24 * 1024;    // /slow/body.txt at 16 KiB/s
inline constexpr size_t kNginxSlowerBytes = 96 * 1024;  // /slow/long.txt: over 4 s at 16 KiB/s

}  // namespace grid::test

#include "transport_conformance_harness.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <curl/curl.h>

#include "agent/compiled_workload.hpp"
#include "agent/engine.hpp"
#include "agent/window_mailbox.hpp"
#include "support/scripted_http_server.hpp"

namespace grid::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The problem the harness's own start ceiling causes: the user waits at the ceiling until
// the harness stops the engine. It is the harness's, not the transport's.
constexpr std::string_view kCeilingProblem = "requests waited for the agent's next start allowance";

void write_file(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace

wire::RequestSpec request(const std::string& name, const std::string& url, std::chrono::milliseconds timeout) {
  wire::RequestSpec r;
  r.name = name;
  r.url = url;
  r.timeout_ms = static_cast<uint32_t>(timeout.count());
  return r;
}

Observed run_engine(const ConformanceRun& run, bool native) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  wire::Plan plan;
  plan.requests = {run.spec};
  plan.users = 1;
  plan.think_time_ms = run.think_ms;
  auto work = agent::CompiledWorkload::compile(plan, {}, "conformance");
  for (auto& r : work->requests) r.native = native;

  agent::WindowMailbox mailbox;
  agent::EngineConfig config;
  config.workload = work;
  config.users = 1;
  config.duration = 60s;  // an upper bound only: the harness stops the engine
  config.interval = 50ms;
  config.seed = 1;
  // Exactly `requests` start: the user then waits at the ceiling until the stop.
  config.start_ceiling = run.requests;
  if (run.allowed) config.allowed_targets = std::make_shared<const agent::TargetAllowlist>(*run.allowed);
  agent::Engine engine(std::move(config), mailbox, nullptr);
  std::thread thread([&engine] { engine.run(); });

  Observed out;
  bool final = false, stopped = false;
  const auto give_up = Clock::now() + 30s;
  while (!final) {
    const auto now = Clock::now();
    if (!stopped && (out.stats.requests >= run.requests || now > give_up)) {
      engine.request_stop();
      stopped = true;
    }
    if (now > give_up + 30s) {
      // A request that never completes, even after the stop: no bounded way out.
      std::fprintf(stderr, "transport conformance: the engine (%s) did not finish within 60 s; aborting\n",
                   native ? "native" : "curl");
      std::abort();
    }
    for (auto& w : mailbox.take(50ms)) {
      for (const auto& [name, s] : w.window.requests) out.stats.merge(s);
      for (const auto& [text, n] : w.window.problems) {
        if (text.rfind(kCeilingProblem, 0) != 0) out.problems[text] += n;
      }
      final = final || w.final;
    }
  }
  thread.join();
  return out;
}

BothTransports run_both(const ConformanceRun& run, const std::string& label, const ConnectionCounter& counter) {
  BothTransports both;
  const uint64_t start = counter.read ? counter.read() : 0;
  both.curl = run_engine(run, false);
  const uint64_t between = counter.read ? counter.read() : 0;
  both.native = run_engine(run, true);
  std::string connections[2];
  if (counter.read) {
    both.curl_connections = between - start - counter.own;
    both.native_connections = counter.read() - between - counter.own;
    connections[0] = " connections=" + std::to_string(*both.curl_connections);
    connections[1] = " connections=" + std::to_string(*both.native_connections);
  }
  // Each run was served by the transport it asked for (and nothing else).
  if (both.curl.stats.requests > 0) BOOST_TEST(both.curl.stats.transports == wire::kServedCurl, label);
  if (both.native.stats.requests > 0) BOOST_TEST(both.native.stats.transports == wire::kServedNative, label);
  BOOST_TEST_MESSAGE(label << "\n  curl:   " << observable(both.curl.stats)
                           << " p50_us=" << both.curl.stats.latency_us.percentile(50) << connections[0]
                           << "\n  native: " << observable(both.native.stats)
                           << " p50_us=" << both.native.stats.latency_us.percentile(50) << connections[1]);
  return both;
}

std::string observable(const wire::RequestStats& s, Compare what) {
  std::ostringstream out;
  out << "requests=" << s.requests << " failures{";
  const char* sep = "";
  for (size_t k = 0; k < wire::kFailureKindCount; ++k) {
    if (s.failures.by_kind[k] == 0) continue;
    out << sep << wire::kFailureKindNames[k] << ":" << s.failures.by_kind[k];
    sep = " ";
  }
  out << "} status{";
  sep = "";
  for (const auto& c : s.status_codes) {
    out << sep << c.code << ":" << c.count;
    sep = " ";
  }
  out << "} versions{";
  sep = "";
  for (const auto& v : s.http_versions) {
    out << sep << v.code << ":" << v.count;
    sep = " ";
  }
  out << "}";
  if (what.bytes_sent) out << " sent=" << s.bytes_sent;
  if (what.bytes_received) out << " received=" << s.bytes_received;
  out << " timed=" << s.latency_us.count();
  return out.str();
}

std::string raw_exchange(uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  timeval five{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    char buffer[16384];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return answer;
}

std::string raw_get(uint16_t port, const std::string& path) {
  return raw_exchange(port, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
}

uint64_t target_connections(uint16_t port) {
  const std::string answer = raw_get(port, "/__stats");
  const std::string key = "\"connections\":";
  const size_t at = answer.find(key);
  if (at == std::string::npos) throw std::runtime_error("no connections figure in /__stats: " + answer);
  return std::stoull(answer.substr(at + key.size()));
}

ConnectionCounter builtin_counter(uint16_t port) {
  return {[port] { return target_connections(port); }, 1};
}

ConnectionCounter nginx_counter(const NginxServer& nginx) {
  return {[&nginx] {
            const size_t lines = nginx.access_log().size();
            raw_get(nginx.http_port(), "/__probe");
            // Another request (one that timed out) may be logged late, around the probe.
            const auto deadline = Clock::now() + 5s;
            for (size_t seen = lines + 1; Clock::now() < deadline; ++seen) {
              const auto log = nginx.wait_for_access_log(seen);
              for (size_t i = lines; i < log.size(); ++i) {
                if (log[i].uri == "/__probe") return log[i].connection;
              }
            }
            throw std::runtime_error("nginx did not log the /__probe request within 5 s");
          },
          1};
}

std::unique_ptr<NginxServer> conformance_nginx() {
  NginxServer::Options options;
  // nginx-light has no module that delays, resets or sends 1xx responses on its own;
  // those cases run against the scripted server only. Bodies without a Content-Length
  // come from sub_filter (it drops the length; nothing here matches its pattern, so the
  // bytes are the file's): chunked, or close-delimited with chunked coding off.
  options.extra_server_config = R"(
    location = /status/404 { return 404; }
    location = /status/503 { return 503; }
    location = /status/204 { return 204; }
    location = /status/304 { return 304; }
    location = /status/301 { return 301 /; }
    location /static/ { }
    location /chunked/ { sub_filter '@@never-matches@@' ''; sub_filter_types *; }
    location /close-delimited/ {
      sub_filter '@@never-matches@@' ''; sub_filter_types *; chunked_transfer_encoding off;
    }
    location /slow/ { limit_rate 16k; }
    location = /connection-close { keepalive_timeout 0; return 200 "closed after this response\n"; }
    location = /idle-close { keepalive_timeout 50ms; return 200 "closed when idle for 50 ms\n"; }
)";
  auto nginx = std::make_unique<NginxServer>(options);
  const std::string html = nginx->directory() + "/html";
  const std::string body = filler(kNginxBodyBytes), large = filler(kNginxLargeBytes);
  write_file(html + "/static/body.txt", body);
  write_file(html + "/static/large.bin", large);
  write_file(html + "/chunked/body.txt", body);
  write_file(html + "/chunked/large.bin", large);
  write_file(html + "/close-delimited/body.txt", body);
  write_file(html + "/slow/body.txt", filler(kNginxSlowBytes));
  write_file(html + "/slow/long.txt", filler(kNginxSlowerBytes));
  return nginx;
}

}  // namespace grid::test

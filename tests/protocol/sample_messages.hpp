#pragma once

// Builders of valid, randomly filled wire messages, shared by the protocol tests and the
// codec fuzzer's seed-corpus generator (tests/fuzz/). Deliberately free of Boost.Test so
// the fuzzer can include it. Every builder is deterministic for a given generator state,
// and every message it returns passes its own validate().

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "protocol/wire/codec.hpp"
#include "protocol/wire/messages.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::test {

/// The error text of `r`, or "ok"; safe to put in a test message whatever `r` holds.
template <class T>
std::string error_of(const wire::Result<T>& r) {
  return r.ok() ? std::string("ok") : r.error();
}

/// Field-by-field equality; StatsWindow has no operator==. `sources` is compared as a
/// multiset: merging appends them, so their order depends on the merge order.
inline bool same_window(const wire::StatsWindow& a, const wire::StatsWindow& b) {
  return a.index == b.index && a.interval_ms == b.interval_ms && a.active_users == b.active_users &&
         a.requests == b.requests && a.sources.size() == b.sources.size() &&
         std::is_permutation(a.sources.begin(), a.sources.end(), b.sources.begin());
}

/// A latency-like value in µs: lognormal around `median_us`.
inline uint64_t latency_like_us(std::mt19937_64& rng, double median_us = 20'000, double sigma = 0.5) {
  std::lognormal_distribution<double> dist(std::log(median_us), sigma);
  return static_cast<uint64_t>(dist(rng));
}

/// Stats of one request name with `n` completed requests of every outcome: 2xx/3xx
/// responses, 4xx/5xx failures (which also count a status), and connect/timeout/tls/other
/// failures (no status). Latency is recorded for responses and timeouts, as the agent does.
inline wire::RequestStats random_request_stats(std::mt19937_64& rng, uint64_t n) {
  static constexpr uint16_t kOk[] = {200, 201, 204, 301, 302, 304};
  static constexpr uint16_t k4xx[] = {400, 401, 403, 404, 429};
  static constexpr uint16_t k5xx[] = {500, 502, 503, 504};
  wire::RequestStats s;
  std::uniform_int_distribution<int> outcome(0, 99);
  std::uniform_int_distribution<uint64_t> bytes(50, 5000);
  for (uint64_t i = 0; i < n; ++i) {
    ++s.requests;
    s.bytes_sent += bytes(rng);
    const int o = outcome(rng);
    if (o < 80) {
      s.count_status(kOk[rng() % std::size(kOk)]);
      s.bytes_received += bytes(rng);
      s.latency_us.record(latency_like_us(rng));
    } else if (o < 86) {
      s.count_status(k4xx[rng() % std::size(k4xx)]);
      s.failures[wire::FailureKind::http_4xx]++;
      s.latency_us.record(latency_like_us(rng));
    } else if (o < 91) {
      s.count_status(k5xx[rng() % std::size(k5xx)]);
      s.failures[wire::FailureKind::http_5xx]++;
      s.latency_us.record(latency_like_us(rng, 200'000));
    } else if (o < 94) {
      s.failures[wire::FailureKind::timeout]++;
      s.latency_us.record(10'000'000);
    } else if (o < 97) {
      s.failures[wire::FailureKind::connect]++;
    } else if (o < 98) {
      s.failures[wire::FailureKind::tls]++;
    } else {
      s.failures[wire::FailureKind::other]++;
    }
  }
  return s;
}

/// A window with a few request names (including one with no traffic).
inline wire::StatsWindow random_window(std::mt19937_64& rng, uint64_t index, uint32_t interval_ms,
                                       uint64_t requests_per_name) {
  static const char* const kNames[] = {"home", "login", "search?q=ß", "checkout", ""};
  wire::StatsWindow w;
  w.index = index;
  w.interval_ms = interval_ms;
  w.active_users = static_cast<uint32_t>(rng() % 500);
  const size_t names = 2 + rng() % 3;
  for (size_t i = 0; i < names; ++i) {
    w.requests[kNames[i]] = random_request_stats(rng, requests_per_name == 0 ? 0 : 1 + rng() % requests_per_name);
  }
  w.requests["idle"] = {};
  for (size_t i = 0; i < 1 + rng() % 3; ++i) {
    wire::SourceTotals source;
    source.agent_id = "agent-" + std::to_string(rng() % 100);
    source.region = "eu-west-1";
    source.requests = rng() % 1000;
    w.sources.push_back(source);
  }
  return w;
}

inline wire::StatsReport random_stats_report(std::mt19937_64& rng, size_t windows = 3,
                                             uint64_t requests_per_name = 200) {
  wire::StatsReport r;
  r.campaign_id = "c-" + std::to_string(rng() % 1000);
  const uint64_t first = 1'700'000'000 + rng() % 1000;
  for (size_t i = 0; i < windows; ++i) {
    r.windows.push_back(random_window(rng, first + i, 1000, requests_per_name));
  }
  return r;
}

inline wire::Hello sample_hello() {
  wire::Hello h;
  h.kind = wire::NodeKind::relay;
  h.region = "eu-west-1";
  h.hostname = "relay-3.example.net";
  h.cores = 16;
  h.memory_bytes = uint64_t{64} << 30;
  h.max_users = 5000;
  h.software_version = "0.1.0";
  return h;
}

inline wire::Heartbeat sample_heartbeat() {
  wire::Heartbeat hb;
  hb.cpu_percent = 173.5;
  hb.rss_bytes = 512u << 20;
  hb.active_users = 250;
  hb.plan_epoch = 7;
  hb.sent_unix_us = 1'700'000'000'123'456;
  return hb;
}

inline wire::LogRecord sample_log() {
  wire::LogRecord l;
  l.level = wire::LogLevel::error;
  l.text = "connect to 10.0.0.7:8080 refused (x120 in the last second)";
  return l;
}

inline wire::Bye sample_bye() {
  wire::Bye b;
  b.reason = "operator stop";
  return b;
}

inline wire::Plan sample_plan() {
  wire::Plan p;
  p.epoch = 42;
  p.state = wire::CampaignState::running;
  p.campaign_id = "c-17";
  p.campaign_name = "checkout soak";
  wire::RequestSpec home;
  home.name = "home";
  home.url = "http://10.0.0.7:8080/";
  home.headers = {"Accept: text/html"};
  wire::RequestSpec buy;
  buy.name = "buy";
  buy.method = "POST";
  buy.url = "http://10.0.0.7:8080/cart";
  buy.body = R"({"sku": 7})";
  buy.expect_status = {200, 201};
  buy.expect = {{200, 201}, {302, 302}};
  buy.checks = {{wire::CheckKind::json_equals, "true", "/ok"}, {wire::CheckKind::contains, "order", ""}};
  buy.extracts = {{"order", wire::ExtractKind::json, "/id"}, {"etag", wire::ExtractKind::header, "ETag"}};
  buy.http = wire::HttpVersion::http2;
  buy.tls_verify = false;
  p.requests = {home, buy};
  p.model = wire::LoadModel::open;
  p.rate = 250.5;
  p.stages = {{30'000, 100}, {60'000, 250.5}, {10'000, 0}};
  p.scenarios = {{"browse",
                  3,
                  {{wire::StepKind::request, 0, wire::ThinkKind::fixed, 0, 0},
                   {wire::StepKind::think, 0, wire::ThinkKind::uniform, 1000, 3000}}},
                 {"buy", 1, {{wire::StepKind::request, 1, wire::ThinkKind::fixed, 0, 0}}}};
  p.data = {{"accounts", wire::FeedMode::unique, {"user", "password"}, {{"ann", "x1"}, {"bob", "y2"}}}};
  p.connections = wire::ConnectionReuse::per_iteration;
  p.users = 1000;
  p.spawn_rate = 50.5;
  p.think_time_ms = 250;
  p.duration_ms = 600'000;
  p.start_unix_us = 1'700'000'000'000'000;
  p.budgets = {{"relay-eu", 600, 30.25, {{0, 1}}}, {"relay-us", 400, 20.25, {{1, 2}}}};
  wire::WindowAck ack;
  ack.agent_id = "agent-7";
  ack.low = 1'700'000'000;
  ack.high = 1'700'000'020;
  ack.detached = {1'700'000'025};
  p.acks = {ack};
  return p;
}

inline wire::ClockEcho sample_clock_echo() {
  wire::ClockEcho e;
  e.child_sent_unix_us = 1'700'000'000'000'000;
  e.parent_recv_unix_us = 1'700'000'000'000'900;
  e.parent_sent_unix_us = 1'700'000'000'001'000;
  return e;
}

/// One valid encoded frame of every message type (StatsReport twice: with traffic, empty).
inline std::vector<std::string> sample_frames(uint64_t seed) {
  std::mt19937_64 rng(seed);
  return {
      wire::encode(sample_hello(), "agent-eu-1"),
      wire::encode(sample_heartbeat(), "agent-eu-1"),
      wire::encode(random_stats_report(rng, 2, 60), "agent-eu-1"),
      wire::encode(wire::StatsReport{}, "relay-7"),
      wire::encode(sample_log(), ""),
      wire::encode(sample_bye(), "agent-us-2"),
      wire::encode(sample_plan(), "broker"),
      wire::encode(sample_clock_echo(), "relay-eu"),
  };
}

}  // namespace grid::test

#include "bench/window_templates.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>

#include "protocol/wire/request_stats.hpp"

namespace grid::bench {
namespace {

constexpr double kMedianLatencyUs = 20'000;
constexpr double kLatencySigma = 0.6;
constexpr uint64_t kMaxSamples = 300;  // distinct latency values per name and window
constexpr double k4xxRate = 0.005;
constexpr double k5xxRate = 0.002;
constexpr uint64_t kRequestBytes = 120;   // per request, headers
constexpr uint64_t kResponseBytes = 380;  // per response, headers + small body

wire::RequestStats make_stats(double mean_requests, std::mt19937_64& rng) {
  wire::RequestStats s;
  std::normal_distribution<double> noise(1.0, 0.05);
  s.requests = mean_requests > 0 ? static_cast<uint64_t>(std::llround(std::max(0.0, mean_requests * noise(rng)))) : 0;
  if (s.requests == 0) return s;
  const auto draw = [&](double rate) {
    std::poisson_distribution<uint64_t> d(static_cast<double>(s.requests) * rate);
    return d(rng);
  };
  const uint64_t e4xx = std::min(draw(k4xxRate), s.requests);
  const uint64_t e5xx = std::min(draw(k5xxRate), s.requests - e4xx);
  s.failures[wire::FailureKind::http_4xx] = e4xx;
  s.failures[wire::FailureKind::http_5xx] = e5xx;
  // Ascending codes, zero counts left out (validate() insists).
  if (const uint64_t ok = s.requests - e4xx - e5xx) s.status_codes.push_back({200, ok});
  if (e4xx) s.status_codes.push_back({404, e4xx});
  if (e5xx) s.status_codes.push_back({503, e5xx});
  s.bytes_sent = s.requests * kRequestBytes;
  s.bytes_received = s.requests * kResponseBytes;
  // Every request got a response, so each has a latency: `samples` lognormal values
  // share the request count (record_n), the first `rest` one more than the others.
  std::lognormal_distribution<double> latency(std::log(kMedianLatencyUs), kLatencySigma);
  const uint64_t samples = std::min(s.requests, kMaxSamples);
  const uint64_t each = s.requests / samples;
  const uint64_t rest = s.requests % samples;
  for (uint64_t i = 0; i < samples; ++i) {
    const auto us = static_cast<uint64_t>(std::max(100.0, latency(rng)));
    s.latency_us.record_n(us, each + (i < rest ? 1 : 0));
  }
  return s;
}

}  // namespace

WindowTemplates::WindowTemplates(std::vector<std::string> names, double requests_per_window, unsigned variants,
                                 uint64_t seed)
    : names_(std::move(names)), variants_(std::max(1u, variants)) {
  if (names_.empty()) throw std::logic_error("window templates need at least one request name");
  std::mt19937_64 rng(seed);
  StatsFrameWriter writer;
  const double per_name = requests_per_window / static_cast<double>(names_.size());
  maps_.reserve((kFractionSteps + 1) * variants_);
  for (unsigned step = 0; step <= kFractionSteps; ++step) {
    const double fraction = static_cast<double>(step) / kFractionSteps;
    for (unsigned v = 0; v < variants_; ++v) {
      std::map<std::string, wire::RequestStats> requests;
      for (const auto& name : names_) requests.emplace(name, make_stats(per_name * fraction, rng));
      EncodedRequests e;
      msgpack::sbuffer buffer;
      msgpack::pack(buffer, requests);
      e.map_bytes.assign(buffer.data(), buffer.size());
      for (const auto& [name, s] : requests) {
        e.requests += s.requests;
        e.failures += s.failed();
      }
      // Prove the spliced frame is what the real codec reads and writes.
      StatsFrameFields probe;
      probe.agent_id = "template-check";
      probe.region = "r";
      probe.campaign_id = "c";
      probe.index = 1'700'000'000'000ULL / 1000;
      probe.interval_ms = 1000;
      probe.active_users = 10;
      probe.first_request_unix_us = 1'700'000'000'000'000LL;
      probe.final = step % 2 == 1;
      if (auto problem = StatsFrameWriter::check_round_trip(writer.write(probe, e), e); !problem.empty()) {
        throw std::logic_error("simulated window fails the codec round trip: " + problem);
      }
      maps_.push_back(std::move(e));
    }
  }
}

const EncodedRequests& WindowTemplates::pick(double fraction, uint64_t variant) const {
  const double clamped = std::clamp(fraction, 0.0, 1.0);
  const auto step = static_cast<size_t>(std::lround(clamped * kFractionSteps));
  return maps_[step * variants_ + static_cast<size_t>(variant % variants_)];
}

}  // namespace grid::bench

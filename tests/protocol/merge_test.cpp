// Merge laws for every mergeable stats type (STYLE.md 6.4): one typed test per law, run
// over LatencyHistogram, RequestStats and StatsWindow, in the spirit of nighthawk's typed
// combine test. Each type is described by a small traits struct: how to build an empty
// value, how to fold one random event into it, how to merge and how to compare.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include "protocol/wire/latency_histogram.hpp"
#include "protocol/wire/request_stats.hpp"
#include "protocol/wire/stats_window.hpp"
#include "sample_messages.hpp"

using grid::wire::FailureKind;
using grid::wire::LatencyHistogram;
using grid::wire::RequestStats;
using grid::wire::StatsWindow;

namespace {

/// One completed request as a worker sees it.
struct RequestEvent {
  std::string name;
  uint16_t status = 0;  // 0: no response
  std::optional<FailureKind> failure;
  uint64_t latency_us = 0;
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  std::string source_agent;  // StatsWindow only: non-empty adds this agent's SourceTotals
};

RequestEvent random_request_event(std::mt19937_64& rng) {
  static const char* const kNames[] = {"home", "login", "search", "checkout"};
  static constexpr uint16_t kCodes[] = {200, 204, 302, 404, 429, 500, 503};
  RequestEvent e;
  e.name = kNames[rng() % std::size(kNames)];
  e.bytes_sent = rng() % 4096;
  e.latency_us = grid::test::latency_like_us(rng);
  if (rng() % 10 == 0) {
    e.failure = static_cast<FailureKind>(rng() % grid::wire::kFailureKindCount);
    if (*e.failure == FailureKind::http_4xx) e.status = 404;
    if (*e.failure == FailureKind::http_5xx) e.status = 503;
  } else {
    e.status = kCodes[rng() % std::size(kCodes)];
  }
  if (e.status != 0) e.bytes_received = rng() % 100'000;
  if (rng() % 50 == 0) e.source_agent = "agent-" + std::to_string(rng() % 8);
  return e;
}

void apply_request(RequestStats& s, const RequestEvent& e) {
  ++s.requests;
  if (e.failure) ++s.failures[*e.failure];
  if (e.status != 0) s.count_status(e.status);
  if (e.status != 0 || e.failure == FailureKind::timeout) s.latency_us.record(e.latency_us);
  s.bytes_sent += e.bytes_sent;
  s.bytes_received += e.bytes_received;
}

struct HistogramTraits {
  using Value = LatencyHistogram;
  using Event = uint64_t;
  static Value empty() { return {}; }
  static Event random_event(std::mt19937_64& rng) {
    // Mostly latency-like, sometimes anywhere in (and beyond) the range.
    return rng() % 8 == 0 ? rng() >> (rng() % 64) : grid::test::latency_like_us(rng);
  }
  static void apply(Value& v, const Event& e) { v.record(e); }
  static void merge(Value& into, const Value& from) { into.merge(from); }
  static bool equal(const Value& a, const Value& b) { return a == b; }
};

struct RequestStatsTraits {
  using Value = RequestStats;
  using Event = RequestEvent;
  static Value empty() { return {}; }
  static Event random_event(std::mt19937_64& rng) { return random_request_event(rng); }
  static void apply(Value& v, const Event& e) { apply_request(v, e); }
  static void merge(Value& into, const Value& from) { into.merge(from); }
  static bool equal(const Value& a, const Value& b) { return a == b; }
};

struct StatsWindowTraits {
  using Value = StatsWindow;
  using Event = RequestEvent;
  static Value empty() {
    StatsWindow w;
    w.index = 1'700'000'123;
    w.interval_ms = 1000;
    return w;
  }
  static Event random_event(std::mt19937_64& rng) { return random_request_event(rng); }
  // active_users is a gauge that merging sums over sources; events leave it alone.
  static void apply(Value& v, const Event& e) {
    apply_request(v.requests[e.name], e);
    if (!e.source_agent.empty()) {
      grid::wire::SourceTotals source;
      source.agent_id = e.source_agent;
      source.requests = e.bytes_sent;  // any value that differs between sources
      v.sources.push_back(source);
    }
  }
  static void merge(Value& into, const Value& from) { BOOST_TEST_REQUIRE(into.merge(from)); }
  static bool equal(const Value& a, const Value& b) { return grid::test::same_window(a, b); }
};

using MergeableTypes = boost::mpl::list<HistogramTraits, RequestStatsTraits, StatsWindowTraits>;

template <class T>
typename T::Value random_value(std::mt19937_64& rng, size_t events) {
  auto v = T::empty();
  for (size_t i = 0; i < events; ++i) T::apply(v, T::random_event(rng));
  return v;
}

template <class T>
typename T::Value merged(typename T::Value a, const typename T::Value& b) {
  T::merge(a, b);
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(merge_laws)

BOOST_AUTO_TEST_CASE_TEMPLATE(merge_is_commutative, T, MergeableTypes) {
  std::mt19937_64 rng(100);
  for (int trial = 0; trial < 20; ++trial) {
    const auto a = random_value<T>(rng, rng() % 2000);
    const auto b = random_value<T>(rng, rng() % 2000);
    BOOST_TEST(T::equal(merged<T>(a, b), merged<T>(b, a)));
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(merge_is_associative, T, MergeableTypes) {
  std::mt19937_64 rng(101);
  for (int trial = 0; trial < 20; ++trial) {
    const auto a = random_value<T>(rng, rng() % 2000);
    const auto b = random_value<T>(rng, rng() % 2000);
    const auto c = random_value<T>(rng, rng() % 2000);
    BOOST_TEST(T::equal(merged<T>(merged<T>(a, b), c), merged<T>(a, merged<T>(b, c))));
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(merge_of_split_stream_equals_whole, T, MergeableTypes) {
  std::mt19937_64 rng(102);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<typename T::Event> stream(5000 + rng() % 5000);
    for (auto& e : stream) e = T::random_event(rng);
    auto whole = T::empty();
    for (const auto& e : stream) T::apply(whole, e);

    // Cut the stream into k parts at random points (parts may be empty), fold each part
    // into its own value as k workers would, then merge the parts in a random order.
    const size_t k = 1 + rng() % 16;
    std::vector<size_t> cuts = {0, stream.size()};
    for (size_t i = 1; i < k; ++i) cuts.push_back(rng() % (stream.size() + 1));
    std::sort(cuts.begin(), cuts.end());
    std::vector<typename T::Value> parts;
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      auto part = T::empty();
      for (size_t j = cuts[i]; j < cuts[i + 1]; ++j) T::apply(part, stream[j]);
      parts.push_back(std::move(part));
    }
    std::shuffle(parts.begin(), parts.end(), rng);
    auto total = T::empty();
    for (const auto& part : parts) T::merge(total, part);
    BOOST_TEST_INFO("trial " << trial << ", " << parts.size() << " parts");
    BOOST_TEST(T::equal(total, whole));
  }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(merging_an_empty_value_changes_nothing, T, MergeableTypes) {
  std::mt19937_64 rng(103);
  const auto a = random_value<T>(rng, 3000);
  BOOST_TEST(T::equal(merged<T>(a, T::empty()), a));
  BOOST_TEST(T::equal(merged<T>(T::empty(), a), a));
  BOOST_TEST(T::equal(merged<T>(T::empty(), T::empty()), T::empty()));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(merging_a_value_into_itself_doubles_it, T, MergeableTypes) {
  std::mt19937_64 rng(104);
  std::vector<typename T::Event> stream(2000);
  for (auto& e : stream) e = T::random_event(rng);
  auto once = T::empty();
  auto twice = T::empty();
  for (const auto& e : stream) {
    T::apply(once, e);
    T::apply(twice, e);
  }
  for (const auto& e : stream) T::apply(twice, e);
  auto self = once;
  T::merge(self, self);
  BOOST_TEST(T::equal(self, twice));
}

BOOST_AUTO_TEST_SUITE_END()

// Central logging's pieces on the node side (docs/adr/0018): the token buckets, the
// capture of a logger's warnings and errors, and the uplink that sends them (and a
// relay's forwarded records) to a parent over real inproc ZeroMQ, rate-limited and
// counted. Time is a manual clock: no sleep decides anything.

#include <boost/test/unit_test.hpp>

#include "protocol/common/log_capture.hpp"
#include "protocol/common/log_uplink.hpp"
#include "protocol/common/token_bucket.hpp"
#include "support/fake_peers.hpp"
#include "support/manual_clock.hpp"

using namespace std::chrono_literals;
using grid::common::KeyedTokenBuckets;
using grid::common::LogCapture;
using grid::common::LogUplink;
using grid::common::SteadyTime;
using grid::common::TokenBucket;
using grid::test::FakeParent;
using grid::test::ManualClock;
using grid::test::step_until;
using grid::wire::LogRecord;
using grid::wire::MessageType;

namespace {

int take_all(TokenBucket& bucket, SteadyTime at) {
  int n = 0;
  while (bucket.try_take(at) && n < 100'000) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(central_logs)

BOOST_AUTO_TEST_CASE(a_token_bucket_admits_its_burst_at_once_then_its_rate) {
  TokenBucket bucket(10, 50);
  const SteadyTime t0{100s};
  BOOST_TEST(take_all(bucket, t0) == 50);
  BOOST_TEST(!bucket.try_take(t0 + 99ms));
  BOOST_TEST(bucket.try_take(t0 + 100ms));  // one token every 100 ms
  BOOST_TEST(!bucket.try_take(t0 + 150ms));
  BOOST_TEST(take_all(bucket, t0 + 1100ms) == 10);
}

BOOST_AUTO_TEST_CASE(a_token_bucket_never_holds_more_than_its_burst_and_time_going_back_adds_nothing) {
  TokenBucket bucket(10, 50);
  const SteadyTime t0{100s};
  BOOST_TEST(bucket.full_at(t0));
  BOOST_TEST(take_all(bucket, t0) == 50);
  BOOST_TEST(!bucket.full_at(t0 + 4s));
  BOOST_TEST(bucket.full_at(t0 + 5s));
  BOOST_TEST(take_all(bucket, t0 + 1h) == 50);  // an hour idle: still one burst
  BOOST_TEST(!bucket.try_take(t0));             // back in time: no refill
}

BOOST_AUTO_TEST_CASE(keyed_buckets_are_independent_so_a_noisy_key_leaves_the_others_theirs) {
  KeyedTokenBuckets buckets(10, 5);
  const SteadyTime t0{100s};
  int noisy = 0;
  for (int i = 0; i < 100; ++i) noisy += buckets.try_take("noisy", t0);
  BOOST_TEST(noisy == 5);
  int quiet = 0;
  for (int i = 0; i < 5; ++i) quiet += buckets.try_take("quiet", t0);
  BOOST_TEST(quiet == 5);
}

BOOST_AUTO_TEST_CASE(keyed_buckets_are_bounded_and_invented_keys_share_one_overflow_bucket) {
  KeyedTokenBuckets buckets(1, 2, 10);
  const SteadyTime t0{100s};
  for (int i = 0; i < 10; ++i) BOOST_TEST(buckets.try_take("k" + std::to_string(i), t0));
  BOOST_TEST(buckets.keys() == 10u);
  // Every bucket is in use (not full): new keys share the overflow bucket's burst of 2.
  int admitted = 0;
  for (int i = 10; i < 100; ++i) admitted += buckets.try_take("k" + std::to_string(i), t0);
  BOOST_TEST(admitted == 2);
  BOOST_TEST(buckets.keys() == 10u);
  // Once the old buckets are full again they are forgotten and new keys get their own.
  BOOST_TEST(buckets.try_take("late", t0 + 10s));
  BOOST_TEST(buckets.keys() == 1u);
}

BOOST_AUTO_TEST_CASE(a_capture_takes_a_loggers_warnings_and_errors_with_their_time_and_not_its_info) {
  const auto log = grid::common::make_logger("capture-levels");
  LogCapture capture(log);
  const auto before = std::chrono::system_clock::now();
  log->info("just so");
  log->warn("disk at {}%", 91);
  log->error("cannot write");
  log->critical("worse");
  const auto got = capture.take();
  BOOST_TEST_REQUIRE(got.size() == 3u);
  BOOST_TEST(got[0].message == "disk at 91%");
  BOOST_TEST((got[0].level == grid::wire::LogLevel::warning));
  BOOST_TEST((got[1].level == grid::wire::LogLevel::error));
  BOOST_TEST((got[2].level == grid::wire::LogLevel::error));  // critical is an error on the wire
  BOOST_TEST((got[0].time >= before));
  BOOST_TEST(capture.take().empty());  // taken once
}

BOOST_AUTO_TEST_CASE(warnings_are_captured_even_when_stderr_shows_only_errors_or_nothing) {
  const auto log = grid::common::make_logger("capture-quiet");
  LogCapture capture(log);
  grid::common::set_log_level(grid::common::LogLevel::off);
  log->warn("still travels");
  log->info("never");
  grid::common::set_log_level(grid::common::LogLevel::info);
  const auto got = capture.take();
  BOOST_TEST_REQUIRE(got.size() == 1u);
  BOOST_TEST(got[0].message == "still travels");
}

BOOST_AUTO_TEST_CASE(a_capture_is_bounded_and_counts_what_it_could_not_keep) {
  const auto log = grid::common::make_logger("capture-bounded");
  LogCapture capture(log, 3);
  for (int i = 0; i < 10; ++i) log->warn("w{}", i);
  const auto got = capture.take();
  BOOST_TEST_REQUIRE(got.size() == 3u);
  BOOST_TEST(got[2].message == "w2");  // the oldest are kept
  BOOST_TEST(capture.overflowed() == 7u);
}

BOOST_AUTO_TEST_CASE(a_long_message_is_cut_at_a_character_boundary_with_an_ellipsis) {
  BOOST_TEST(grid::common::cut_message("short", 10) == "short");
  BOOST_TEST(grid::common::cut_message("abcdef", 4) == "abcd\xE2\x80\xA6");
  // "é" is two bytes (C3 A9): a cut inside it backs up to before it.
  BOOST_TEST(grid::common::cut_message("ab\xC3\xA9z", 3) == "ab\xE2\x80\xA6");
  const std::string huge(100'000, 'x');
  BOOST_TEST(grid::common::cut_message(huge).size() == LogCapture::kMaxMessageBytes + 3);
}

BOOST_AUTO_TEST_CASE(a_nodes_warnings_go_to_its_parent_naming_the_node_and_the_time_and_a_flood_is_cut_and_counted) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://uplink-parent");
  ManualClock clock;
  const auto log = grid::common::make_logger("uplink-a1");
  grid::common::ParentLink link(context, "inproc://uplink-parent", "uplink-a1", clock, log);
  LogUplink uplink(log, "uplink-a1");
  const int64_t logged_ms = grid::common::to_unix_us(grid::common::SystemClock::instance().wall_now()) / 1000;
  grid::common::set_log_level(grid::common::LogLevel::off);  // captured all the same, not printed
  for (int i = 0; i < 200; ++i) log->warn("flood {}", i);
  uplink.pump(link, clock.steady_now());
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::log) >= 50; }));
  BOOST_TEST(parent.count(MessageType::log) == 50u);  // the burst
  BOOST_TEST(uplink.dropped() == 150u);
  const auto first = parent.of_type(MessageType::log)[0].as<LogRecord>();
  BOOST_TEST(first.node == "uplink-a1");
  BOOST_TEST(first.text == "flood 0");
  BOOST_TEST((first.level == grid::wire::LogLevel::warning));
  BOOST_TEST(std::llabs(first.time_unix_ms - logged_ms) < 60'000);  // logged just now (no offset estimate yet)
  // A second later: ten more.
  clock.advance(1s);
  for (int i = 0; i < 20; ++i) log->error("later {}", i);
  grid::common::set_log_level(grid::common::LogLevel::info);
  uplink.pump(link, clock.steady_now());
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::log) >= 60; }));
  BOOST_TEST(uplink.dropped() == 160u);
  BOOST_TEST((parent.of_type(MessageType::log)[50].as<LogRecord>().level == grid::wire::LogLevel::error));
}

BOOST_AUTO_TEST_CASE(forwarded_records_go_up_unchanged_per_originating_node_so_a_noisy_agent_does_not_starve_another) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://forward-parent");
  ManualClock clock;
  const auto log = grid::common::make_logger("forward-relay");
  grid::common::ParentLink link(context, "inproc://forward-parent", "forward-relay", clock, log);
  LogUplink uplink(log, "forward-relay");
  auto record = [](const std::string& node, const std::string& text) {
    LogRecord r;
    r.level = grid::wire::LogLevel::warning;
    r.text = text;
    r.node = node;
    r.time_unix_ms = 1234;
    return r;
  };
  for (int i = 0; i < 500; ++i) {
    const auto r = record("noisy", "n" + std::to_string(i));
    uplink.forward(link, "noisy", r, grid::wire::encode(r, "noisy"), clock.steady_now());
  }
  const auto quiet = record("quiet", "only one");
  uplink.forward(link, "quiet", quiet, grid::wire::encode(quiet, "quiet"), clock.steady_now());
  // An older agent's record names no node: its sender's bucket counts it.
  LogRecord old;
  old.level = grid::wire::LogLevel::error;
  old.text = "old";
  uplink.forward(link, "old-agent", old, grid::wire::encode(old, "old-agent"), clock.steady_now());
  // Twice the node's own burst passes a parent (a safety net, never the binding limit).
  const size_t expected =
      static_cast<size_t>(grid::common::LogLimits::kBurst * grid::common::LogLimits::kForwardFactor);
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::log) >= expected + 2; }));
  BOOST_TEST(uplink.dropped() == 500u - expected);
  bool quiet_seen = false, old_seen = false;
  for (const auto& m : parent.of_type(MessageType::log)) {
    const auto r = m.as<LogRecord>();
    if (r.node == "quiet") quiet_seen = m.sender == "quiet" && r.time_unix_ms == 1234;  // unchanged
    if (m.sender == "old-agent") old_seen = r.node.empty() && r.text == "old";
  }
  BOOST_TEST(quiet_seen);
  BOOST_TEST(old_seen);
}

BOOST_AUTO_TEST_SUITE_END()

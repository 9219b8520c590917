// ParentLink: the child side of a hop. Nothing it is given to send vanishes without a
// trace, and malformed frames from the parent are counted like the parent counts its own.

#include <boost/test/unit_test.hpp>

#include "protocol/common/log_capture.hpp"
#include "protocol/common/parent_link.hpp"
#include "protocol/wire/codec.hpp"
#include "support/fake_peers.hpp"
#include "support/manual_clock.hpp"

using namespace std::chrono_literals;
using grid::common::ParentLink;
using grid::common::ParentLinkOptions;
using grid::test::FakeParent;
using grid::test::ManualClock;
using grid::test::step_until;
using grid::wire::MessageType;

namespace {

grid::wire::LogRecord record(int n) {
  grid::wire::LogRecord r;
  r.text = "message " + std::to_string(n);
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parent_link)

BOOST_AUTO_TEST_CASE(messages_a_full_queue_refuses_are_kept_and_arrive_in_order_once_the_parent_is_there) {
  zmq::context_t context;
  ManualClock clock;
  ParentLinkOptions small;
  small.send_queue = 2;
  // No parent yet: the connection is pending and ZeroMQ queues only a few messages.
  ParentLink link(context, "inproc://late-parent", "child", clock, grid::common::make_logger("child"), small);
  for (int i = 0; i < 50; ++i) link.send(record(i));
  BOOST_TEST(link.retained_frames() > 0u);
  BOOST_TEST(link.dropped_frames() == 0u);
  FakeParent parent(context, "inproc://late-parent");
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::log) == 50; }, [&] { link.flush(); }));
  const auto logs = parent.of_type(MessageType::log);
  for (int i = 0; i < 50; ++i) BOOST_TEST(logs[i].as<grid::wire::LogRecord>().text == "message " + std::to_string(i));
  BOOST_TEST(link.retained_frames() == 0u);
}

BOOST_AUTO_TEST_CASE(past_the_retry_limit_messages_are_given_up_counted_and_reported_in_the_next_heartbeat) {
  zmq::context_t context;
  ManualClock clock;
  ParentLinkOptions tiny;
  tiny.send_queue = 1;
  tiny.retained_bytes = 200;
  ParentLink link(context, "inproc://slow-parent", "child", clock, grid::common::make_logger("child"), tiny);
  for (int i = 0; i < 100; ++i) link.send(record(i));
  const uint64_t dropped = link.dropped_frames();
  BOOST_TEST(dropped > 0u);
  FakeParent parent(context, "inproc://slow-parent");
  BOOST_TEST_REQUIRE(step_until([&] { return link.flush(); }));
  link.send_heartbeat(grid::wire::Heartbeat{});
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::heartbeat) == 1; }));
  const auto hb = parent.of_type(MessageType::heartbeat)[0].as<grid::wire::Heartbeat>();
  BOOST_TEST(hb.dropped_frames == dropped);
  BOOST_TEST(parent.count(MessageType::log) + dropped == 100u);  // every message arrived or is counted
}

BOOST_AUTO_TEST_CASE(a_lagging_child_still_heartbeats_and_its_heartbeat_says_how_much_it_keeps) {
  zmq::context_t context;
  ManualClock clock;
  ParentLinkOptions small;
  small.send_queue = 2;
  ParentLink link(context, "inproc://lagging-parent", "child", clock, grid::common::make_logger("child"), small);
  for (int i = 0; i < 20; ++i) link.send(record(i));
  BOOST_TEST_REQUIRE(link.retained_frames() > 0u);
  FakeParent parent(context, "inproc://lagging-parent");
  // No flush: the heartbeat does not wait behind the kept frames.
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::heartbeat) >= 1; },
                                [&] { link.send_heartbeat(grid::wire::Heartbeat{}); }));
  const auto hb = parent.of_type(MessageType::heartbeat)[0].as<grid::wire::Heartbeat>();
  BOOST_TEST(hb.retained_frames == link.retained_frames());
  BOOST_TEST(hb.retained_frames > 0u);
  BOOST_TEST_REQUIRE(step_until([&] { return link.flush(); }));
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::log) == 20; }));
}

BOOST_AUTO_TEST_CASE(leaving_without_a_parent_gives_up_what_is_kept_and_counts_it) {
  zmq::context_t context;
  ManualClock clock;
  ParentLinkOptions small;
  small.send_queue = 1;
  ParentLink link(context, "inproc://gone-parent", "child", clock, grid::common::make_logger("child"), small);
  for (int i = 0; i < 10; ++i) link.send(record(i));
  const size_t kept = link.retained_frames();
  BOOST_TEST(kept > 0u);
  link.leave("stopped", 100ms);
  BOOST_TEST(link.retained_frames() == 0u);
  BOOST_TEST(link.dropped_frames() == kept + 1);  // the bye too: it queued behind them
}

BOOST_AUTO_TEST_CASE(malformed_frames_from_the_parent_are_counted_and_the_valid_plan_after_them_is_taken) {
  zmq::context_t context;
  ManualClock clock;
  FakeParent parent(context, "inproc://noisy-parent");
  ParentLink link(context, "inproc://noisy-parent", "child", clock, grid::common::make_logger("child"));
  grid::wire::Plan plan;
  plan.epoch = 5;
  // The subscription must reach the publisher before anything published counts.
  BOOST_TEST_REQUIRE(step_until([&] { return link.receive(0).has_value(); }, [&] { parent.publish(plan); }));
  parent.publish_raw(grid::common::kPlanTopic, "not msgpack");
  parent.publish_raw(grid::common::kPlanTopic, grid::wire::encode(grid::wire::Bye{}, "parent"));  // wrong direction
  plan.epoch = 6;
  parent.publish(plan);
  std::optional<grid::wire::Plan> got;
  BOOST_TEST_REQUIRE(step_until([&] { return got.has_value(); }, [&] { got = link.receive(5); }));
  BOOST_TEST(got->epoch == 6u);
  BOOST_TEST(link.rejected_frames() == 2u);
  link.send_heartbeat(grid::wire::Heartbeat{});
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::heartbeat) == 1; }));
  BOOST_TEST(parent.of_type(MessageType::heartbeat)[0].as<grid::wire::Heartbeat>().rejected_frames == 2u);
}

// docs/compatibility.md: plans of a parent of another protocol version are refused,
// counted, and the warning names the parent and both versions.
BOOST_AUTO_TEST_CASE(plans_of_a_parent_of_another_protocol_version_are_refused_naming_it_and_both_versions) {
  zmq::context_t context;
  ManualClock clock;
  FakeParent parent(context, "inproc://future-parent");
  auto logger = grid::common::make_logger("child");
  grid::common::LogCapture warnings(logger);
  ParentLink link(context, "inproc://future-parent", "child", clock, logger);
  grid::wire::Plan plan;
  plan.epoch = 5;
  BOOST_TEST_REQUIRE(step_until([&] { return link.receive(0).has_value(); }, [&] { parent.publish(plan); }));
  const uint64_t next = grid::wire::kProtocolVersion + 1;
  plan.epoch = 6;
  parent.publish_raw(grid::common::kPlanTopic, grid::test::frame_of(MessageType::plan, next, "broker-9", plan));
  BOOST_TEST_REQUIRE(step_until([&] { return link.rejected_frames() == 1; }, [&] { BOOST_TEST(!link.receive(5)); }));
  const auto lines = warnings.take();
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);
  const std::string expected = "parent inproc://future-parent (node \"broker-9\") speaks protocol version " +
                               std::to_string(next) + ", this node speaks " +
                               std::to_string(grid::wire::kProtocolVersion);
  BOOST_TEST(lines[0].message.find(expected) != std::string::npos, lines[0].message);
}

BOOST_AUTO_TEST_CASE(a_heartbeat_carries_the_send_time_of_the_links_clock) {
  zmq::context_t context;
  ManualClock clock;
  FakeParent parent(context, "inproc://clock-parent");
  ParentLink link(context, "inproc://clock-parent", "child", clock, grid::common::make_logger("child"));
  link.send_heartbeat(grid::wire::Heartbeat{});
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::heartbeat) == 1; }));
  BOOST_TEST(parent.of_type(MessageType::heartbeat)[0].as<grid::wire::Heartbeat>().sent_unix_us ==
             grid::common::to_unix_us(clock.wall_now()));
}

BOOST_AUTO_TEST_CASE(a_parent_that_echoes_every_heartbeat_is_never_left) {
  zmq::context_t context;
  ManualClock clock;
  FakeParent first(context, "inproc://answering-1");
  FakeParent second(context, "inproc://answering-2");
  ParentLink link(context, "inproc://answering-1,inproc://answering-2", "child", clock,
                  grid::common::make_logger("child"));
  for (int s = 0; s < 10; ++s) {
    link.send_heartbeat(grid::wire::Heartbeat{});
    BOOST_TEST_REQUIRE(step_until([&] { return link.parent_alive(); },
                                  [&] {
                                    first.answer_heartbeats();
                                    link.receive(0);
                                  }));
    clock.advance(1s);
    BOOST_TEST(!link.check_liveness());
  }
  BOOST_TEST(link.current_parent() == "inproc://answering-1");
  BOOST_TEST(link.failovers() == 0u);
  BOOST_TEST(second.count(MessageType::heartbeat) == 0u);
}

BOOST_AUTO_TEST_CASE(a_parent_silent_for_three_heartbeats_is_left_for_the_next_in_the_list) {
  zmq::context_t context;
  ManualClock clock;
  FakeParent first(context, "inproc://failover-1");
  FakeParent second(context, "inproc://failover-2");
  ParentLink link(context, "inproc://failover-1,inproc://failover-2", "child", clock,
                  grid::common::make_logger("child"));
  link.send_heartbeat(grid::wire::Heartbeat{});
  BOOST_TEST_REQUIRE(step_until([&] { return link.parent_alive(); },
                                [&] {
                                  first.answer_heartbeats();
                                  link.receive(0);
                                }));
  BOOST_TEST(link.recovered());  // the first echo: heard
  // The first parent stops answering.
  clock.advance(2900ms);
  BOOST_TEST(!link.check_liveness());
  clock.advance(100ms);
  BOOST_TEST(link.check_liveness());
  BOOST_TEST(link.current_parent() == "inproc://failover-2");
  BOOST_TEST(link.failovers() == 1u);
  // The new parent hears us and answers: recovered says so once.
  link.send_heartbeat(grid::wire::Heartbeat{});
  BOOST_TEST_REQUIRE(step_until([&] { return link.parent_alive(); },
                                [&] {
                                  second.answer_heartbeats();
                                  link.receive(0);
                                }));
  BOOST_TEST(link.recovered());
  BOOST_TEST(!link.recovered());
  link.send_heartbeat(grid::wire::Heartbeat{});
  BOOST_TEST_REQUIRE(step_until([&] { return second.count(MessageType::heartbeat) == 2; }));
  BOOST_TEST(second.of_type(MessageType::heartbeat)[1].as<grid::wire::Heartbeat>().failovers == 1u);
}

BOOST_AUTO_TEST_CASE(after_a_round_of_silent_parents_each_attempt_waits_longer_up_to_the_limit) {
  zmq::context_t context;
  ManualClock clock;
  ParentLinkOptions options;
  options.max_backoff = 4s;
  ParentLink link(context, "inproc://gone-1,inproc://gone-2", "child", clock, grid::common::make_logger("child"),
                  options);
  // Time from one switch to the next: 3 s each for the first round, then 3 s plus a
  // backoff doubling from 0.5 s up to 4 s.
  std::vector<int> waits;
  for (int attempt = 0; attempt < 9; ++attempt) {
    int waited = 0;
    while (!link.check_liveness()) {
      clock.advance(100ms);
      waited += 100;
      BOOST_TEST_REQUIRE(waited < 60'000);
    }
    waits.push_back(waited);
  }
  BOOST_TEST(waits == (std::vector<int>{3000, 3000, 3500, 3500, 4000, 4000, 5000, 5000, 7000}),
             boost::test_tools::per_element());
  BOOST_TEST(link.failovers() == 9u);
}

BOOST_AUTO_TEST_CASE(silence_is_measured_from_the_last_echo_of_any_parent) {
  zmq::context_t context;
  ManualClock clock;
  FakeParent parent(context, "inproc://deadman-parent");
  ParentLink link(context, "inproc://deadman-parent", "child", clock, grid::common::make_logger("child"));
  link.send_heartbeat(grid::wire::Heartbeat{});
  BOOST_TEST_REQUIRE(step_until([&] { return link.parent_alive(); },
                                [&] {
                                  parent.answer_heartbeats();
                                  link.receive(0);
                                }));
  BOOST_TEST(link.silent_for() == 0ms);
  clock.advance(4s);
  BOOST_TEST(!link.check_liveness());  // one parent: nothing to switch to
  BOOST_TEST(!link.parent_alive());
  clock.advance(11s);
  BOOST_TEST(link.silent_for() == 15000ms);
  BOOST_TEST(link.current_parent() == "inproc://deadman-parent");
}

BOOST_AUTO_TEST_CASE(a_lone_silent_parent_is_reconnected_and_hears_us_again) {
  zmq::context_t context;
  ManualClock clock;
  FakeParent parent(context, "inproc://lone-parent");
  ParentLink link(context, "inproc://lone-parent", "child", clock, grid::common::make_logger("child"));
  for (int round = 0; round < 3; ++round) {
    clock.advance(3500ms);
    BOOST_TEST(!link.check_liveness());  // reconnected, not a failover
    link.send_heartbeat(grid::wire::Heartbeat{});
    BOOST_TEST_REQUIRE(
        step_until([&] { return parent.count(MessageType::heartbeat) == static_cast<size_t>(round + 1); }),
        "round " << round);
  }
  BOOST_TEST(link.failovers() == 0u);
}

BOOST_AUTO_TEST_CASE(a_message_above_the_frame_limit_is_not_sent_but_counted_as_given_up) {
  zmq::context_t context;
  ManualClock clock;
  FakeParent parent(context, "inproc://oversized-parent");
  ParentLink link(context, "inproc://oversized-parent", "child", clock, grid::common::make_logger("child"));
  grid::wire::LogRecord huge;
  huge.text.assign(static_cast<size_t>(grid::common::kMaxFrameBytes), 'x');
  link.send(huge);
  link.send(record(1));
  BOOST_TEST(link.dropped_frames() == 1u);
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::log) == 1; }));
  BOOST_TEST(parent.of_type(MessageType::log)[0].as<grid::wire::LogRecord>().text == "message 1");
}

BOOST_AUTO_TEST_SUITE_END()

// RelayNode driven step by step with a manual clock, between a fake parent and fake
// children over real inproc ZeroMQ sockets: hello, heartbeat cadence, liveness of its
// children and the snapshot throttle, with no wall-clock waits deciding anything.

#include <optional>

#include <boost/test/unit_test.hpp>

#include "relay/relay_node.hpp"
#include "support/fake_peers.hpp"
#include "support/manual_clock.hpp"

using namespace std::chrono_literals;
using grid::relay::RelayNode;
using grid::relay::RelayOptions;
using grid::test::FakeChild;
using grid::test::FakeParent;
using grid::test::ManualClock;
using grid::test::step_until;
using grid::wire::MessageType;

namespace {

RelayOptions options(const std::string& name) {
  RelayOptions o;
  o.id = "relay-" + name;
  o.region = "eu";
  o.parent = "inproc://parent-" + name;
  o.listen = "inproc://relay-" + name;
  return o;
}

grid::wire::Plan running_plan(const std::string& relay_id, uint32_t users, uint64_t epoch) {
  auto p = grid::test::running_plan(users);
  p.epoch = epoch;
  p.budgets = {{relay_id, users, 0, {}}};
  return p;
}

uint32_t users_of(const grid::wire::Plan& plan, const std::string& child) {
  const auto b = plan.budget_of(child);
  return b ? b->users : 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(relay_node)

BOOST_AUTO_TEST_CASE(a_relay_says_hello_then_a_first_heartbeat_on_start) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-hello");
  ManualClock clock;
  RelayNode relay(context, options("hello"), clock);
  relay.start();
  BOOST_TEST_REQUIRE(step_until([&] { return parent.received().size() >= 2; }));
  const auto& got = parent.received();
  BOOST_TEST((got[0].type == MessageType::hello));
  BOOST_TEST((got[1].type == MessageType::heartbeat));
  const auto hello = got[0].as<grid::wire::Hello>();
  BOOST_TEST((hello.kind == grid::wire::NodeKind::relay));
  BOOST_TEST(hello.region == "eu");
  BOOST_TEST(!hello.software_version.empty());
  BOOST_TEST(got[0].sender == "relay-hello");
}

BOOST_AUTO_TEST_CASE(a_relay_heartbeats_once_per_interval_and_once_after_a_stall) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-beat");
  ManualClock clock;
  RelayNode relay(context, options("beat"), clock);
  relay.start();
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::heartbeat) == 1; }));
  for (int i = 0; i < 5; ++i) relay.step();
  clock.advance(999ms);
  relay.step();
  BOOST_TEST(parent.count(MessageType::heartbeat) == 1u);
  clock.advance(1ms);
  relay.step();
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::heartbeat) == 2; }));
  // A 10 s stall (a suspended process): one heartbeat, not ten to catch up.
  clock.advance(10s);
  for (int i = 0; i < 5; ++i) relay.step();
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::heartbeat) >= 3; }));
  BOOST_TEST(parent.count(MessageType::heartbeat) == 3u);
}

BOOST_AUTO_TEST_CASE(a_child_silent_for_three_heartbeats_is_lost_and_its_sibling_takes_its_users_once_it_cannot_fire) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-loss");
  ManualClock clock;
  RelayNode relay(context, options("loss"), clock);
  relay.start();
  FakeChild a(context, "inproc://relay-loss", "a");
  FakeChild b(context, "inproc://relay-loss", "b");
  a.hello();
  a.heartbeat();
  b.hello();
  b.heartbeat();
  parent.publish(running_plan("relay-loss", 10, 1));
  // The split needs both children known and the parent's plan: 5 and 5.
  BOOST_TEST_REQUIRE(step_until(
      [&] {
        const auto p = a.latest_plan();
        return p && users_of(*p, "a") == 5 && users_of(*p, "b") == 5;
      },
      [&] {
        clock.advance(100ms);  // lets the throttle publish each change
        relay.step();
      },
      50));
  // 'a' keeps beating, 'b' falls silent. The registry counts from their last message.
  for (int s = 0; s < 4; ++s) {
    clock.advance(1s);
    a.heartbeat();
    BOOST_TEST_REQUIRE(step_until([&] { return true; }, [&] { relay.step(); }, 1));
  }
  // b may only be cut off and still firing: its share stays held (not given to a) until
  // its dead-man timeout (this child reports none) and the 10 s request timeout, plus two
  // heartbeats, have passed since it was last heard.
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::log) >= 1; }, [&] { relay.step(); }));
  const auto held = a.latest_plan();
  BOOST_TEST_REQUIRE(held.has_value());
  BOOST_TEST(users_of(*held, "a") == 5);
  BOOST_TEST(users_of(*held, "b") == 5);
  for (int s = 0; s < 6; ++s) {
    clock.advance(1s);
    a.heartbeat();
    BOOST_TEST_REQUIRE(step_until([&] { return true; }, [&] { relay.step(); }, 1));
  }
  BOOST_TEST(users_of(*a.latest_plan(), "a") == 5);
  BOOST_TEST_REQUIRE(step_until(
      [&] {
        const auto p = a.latest_plan();
        return p && users_of(*p, "a") == 10 && !p->budget_of("b");
      },
      [&] {
        clock.advance(100ms);
        a.heartbeat();
        relay.step();
      },
      100));
  // The parent is told, and so is the relay's next heartbeat.
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::log) >= 1; }, [&] { relay.step(); }));
  BOOST_TEST(parent.of_type(MessageType::log)[0].as<grid::wire::LogRecord>().text.find("child b lost") !=
             std::string::npos);
  clock.advance(1s);
  BOOST_TEST_REQUIRE(step_until(
      [&] {
        for (const auto& m : parent.of_type(MessageType::heartbeat)) {
          if (m.as<grid::wire::Heartbeat>().lost_agents == std::vector<std::string>{"b"}) return true;
        }
        return false;
      },
      [&] { relay.step(); }));
}

BOOST_AUTO_TEST_CASE(
    an_agent_above_90_percent_cpu_for_10_s_gives_part_of_its_users_to_its_sibling_at_the_next_snapshot) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-cpu");
  ManualClock clock;
  RelayNode relay(context, options("cpu"), clock);
  relay.start();
  FakeChild hot(context, "inproc://relay-cpu", "hot");
  FakeChild cool(context, "inproc://relay-cpu", "cool");
  hot.hello();  // one engine core each
  cool.hello();
  hot.heartbeat();
  cool.heartbeat();
  parent.publish(running_plan("relay-cpu", 10, 1));
  BOOST_TEST_REQUIRE(step_until(
      [&] {
        const auto p = cool.latest_plan();
        return p && users_of(*p, "hot") == 5 && users_of(*p, "cool") == 5;
      },
      [&] {
        clock.advance(100ms);
        relay.step();
      },
      50));
  // Every second: "hot" at 95% of its core, "cool" at 10%. The split moves at the first
  // snapshot after 10 s of hot samples, not before, and the relay's share stays whole.
  const auto first_hot = clock.steady_now() + 1s;
  std::optional<std::chrono::nanoseconds> moved_after;
  for (int s = 0; s < 14 && !moved_after; ++s) {
    clock.advance(1s);
    hot.heartbeat(grid::wire::NodeKind::agent, 1, 1, 95);
    cool.heartbeat(grid::wire::NodeKind::agent, 1, 1, 10);
    step_until([] { return false; }, [&] { relay.step(); }, 4);
    const auto p = cool.latest_plan();
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(users_of(*p, "hot") + users_of(*p, "cool") == 10u);
    if (users_of(*p, "hot") != 5) moved_after = clock.steady_now() - first_hot;
  }
  BOOST_TEST_REQUIRE(moved_after.has_value());
  BOOST_TEST(*moved_after >= 10s);
  BOOST_TEST(*moved_after <= 12s);
  // Weights 0.75 and 1 of 10 users.
  const auto p = *cool.latest_plan();
  BOOST_TEST(users_of(p, "hot") == 4u);
  BOOST_TEST(users_of(p, "cool") == 6u);
  // Reported upstream as a warning, and counted in the capacity the relay reports.
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::log) >= 1; }, [&] { relay.step(); }));
  const auto text = parent.of_type(MessageType::log)[0].as<grid::wire::LogRecord>().text;
  BOOST_TEST(text.find("agent hot CPU above 90% for 1") == 0u, text);
  BOOST_TEST(text.find("its share goes down to 75% of its capacity") != std::string::npos, text);
  clock.advance(1s);
  BOOST_TEST_REQUIRE(step_until(
      [&] {
        const auto beats = parent.of_type(MessageType::heartbeat);
        return beats.back().as<grid::wire::Heartbeat>().capacity == 1.75;
      },
      [&] { relay.step(); }));
}

BOOST_AUTO_TEST_CASE(snapshots_go_out_on_a_change_at_most_ten_a_second_and_every_second_without_one) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-throttle");
  ManualClock clock;
  RelayNode relay(context, options("throttle"), clock);
  relay.start();
  FakeChild child(context, "inproc://relay-throttle", "c");
  // Wait (by the relay's own once-a-second snapshot) until the child hears the relay.
  BOOST_TEST_REQUIRE(step_until([&] { return !child.plans().empty(); },
                                [&] {
                                  clock.advance(1s);
                                  relay.step();
                                },
                                50));
  const size_t base = child.plans().size();
  // A change (the child joins): not before 100 ms after the last snapshot...
  child.hello();
  BOOST_TEST_REQUIRE(step_until([&] { return true; }, [&] { relay.step(); }, 5));
  BOOST_TEST(child.plans().size() == base);
  clock.advance(99ms);
  relay.step();
  BOOST_TEST(child.plans().size() == base);
  // ...then at once.
  clock.advance(1ms);
  relay.step();
  BOOST_TEST_REQUIRE(step_until([&] { return child.plans().size() == base + 1; }));
  // Without a change: nothing until a second has passed since the last one.
  clock.advance(900ms);
  relay.step();
  BOOST_TEST(child.plans().size() == base + 1);
  clock.advance(100ms);
  relay.step();
  BOOST_TEST_REQUIRE(step_until([&] { return child.plans().size() == base + 2; }));
  // Epochs only grow.
  const auto& plans = child.plans();
  BOOST_TEST(plans[base + 1].epoch > plans[base].epoch);
}

BOOST_AUTO_TEST_CASE(a_relay_leaving_says_bye) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-bye");
  ManualClock clock;
  RelayNode relay(context, options("bye"), clock);
  relay.start();
  relay.stop();
  BOOST_TEST(!relay.step());  // a stop ends the loop at the next step
  relay.finish();
  BOOST_TEST_REQUIRE(step_until([&] { return parent.count(MessageType::bye) == 1; }));
}

BOOST_AUTO_TEST_CASE(a_relay_forwards_childrens_records_unchanged_cuts_a_noisy_ones_and_counts_it_in_its_heartbeat) {
  zmq::context_t context;
  FakeParent parent(context, "inproc://parent-logs");
  ManualClock clock;
  RelayNode relay(context, options("logs"), clock);
  relay.start();
  FakeChild noisy(context, "inproc://relay-logs", "noisy");
  FakeChild quiet(context, "inproc://relay-logs", "quiet");
  noisy.hello();
  quiet.hello();
  grid::wire::LogRecord r;
  r.level = grid::wire::LogLevel::warning;
  r.node = "noisy";
  r.time_unix_ms = 42;
  for (int i = 0; i < 300; ++i) {
    r.text = "noise " + std::to_string(i);
    noisy.send(r);
  }
  r.node = "quiet";
  r.text = "one thing";
  quiet.send(r);
  // Each record is either forwarded or counted: the relay's next heartbeats say how many.
  const size_t allowed = static_cast<size_t>(grid::common::LogLimits::kBurst * grid::common::LogLimits::kForwardFactor);
  auto forwarded = [&](const std::string& node) {
    size_t n = 0;
    for (const auto& m : parent.of_type(MessageType::log)) n += m.as<grid::wire::LogRecord>().node == node;
    return n;
  };
  BOOST_TEST_REQUIRE(
      step_until([&] { return forwarded("quiet") == 1 && forwarded("noisy") >= allowed; }, [&] { relay.step(); }));
  BOOST_TEST(forwarded("noisy") == allowed);  // the manual clock has not moved: the burst only
  const auto record = [&] {
    for (const auto& m : parent.of_type(MessageType::log)) {
      if (m.sender == "quiet") return m.as<grid::wire::LogRecord>();
    }
    return grid::wire::LogRecord{};
  }();
  BOOST_TEST(record.time_unix_ms == 42);  // unchanged
  clock.advance(1s);
  BOOST_TEST_REQUIRE(step_until(
      [&] {
        const auto beats = parent.of_type(MessageType::heartbeat);
        return beats.back().as<grid::wire::Heartbeat>().dropped_logs == 300 - allowed;
      },
      [&] { relay.step(); }));
}

BOOST_AUTO_TEST_SUITE_END()

// ChildrenLink over real loopback TCP: `--listen tcp://127.0.0.1:0` binds two ephemeral
// ports and bound_address() names the ones a child can actually reach.

#include <chrono>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <zmq.hpp>

#include "protocol/common/children_link.hpp"
#include "protocol/common/endpoints.hpp"
#include "protocol/common/log_capture.hpp"
#include "protocol/common/parent_link.hpp"
#include "protocol/common/zmq_io.hpp"
#include "protocol/wire/codec.hpp"
#include "sample_messages.hpp"
#include "support/fake_peers.hpp"

using namespace grid;
using namespace std::chrono_literals;

namespace {

/// Records what the link hands over; the tests only look at membership.
struct CountingHandler : common::ChildrenLink::Handler {
  int membership_changes = 0;
  void on_stats(const std::string&, wire::StatsReport) override {}
  void on_log(const std::string&, const wire::LogRecord&, const std::string&) override {}
  void on_membership_changed() override { ++membership_changes; }
  void on_child_lost(const common::ChildInfo&) override {}
};

common::ChildrenLink make_link(zmq::context_t& context, const std::string& listen) {
  return common::ChildrenLink(
      context, listen, 1000ms, common::SystemClock::instance(),
      [] { return common::SystemClock::instance().wall_now(); }, "test-parent", common::make_logger("test-parent"));
}

/// The port of a `tcp://HOST:PORT` endpoint.
unsigned port_of(const std::string& endpoint) { return std::stoul(endpoint.substr(endpoint.rfind(':') + 1)); }

}  // namespace

BOOST_AUTO_TEST_SUITE(children_link)

BOOST_AUTO_TEST_CASE(listening_on_port_zero_reports_two_distinct_bound_ports) {
  zmq::context_t context(1);
  auto link = make_link(context, "tcp://127.0.0.1:0");
  const auto endpoints = common::parent_endpoints(link.bound_address());
  BOOST_TEST_REQUIRE(endpoints.ok(), grid::test::error_of(endpoints));
  BOOST_TEST(link.bound_address().rfind("tcp://127.0.0.1:", 0) == 0u, link.bound_address());
  const unsigned plans = port_of(endpoints.value().plans), reports = port_of(endpoints.value().reports);
  BOOST_TEST(plans > 0u);
  BOOST_TEST(reports > 0u);
  BOOST_TEST(plans != reports);
  // The ports are really held: binding the same address again fails, naming it.
  try {
    auto again = make_link(context, link.bound_address());
    BOOST_FAIL("a second link bound the same ports");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find(link.bound_address()) != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(two_links_on_port_zero_never_share_a_port) {
  zmq::context_t context(1);
  auto a = make_link(context, "tcp://127.0.0.1:*");
  auto b = make_link(context, "tcp://127.0.0.1:*");
  const auto ea = common::parent_endpoints(a.bound_address());
  const auto eb = common::parent_endpoints(b.bound_address());
  BOOST_TEST_REQUIRE(ea.ok(), grid::test::error_of(ea));
  BOOST_TEST_REQUIRE(eb.ok(), grid::test::error_of(eb));
  const std::vector<std::string> all = {ea.value().plans, ea.value().reports, eb.value().plans, eb.value().reports};
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = i + 1; j < all.size(); ++j) BOOST_TEST(all[i] != all[j]);
  }
}

BOOST_AUTO_TEST_CASE(a_child_given_the_bound_address_reaches_both_sockets) {
  zmq::context_t context(1);
  auto link = make_link(context, "tcp://127.0.0.1:0");
  common::ParentLink child(context, link.bound_address(), "child-1", common::SystemClock::instance(),
                           common::make_logger("child-1"));
  CountingHandler handler;
  // Upstream (reports): the child's hello makes it a live child. Bounded poll, no sleep.
  wire::Hello hello;
  hello.region = "r";
  child.send(hello);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (link.registry().live().empty() && std::chrono::steady_clock::now() < deadline) {
    zmq::pollitem_t items[] = {{link.reports().handle(), 0, ZMQ_POLLIN, 0}};
    common::poll(items, 1, 50ms);
    link.drain(handler);
  }
  BOOST_REQUIRE_EQUAL(link.registry().live().size(), 1u);
  BOOST_TEST(link.registry().live()[0]->id == "child-1");
  BOOST_TEST(link.registry().live()[0]->region == "r");
  BOOST_TEST(handler.membership_changes == 1);
  // Downstream (plans): PUB drops what is sent before the subscription arrives, so the
  // parent republishes (as the real nodes do) until the child has the plan or the bound.
  wire::Plan plan;
  plan.epoch = 7;
  plan.campaign_name = "over-ephemeral-ports";
  std::optional<wire::Plan> received;
  while (!received && std::chrono::steady_clock::now() < deadline) {
    link.publish(plan);
    zmq::pollitem_t items[] = {{child.plans().handle(), 0, ZMQ_POLLIN, 0}};
    common::poll(items, 1, 50ms);
    received = child.receive(0);
  }
  BOOST_REQUIRE(received.has_value());
  BOOST_TEST(received->epoch == 7u);
  BOOST_TEST(received->campaign_name == "over-ephemeral-ports");
}

BOOST_AUTO_TEST_CASE(an_inproc_link_reports_its_name_as_the_bound_address) {
  zmq::context_t context(1);
  auto link = make_link(context, "inproc://children-link-test");
  BOOST_TEST(link.bound_address() == "inproc://children-link-test");
}

BOOST_AUTO_TEST_CASE(a_malformed_listen_address_is_refused_naming_it) {
  zmq::context_t context(1);
  try {
    auto link = make_link(context, "tcp://127.0.0.1:0,5");
    BOOST_FAIL("a malformed address was accepted");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("'tcp://127.0.0.1:0,5'") != std::string::npos, e.what());
  }
}

// docs/compatibility.md: a child of another protocol version (here the next one, as a
// newer release would speak) is refused whole: counted, kept out of the registry, and
// named once in a warning with both versions; a sibling of ours joins as usual, and so
// does a child of an older minor release that speaks our protocol version.
BOOST_AUTO_TEST_CASE(a_child_of_another_protocol_version_is_refused_counted_and_named_with_both_versions) {
  zmq::context_t context(1);
  auto logger = common::make_logger("version-parent");
  common::LogCapture warnings(logger);
  common::ChildrenLink link(
      context, "inproc://children-link-version", 1000ms, common::SystemClock::instance(),
      [] { return common::SystemClock::instance().wall_now(); }, "version-parent", logger);
  CountingHandler handler;
  test::FakeChild future(context, "inproc://children-link-version", "future-1");
  test::FakeChild older(context, "inproc://children-link-version", "older-1");
  const uint64_t next = wire::kProtocolVersion + 1;
  wire::Hello hello;
  hello.software_version = "0.3.0";
  future.send_raw(test::frame_of(wire::MessageType::hello, next, "future-1", hello));
  future.send_raw(test::frame_of(wire::MessageType::heartbeat, next, "future-1", wire::Heartbeat{}));
  hello.software_version = "0.1.0";
  older.send(hello);
  BOOST_TEST_REQUIRE(
      test::step_until([&] { return link.foreign_version_frames() == 2 && link.registry().live().size() == 1; },
                       [&] { link.drain(handler); }));
  BOOST_TEST(link.rejected_frames() == 2u);
  BOOST_TEST(link.registry().children().count("future-1") == 0u);
  BOOST_TEST(link.registry().live()[0]->id == "older-1");
  BOOST_TEST(link.registry().live()[0]->software_version == "0.1.0");
  BOOST_TEST(handler.membership_changes == 1);
  BOOST_REQUIRE_EQUAL(link.foreign_children().size(), 1u);
  BOOST_TEST(link.foreign_children().at("future-1") == next);
  std::vector<std::string> lines;
  for (const auto& r : warnings.take()) lines.push_back(r.message);
  BOOST_REQUIRE_EQUAL(lines.size(), 1u);  // one line for the child, not one per frame
  const std::string expected = "child future-1 speaks protocol version " + std::to_string(next) +
                               ", this node (version-parent) speaks " + std::to_string(wire::kProtocolVersion);
  BOOST_TEST(lines[0].find(expected) != std::string::npos, lines[0]);
}

BOOST_AUTO_TEST_CASE(foreign_children_are_remembered_up_to_a_bound_and_their_ids_made_printable) {
  zmq::context_t context(1);
  auto link = make_link(context, "inproc://children-link-foreign-bound");
  CountingHandler handler;
  test::FakeChild sender(context, "inproc://children-link-foreign-bound", "unused");
  const size_t n = common::ChildrenLink::kMaxForeignChildren + 10;
  for (size_t i = 0; i < n; ++i) {
    sender.send_raw(test::frame_of(wire::MessageType::bye, 0, "old\n" + std::to_string(i), wire::Bye{}));
  }
  BOOST_TEST_REQUIRE(
      test::step_until([&] { return link.foreign_version_frames() == n; }, [&] { link.drain(handler); }));
  BOOST_TEST(link.rejected_frames() == n);
  BOOST_TEST(link.foreign_children().size() == common::ChildrenLink::kMaxForeignChildren);
  BOOST_TEST(link.foreign_children().count("old?0") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// The frame limit every loadgrid socket gets from configure_socket (ZMQ_MAXMSGSIZE,
// common::kMaxFrameBytes), over real loopback TCP: ZeroMQ checks it when it reads a
// frame's length, so it holds on tcp:// and ipc:// (inproc:// has no wire to read). A
// peer that sends a larger frame is disconnected without the frame reaching the node, and
// the socket keeps taking frames, from others and from that peer once it reconnects.

#include <algorithm>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <zmq.hpp>

#include "protocol/common/children_link.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/common/endpoints.hpp"
#include "protocol/common/log.hpp"
#include "protocol/common/zmq_io.hpp"
#include "protocol/wire/codec.hpp"
#include "protocol/wire/plan.hpp"
#include "sample_messages.hpp"

using namespace grid;
using namespace std::chrono_literals;

namespace {

constexpr auto kDeadline = 10s;  // bounds every wait; the conditions decide

std::string bind_loopback(zmq::socket_t& socket) {
  socket.bind("tcp://127.0.0.1:*");
  return socket.get(zmq::sockopt::last_endpoint);
}

/// Socket events of `socket` (ZeroMQ's monitor), read without blocking.
class Monitor {
public:
  Monitor(zmq::context_t& context, zmq::socket_t& socket, const std::string& name)
      : pair_(context, zmq::socket_type::pair) {
    const std::string address = "inproc://monitor-" + name;
    if (zmq_socket_monitor(socket.handle(), address.c_str(), ZMQ_EVENT_ALL) != 0) throw zmq::error_t();
    pair_.set(zmq::sockopt::linger, 0);
    pair_.connect(address);
  }
  /// Waits (bounded) until `event` has been seen; true when it has.
  bool wait_for(uint16_t event) {
    const auto deadline = std::chrono::steady_clock::now() + kDeadline;
    while (std::chrono::steady_clock::now() < deadline) {
      zmq::message_t header, endpoint;
      if (!pair_.recv(header, zmq::recv_flags::dontwait)) {
        zmq::pollitem_t item{pair_.handle(), 0, ZMQ_POLLIN, 0};
        common::poll(&item, 1, 20ms);
        continue;
      }
      (void)pair_.recv(endpoint);  // the second frame names the endpoint
      uint16_t seen = 0;
      std::memcpy(&seen, header.data(), sizeof seen);
      if (seen == event) return true;
    }
    return false;
  }

private:
  zmq::socket_t pair_;
};

/// Every frame `socket` received within a bounded wait that ends once `done(frames)`
/// holds; multipart messages are flattened.
std::vector<std::string> receive_until(
    zmq::socket_t& socket, const std::function<bool(const std::vector<std::string>&)>& done,
    const std::function<void()>& between = [] {}) {
  std::vector<std::string> frames;
  const auto deadline = std::chrono::steady_clock::now() + kDeadline;
  while (!done(frames) && std::chrono::steady_clock::now() < deadline) {
    between();
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    common::poll(&item, 1, 20ms);
    zmq::message_t m;
    while (socket.recv(m, zmq::recv_flags::dontwait)) frames.push_back(m.to_string());
  }
  return frames;
}

bool holds(const std::vector<std::string>& frames, const std::string& frame) {
  return std::find(frames.begin(), frames.end(), frame) != frames.end();
}

bool any_larger_than_the_limit(const std::vector<std::string>& frames) {
  for (const auto& f : frames) {
    if (static_cast<int64_t>(f.size()) > common::kMaxFrameBytes) return true;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(frame_limit)

BOOST_AUTO_TEST_CASE(a_frame_over_the_limit_disconnects_its_sender_and_the_pull_socket_keeps_taking_frames) {
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull);
  common::configure_socket(pull);
  const std::string endpoint = bind_loopback(pull);
  Monitor monitor(context, pull, "pull");
  // The hostile peer is a plain socket: nothing on the sending side stops a large frame.
  zmq::socket_t hostile(context, zmq::socket_type::push), honest(context, zmq::socket_type::push);
  hostile.set(zmq::sockopt::linger, 0);
  common::configure_socket(honest);
  hostile.connect(endpoint);
  honest.connect(endpoint);

  hostile.send(zmq::buffer(std::string(common::kMaxFrameBytes + 1, 'x')), zmq::send_flags::none);
  BOOST_TEST_REQUIRE(monitor.wait_for(ZMQ_EVENT_DISCONNECTED), "the sender of the oversized frame stayed connected");
  common::send_upstream(honest, "from the honest peer");
  // The hostile peer reconnects by itself (PUSH does); what it sends now is a frame like any.
  common::send_upstream(hostile, "after reconnecting");
  const auto frames = receive_until(
      pull, [](const auto& f) { return holds(f, "from the honest peer") && holds(f, "after reconnecting"); });
  BOOST_TEST(holds(frames, "from the honest peer"));
  BOOST_TEST(holds(frames, "after reconnecting"));
  BOOST_TEST(!any_larger_than_the_limit(frames));
  BOOST_TEST(frames.size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_frame_of_exactly_the_limit_is_received_whole) {
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull), push(context, zmq::socket_type::push);
  common::configure_socket(pull);
  common::configure_socket(push);
  push.connect(bind_loopback(pull));
  const std::string largest(common::kMaxFrameBytes, 'y');
  push.send(zmq::buffer(largest), zmq::send_flags::none);
  const auto frames = receive_until(pull, [](const auto& f) { return !f.empty(); });
  BOOST_REQUIRE(frames.size() == 1u);
  BOOST_TEST((frames[0] == largest));
}

// A connecting socket that receives an oversized frame treats it as a protocol error and,
// unlike after a lost connection, never reconnects by itself (libzmq 4.3): a child stays
// deaf to that parent until it connects again, as its silent-parent handling does. Hence
// parents never publish above the limit (next test).
BOOST_AUTO_TEST_CASE(an_oversized_plan_is_dropped_and_the_subscriber_takes_plans_again_once_it_reconnects) {
  zmq::context_t context(1);
  zmq::socket_t pub(context, zmq::socket_type::pub), sub(context, zmq::socket_type::sub);
  pub.set(zmq::sockopt::linger, 0);  // a hostile parent: no limit on what it publishes
  common::configure_socket(sub);
  sub.set(zmq::sockopt::subscribe, common::kPlanTopic);
  const std::string endpoint = bind_loopback(pub);
  sub.connect(endpoint);
  Monitor monitor(context, sub, "sub");
  // PUB drops what it sends before the subscription has arrived: publish until it gets through.
  const auto publish = [&](const std::string& body) {
    return [&pub, body] { common::send_downstream(pub, common::kPlanTopic, body); };
  };
  const auto subscribed = receive_until(
      sub, [](const auto& f) { return holds(f, "ping"); }, publish("ping"));
  BOOST_TEST_REQUIRE(holds(subscribed, "ping"));

  common::send_downstream(pub, common::kPlanTopic, std::string(common::kMaxFrameBytes + 1, 'p'));
  BOOST_TEST_REQUIRE(monitor.wait_for(ZMQ_EVENT_DISCONNECTED), "the subscriber stayed connected");
  sub.disconnect(endpoint);
  sub.connect(endpoint);
  const std::string plan = wire::encode(grid::test::sample_plan(), "parent");
  const auto frames = receive_until(
      sub, [&](const auto& f) { return holds(f, plan); }, publish(plan));
  BOOST_TEST(holds(frames, plan));
  BOOST_TEST(!any_larger_than_the_limit(frames));
}

BOOST_AUTO_TEST_CASE(a_plan_over_the_limit_is_never_published_but_counted_and_children_keep_taking_plans) {
  zmq::context_t context(1);
  common::ChildrenLink link(
      context, "tcp://127.0.0.1:0", 1000ms, common::SystemClock::instance(),
      [] { return common::SystemClock::instance().wall_now(); }, "parent", common::make_logger("parent"));
  zmq::socket_t child(context, zmq::socket_type::sub);
  common::configure_socket(child);
  child.set(zmq::sockopt::subscribe, common::kPlanTopic);
  child.connect(common::parent_endpoints(link.bound_address()).value().plans);
  wire::Plan plan = grid::test::sample_plan();
  const auto publish = [&](uint64_t epoch) {
    return [&link, &plan, epoch] {
      plan.epoch = epoch;
      link.publish(plan);
    };
  };
  const auto epoch_received = [](uint64_t epoch) {
    return [epoch](const std::vector<std::string>& frames) {
      for (const auto& f : frames) {
        auto env = wire::decode_envelope(f);
        if (!env) continue;
        auto p = wire::decode_body<wire::Plan>(env.value());
        if (p && p.value().epoch == epoch) return true;
      }
      return false;
    };
  };
  BOOST_TEST_REQUIRE(epoch_received(1)(receive_until(child, epoch_received(1), publish(1))));
  const uint64_t unsent_before = link.unsent_frames();

  wire::DataFeed huge;
  huge.name = "huge";
  huge.columns = {"cell"};
  huge.rows = {{std::string(common::kMaxFrameBytes, 'h')}};
  const auto data = plan.data;
  plan.data.push_back(huge);
  publish(2)();
  BOOST_TEST(link.unsent_frames() == unsent_before + 1);

  plan.data = data;
  const auto frames = receive_until(child, epoch_received(3), publish(3));
  BOOST_TEST(epoch_received(3)(frames), "the child stopped taking plans after the oversized one");
  BOOST_TEST(!epoch_received(2)(frames));
  BOOST_TEST(!any_larger_than_the_limit(frames));
}

// The limit is several times the largest frame a campaign can make (zmq_io.hpp says why):
// a plan shipping a 1 MiB CSV of one-character cells (msgpack's worst case: a header per
// cell and per row) and a stats report whose histograms span their whole range.
BOOST_AUTO_TEST_CASE(the_largest_legitimate_plan_and_stats_frames_fit_well_within_the_limit) {
  wire::Plan plan = grid::test::sample_plan();
  wire::DataFeed feed;
  feed.name = "accounts";
  feed.columns = {"a", "b"};
  feed.rows.assign((1u << 20) / 4, {"1", "2"});  // "1,2\n": 4 bytes of CSV per row
  plan.data = {feed};
  const std::string plan_frame = wire::encode(plan, "broker");
  BOOST_TEST_MESSAGE("plan with 1 MiB of CSV: " << plan_frame.size() << " bytes");
  BOOST_TEST(static_cast<int64_t>(plan_frame.size()) < common::kMaxFrameBytes / 4);

  wire::StatsReport report;
  wire::StatsWindow window;
  window.interval_ms = 1000;
  for (int name = 0; name < 10; ++name) {
    wire::RequestStats stats;
    for (uint64_t v = 1; v < (uint64_t{1} << 40); v += v / 1024 + 1) stats.latency_us.record_n(v, 1'000'000);
    stats.requests = stats.latency_us.count();
    stats.service_us = stats.latency_us;
    window.requests["request-" + std::to_string(name)] = stats;
  }
  report.windows = {window};
  const std::string stats_frame = wire::encode(report, "agent");
  BOOST_TEST_MESSAGE("stats window of 10 requests with full-range histograms: " << stats_frame.size() << " bytes");
  BOOST_TEST(static_cast<int64_t>(stats_frame.size()) < common::kMaxFrameBytes / 2);
}

BOOST_AUTO_TEST_SUITE_END()

#pragma once

// Hand-made peers for node tests: a parent (PUB + PULL bound on inproc) that a relay or
// agent under test connects to, and a child (SUB + PUSH connected) under a broker or
// relay under test. They speak the real protocol over real ZeroMQ sockets in the test's
// context; waits are bounded polls on a condition, never sleeps.

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "protocol/common/endpoints.hpp"
#include "protocol/common/zmq_io.hpp"
#include "protocol/wire/codec.hpp"
#include "protocol/wire/messages.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::test {

/// One upstream message as a parent received it.
struct Upstream {
  std::string sender;
  wire::MessageType type{};
  std::string frame;
  template <class M>
  M as() const {
    auto env = wire::decode_envelope(frame);
    if (!env) throw std::runtime_error(env.error());
    auto m = wire::decode_body<M>(env.value());
    if (!m) throw std::runtime_error(m.error());
    return std::move(m.value());
  }
};

/// A frame as a peer of protocol `version` would send it: `body` (a message, or a tuple
/// laid out as an older release did) in the envelope `[type, version, node_id, body]`.
/// For misbehaving and older or newer peers.
template <class Body>
std::string frame_of(wire::MessageType type, uint64_t version, std::string_view node_id, const Body& body) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(4);
  packer.pack(static_cast<uint8_t>(type));
  packer.pack(version);
  packer.pack(node_id);
  packer.pack(body);
  return std::string(buffer.data(), buffer.size());
}

/// Checks `done()` after each `step()` until it holds, pausing 5 ms between attempts;
/// bounded by `attempts`. Real time only bounds the wait: the condition decides.
inline bool step_until(
    const std::function<bool()>& done, const std::function<void()>& step = [] {}, int attempts = 300) {
  for (int i = 0; i < attempts; ++i) {
    step();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

/// A running plan of campaign "c@1" with one request (to a port nothing listens on: node
/// tests never send load), `users` users over `duration`, starting at `start`.
inline wire::Plan running_plan(uint32_t users, std::chrono::milliseconds duration = std::chrono::seconds(60),
                               int64_t start_unix_us = 0) {
  wire::Plan p;
  p.epoch = 1;
  p.state = wire::CampaignState::running;
  p.campaign_id = "c@1";
  p.campaign_name = "c";
  wire::RequestSpec r;
  r.name = "home";
  r.url = "http://127.0.0.1:1/";
  p.requests = {r};
  p.users = users;
  p.interval_ms = 1000;
  p.duration_ms = static_cast<uint64_t>(duration.count());
  p.start_unix_us = start_unix_us;
  return p;
}

/// The parent side: what a relay or an agent under test connects to.
class FakeParent {
public:
  FakeParent(zmq::context_t& context, const std::string& address)
      : plans_(context, zmq::socket_type::pub), reports_(context, zmq::socket_type::pull) {
    const auto endpoints = common::parent_endpoints(address);
    if (!endpoints) throw std::runtime_error(endpoints.error());
    common::configure_socket(plans_);
    common::configure_socket(reports_);
    plans_.bind(endpoints.value().plans);
    reports_.bind(endpoints.value().reports);
  }

  void publish(const wire::Plan& plan) {
    common::send_downstream(plans_, common::kPlanTopic, wire::encode(plan, "parent"));
  }
  void publish_raw(std::string_view topic, std::string_view body) { common::send_downstream(plans_, topic, body); }

  /// Answers every heartbeat received since the last call with a clock echo, the way a
  /// live parent does (a child's sign that its parent hears it). Returns how many.
  size_t answer_heartbeats() {
    size_t n = 0;
    const auto& all = received();
    for (; answered_ < all.size(); ++answered_) {
      if (all[answered_].type != wire::MessageType::heartbeat) continue;
      wire::ClockEcho echo;
      echo.child_sent_unix_us = all[answered_].as<wire::Heartbeat>().sent_unix_us;
      echo.parent_recv_unix_us = echo.child_sent_unix_us;
      echo.parent_sent_unix_us = echo.child_sent_unix_us;
      common::send_downstream(plans_, common::child_topic(all[answered_].sender), wire::encode(echo, "parent"));
      ++n;
    }
    return n;
  }

  /// Every upstream message received so far (non-blocking read of what is waiting).
  const std::vector<Upstream>& received() {
    while (auto msg = common::receive_upstream(reports_)) {
      auto env = wire::decode_envelope(msg->body);
      if (!env) continue;
      received_.push_back({env.value().node_id, env.value().type, msg->body});
    }
    return received_;
  }
  size_t count(wire::MessageType type) {
    size_t n = 0;
    for (const auto& m : received()) n += m.type == type;
    return n;
  }
  std::vector<Upstream> of_type(wire::MessageType type) {
    std::vector<Upstream> out;
    for (const auto& m : received()) {
      if (m.type == type) out.push_back(m);
    }
    return out;
  }

private:
  zmq::socket_t plans_;
  zmq::socket_t reports_;
  std::vector<Upstream> received_;
  size_t answered_ = 0;
};

/// A child under a broker or relay under test: subscribes to its plans, pushes messages.
class FakeChild {
public:
  FakeChild(zmq::context_t& context, const std::string& parent, std::string id)
      : id_(std::move(id)), plans_(context, zmq::socket_type::sub), reports_(context, zmq::socket_type::push) {
    const auto endpoints = common::parent_endpoints(parent);
    if (!endpoints) throw std::runtime_error(endpoints.error());
    common::configure_socket(plans_);
    common::configure_socket(reports_);
    plans_.set(zmq::sockopt::subscribe, common::kPlanTopic);
    plans_.connect(endpoints.value().plans);
    reports_.connect(endpoints.value().reports);
  }

  template <class M>
  void send(const M& message) {
    common::send_upstream(reports_, wire::encode(message, id_));
  }
  /// Sends `frame` as it is (see frame_of).
  void send_raw(std::string_view frame) { common::send_upstream(reports_, frame); }
  void hello(wire::NodeKind kind = wire::NodeKind::agent, const std::string& region = "default", uint32_t cores = 1) {
    wire::Hello h;
    h.kind = kind;
    h.region = region;
    h.cores = cores;
    send(h);
  }
  void heartbeat(wire::NodeKind kind = wire::NodeKind::agent, double capacity = 1, uint32_t agents = 1,
                 double cpu_percent = 0) {
    wire::Heartbeat hb;
    hb.cpu_percent = cpu_percent;
    hb.kind = kind;
    hb.capacity = capacity;
    hb.agents = agents;
    hb.region = "default";
    send(hb);
  }

  /// Plans received so far, oldest first.
  const std::vector<wire::Plan>& plans() {
    while (auto msg = common::receive_downstream(plans_)) {
      auto env = wire::decode_envelope(msg->body);
      if (!env || env.value().type != wire::MessageType::plan) continue;
      if (auto p = wire::decode_body<wire::Plan>(env.value())) plans_received_.push_back(std::move(p.value()));
    }
    return plans_received_;
  }
  std::optional<wire::Plan> latest_plan() {
    const auto& p = plans();
    if (p.empty()) return std::nullopt;
    return p.back();
  }
  const std::string& id() const { return id_; }

private:
  std::string id_;
  zmq::socket_t plans_;
  zmq::socket_t reports_;
  std::vector<wire::Plan> plans_received_;
};

}  // namespace grid::test

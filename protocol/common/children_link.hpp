#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include <zmq.hpp>

#include "protocol/common/child_registry.hpp"
#include "protocol/wire/messages.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::common {

/// The parent side of one hop, shared by the broker and relays (a relay looks like a
/// broker to its children): binds PUB (plans) and PULL (reports), decodes every upstream
/// frame, keeps the ChildRegistry, answers heartbeats with clock echoes and counts
/// malformed frames without ever trusting them.
class ChildrenLink {
public:
  /// What the owner does with what children send.
  class Handler {
  public:
    virtual ~Handler() = default;
    virtual void on_stats(const std::string& sender, wire::StatsReport report) = 0;
    /// `frame` is the original encoded message, for forwarding unchanged.
    virtual void on_log(const std::string& sender, const wire::LogRecord& record, const std::string& frame) = 0;
    /// A child joined, came back, left or changed capacity: budgets need a new split.
    virtual void on_membership_changed() = 0;
    virtual void on_child_lost(const ChildInfo& child) = 0;
  };

  /// Binds `listen` (see listen_endpoints: `tcp://HOST:0` binds ephemeral ports).
  /// `broker_now_us` gives broker time, for echoes. Throws std::invalid_argument for a
  /// malformed address and std::runtime_error naming the address when it cannot bind.
  ChildrenLink(zmq::context_t& context, const std::string& listen, std::chrono::milliseconds heartbeat,
               std::function<int64_t()> broker_now_us, std::string log_name);

  /// Where children reach this hop, with the ports actually bound (read back from the
  /// sockets, so `tcp://HOST:0` shows its ephemeral ports): `tcp://HOST:PLANS,REPORTS`,
  /// or the listen address as given for inproc. Pass it to children as `--parent`.
  const std::string& bound_address() const { return bound_address_; }

  /// The PULL socket, for the owner's poll set.
  zmq::socket_t& reports() { return reports_; }

  /// Handles every upstream frame waiting, without blocking.
  void drain(Handler& handler);
  /// Declares silent children lost (calls on_child_lost, then on_membership_changed).
  void expire(Handler& handler);

  void publish(const wire::Plan& plan, const std::string& sender_id);

  const ChildRegistry& registry() const { return registry_; }
  /// Malformed or unexpected frames rejected at this hop.
  uint64_t rejected_frames() const { return rejected_; }

private:
  void reject(const std::string& why);
  void handle(const std::string& frame, Handler& handler);

  zmq::socket_t plans_;    // PUB
  zmq::socket_t reports_;  // PULL
  ChildRegistry registry_;
  std::function<int64_t()> broker_now_us_;
  std::string log_name_;
  std::string bound_address_;
  uint64_t rejected_ = 0;
  uint64_t rejected_logged_ = 0;
  int64_t last_reject_log_ns_ = 0;
};

}  // namespace grid::common

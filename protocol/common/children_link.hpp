#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <zmq.hpp>

#include "protocol/common/child_registry.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/common/link_security.hpp"
#include "protocol/common/log.hpp"
#include "protocol/common/log_rate_limit.hpp"
#include "protocol/common/snapshot_throttle.hpp"
#include "protocol/common/zap_authenticator.hpp"
#include "protocol/wire/messages.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::common {

/// The parent side of one hop, shared by the broker and relays (a relay looks like a
/// broker to its children): binds PUB (plans) and PULL (reports), decodes every upstream
/// frame, keeps the ChildRegistry and its liveness, answers heartbeats with clock echoes
/// and counts malformed frames without ever trusting them.
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
    /// A live child said bye.
    virtual void on_child_left(const ChildInfo&) {}
    /// The CPU share of a live agent stepped from `before` to `child.cpu_pressure.share()`
    /// (CpuPressure); on_membership_changed follows. For the owner to report it.
    virtual void on_child_cpu_share(const ChildInfo& /*child*/, double /*before*/) {}
  };

  /// Binds `listen` (see listen_endpoints: `tcp://HOST:0` binds ephemeral ports).
  /// `broker_now` gives broker time, for echoes; `clock` the steady time for liveness.
  /// Throws std::invalid_argument for a malformed address and std::runtime_error naming
  /// the address when it cannot bind. With `security.server()` both sockets are CURVE
  /// servers and the link owns the context's ZapAuthenticator (started before binding):
  /// only children whose key is authorised get through.
  ChildrenLink(zmq::context_t& context, const std::string& listen, std::chrono::milliseconds heartbeat,
               const Clock& clock, std::function<WallTime()> broker_now, std::string my_id, Logger log,
               const LinkSecurity& security = {});

  /// Whether heartbeats get clock echoes (the default). A relay that has lost its own
  /// parent stops answering, so that its children see it as silent and fail over to
  /// another parent, or stop at their dead-man timeout (ParentLink's liveness).
  void set_answering(bool answering) { answering_ = answering; }
  bool answering() const { return answering_; }

  /// The PULL socket, for the owner's poll set.
  zmq::socket_t& reports() { return reports_; }

  /// Handles every upstream frame waiting, without blocking.
  void drain(Handler& handler);
  /// Declares children silent for too long lost (calls on_child_lost, then
  /// on_membership_changed once).
  void expire(Handler& handler);

  /// The snapshot to publish changed (membership changes mark it themselves).
  void plan_changed() { throttle_.changed(); }
  /// True when a snapshot should go out now (SnapshotThrottle: on a change, at most ten
  /// a second, and every second regardless).
  bool snapshot_due() const { return throttle_.due(clock_.steady_now()); }
  /// True when something changed since the last snapshot.
  bool snapshot_changed() const { return throttle_.has_change(); }
  /// Publishes a plan snapshot now; one the socket refuses is counted (the next one
  /// replaces it), and so is one above kMaxFrameBytes, which is never sent (logged).
  void publish(const wire::Plan& plan);

  /// Where children reach this hop, with the ports actually bound (read back from the
  /// sockets, so `tcp://HOST:0` shows its ephemeral ports): `tcp://HOST:PLANS,REPORTS`,
  /// or the listen address as given for inproc. Pass it to children as `--parent`.
  const std::string& bound_address() const { return bound_address_; }

  const ChildRegistry& registry() const { return registry_; }
  /// ChildRegistry::set_cpu_pressure.
  void set_cpu_pressure(bool on) { registry_.set_cpu_pressure(on); }
  /// Malformed or unexpected frames rejected at this hop, cumulative (frames of another
  /// protocol version included).
  uint64_t rejected_frames() const { return rejected_; }
  /// Frames refused because they spoke another protocol version, cumulative.
  uint64_t foreign_version_frames() const { return foreign_frames_; }
  /// Children refused for their protocol version: id (made printable) -> the version
  /// they spoke last. At most kMaxForeignChildren; each is warned about once per version.
  static constexpr size_t kMaxForeignChildren = 64;
  const std::map<std::string, uint64_t>& foreign_children() const { return foreign_children_; }
  /// Handshakes of children refused for their key (CURVE links only), cumulative.
  uint64_t refused_handshakes() const { return zap_ ? zap_->refused() : 0; }
  /// Downstream frames (snapshots, clock echoes) the socket refused or that were above
  /// kMaxFrameBytes (zmq_io.hpp), cumulative.
  uint64_t unsent_frames() const { return unsent_; }
  /// "silent for 3 heartbeats (3 s)": what makes a child lost, for messages.
  std::string loss_rule() const;

private:
  void reject(const std::string& why);
  void refuse_version(uint64_t version, const std::string& node_id);
  void handle(const std::string& frame, Handler& handler);
  void send_down(std::string_view topic, const std::string& body);
  void membership_changed(Handler& handler);

  const Clock& clock_;
  // Before the sockets, so it outlives them (CURVE only, else null).
  std::unique_ptr<ZapAuthenticator> zap_;

  zmq::socket_t plans_;    // PUB
  zmq::socket_t reports_;  // PULL
  ChildRegistry registry_;
  std::chrono::milliseconds heartbeat_;
  std::function<WallTime()> broker_now_;
  std::string my_id_;
  Logger log_;
  uint64_t rejected_ = 0;
  uint64_t unsent_ = 0;
  uint64_t foreign_frames_ = 0;
  std::map<std::string, uint64_t> foreign_children_;
  LogRateLimit reject_log_;
  LogRateLimit oversized_log_;
  SnapshotThrottle throttle_;
  std::string bound_address_;
  bool answering_ = true;
};

}  // namespace grid::common

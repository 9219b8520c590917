#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "protocol/common/clock.hpp"
#include "protocol/common/clock_offset.hpp"
#include "protocol/common/link_security.hpp"
#include "protocol/common/log.hpp"
#include "protocol/common/log_rate_limit.hpp"
#include "protocol/common/outbox.hpp"
#include "protocol/wire/codec.hpp"
#include "protocol/wire/messages.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::common {

/// Settings of one child-to-parent link.
struct ParentLinkOptions {
  // Messages ZeroMQ queues before a send would block: bounded, so that a slow or absent
  // parent costs at most this many frames in the socket plus the Outbox's bytes.
  int send_queue = 10'000;
  size_t retained_bytes = Outbox::kDefaultMaxBytes;  // what we keep beyond that, in bytes
  std::chrono::milliseconds heartbeat{1000};         // our heartbeat interval: the parent echoes each
  unsigned liveness = 3;                             // heartbeats without an echo that make a parent silent
  std::chrono::milliseconds max_backoff{8000};       // longest extra wait between rounds of the list
  LinkSecurity security;                             // CURVE client when security.client()
};

/// The child side of one hop, shared by agents and relays: SUB to the parent's plans
/// (its own topic too, for clock echoes) and PUSH to its reports. Keeps the clock-offset
/// estimate to the broker from heartbeat echoes, counts malformed downstream frames, and
/// never loses an upstream message silently: what the socket cannot take yet is kept in
/// an Outbox and retried (flush(), every step), and what is given up is counted.
///
/// Parent liveness (the child side of the heartbeat pattern): a parent answers each of
/// our heartbeats with a clock echo, so an echo proves both directions work. A parent
/// with no echo for `liveness` heartbeats is silent: the link moves to the next parent
/// of its ordered list (the list wraps; once a whole round has failed, each further
/// attempt waits longer, doubling up to `max_backoff`). With one parent it reconnects to
/// it with fresh sockets, on the same schedule. Whenever a parent is heard again after a
/// silence, recovered() says so once: the owner resends what was not acknowledged.
class ParentLink {
public:
  /// Connects to the first of `parents` (see parent_list). Throws std::invalid_argument
  /// naming the address when it is malformed.
  ParentLink(zmq::context_t& context, const std::string& parents, std::string my_id, const Clock& clock, Logger log,
             ParentLinkOptions options = {});

  /// The SUB socket (replaced on a switch; NodeLoop watches the object, not the handle).
  zmq::socket_t& plans() { return plans_; }

  /// Checks the current parent's liveness and switches to the next one when it has been
  /// silent too long. True when it switched (the owner says hello to the new parent and
  /// must accept its plans whatever their epoch: epochs are per parent).
  bool check_liveness();
  /// True once after a parent was heard again following a silence or a switch.
  bool recovered();
  /// How long no parent has echoed a heartbeat (since construction before any echo).
  std::chrono::milliseconds silent_for() const;
  /// True while the current parent echoes our heartbeats.
  bool parent_alive() const { return !silent_; }
  /// The parent the link is connected to now.
  const std::string& current_parent() const { return parents_[current_]; }
  /// Parent switches so far, cumulative.
  uint64_t failovers() const { return failovers_; }

  /// Reads every downstream frame waiting (clock echoes update the estimate) and returns
  /// the newest valid plan whose epoch is above `newer_than`, if any.
  std::optional<wire::Plan> receive(uint64_t newer_than);

  /// Sends an upstream message, or keeps it until the socket takes it.
  template <class M>
  void send(const M& message) {
    send_frame(wire::encode(message, my_id_));
  }
  /// Sends an already encoded frame (a child's log record, forwarded unchanged).
  void send_frame(std::string frame);
  /// Sends a heartbeat, filling in what every node reports the same way: the send time
  /// (a clock probe), the clock-offset estimate, and this link's rejected, kept and given
  /// up frames (added to what `heartbeat` already counts for the subtree). It goes
  /// straight to the socket, ahead of kept frames; one the socket refuses is not kept:
  /// the next one carries newer figures (a stale heartbeat would also spoil the clock
  /// probe).
  void send_heartbeat(wire::Heartbeat heartbeat);

  /// The shutdown sequence of a child: says bye, gives kept frames up to `wait` to go
  /// out, then gives up the rest (counted and logged).
  void leave(const std::string& reason, std::chrono::milliseconds wait = std::chrono::seconds(2));

  /// Retries kept frames; true when none is left. Call on every step.
  bool flush();
  const ClockOffset& clock_offset() const { return clock_; }
  /// Broker time: our wall clock corrected by the estimate (uncorrected before a probe).
  WallTime broker_now() const;

  /// Malformed downstream frames rejected, cumulative.
  uint64_t rejected_frames() const { return rejected_; }
  /// Upstream frames kept now, waiting for the socket.
  size_t retained_frames() const { return outbox_.size(); }
  /// Upstream frames given up, cumulative: past the Outbox's limit or above the frame
  /// limit (heartbeats that could not go out are not counted: the next one replaces them).
  uint64_t dropped_frames() const;

private:
  void reject(const std::string& why);
  void connect(size_t index);

  zmq::context_t& context_;
  std::vector<std::string> parents_;
  size_t current_ = 0;
  ParentLinkOptions options_;
  std::string my_id_;
  const Clock& clock_source_;
  Logger log_;
  zmq::socket_t plans_;           // SUB
  zmq::socket_t reports_;         // PUSH
  SteadyTime connected_at_{};     // when the current parent was connected
  SteadyTime last_echo_{};        // last echo from any parent
  bool heard_ = false;            // an echo came since construction
  bool silent_ = true;            // the current parent has not echoed recently
  bool recovered_ = false;        // heard after a silence; not yet taken by recovered()
  unsigned failed_attempts_ = 0;  // switches since a parent was last heard
  uint64_t failovers_ = 0;
  uint64_t oversized_ = 0;  // upstream frames above kMaxFrameBytes, never sent
  ClockOffset clock_;
  Outbox outbox_;
  uint64_t rejected_ = 0;
  LogRateLimit reject_log_;
  LogRateLimit retain_log_;
};

}  // namespace grid::common

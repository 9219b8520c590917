#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "protocol/common/clock_offset.hpp"
#include "protocol/common/zmq_io.hpp"
#include "protocol/wire/codec.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::common {

/// The child side of one hop, shared by agents and relays: SUB to the parent's plans
/// (its own topic too, for clock echoes) and PUSH to its reports. Keeps the clock-offset
/// estimate to the broker from heartbeat echoes.
class ParentLink {
public:
  /// Connects to `parent` (see parent_endpoints). Throws std::invalid_argument naming the
  /// address when it is malformed.
  ParentLink(zmq::context_t& context, const std::string& parent, std::string my_id);

  zmq::socket_t& plans() { return plans_; }

  /// Reads every downstream frame waiting (clock echoes update the estimate) and returns
  /// the newest valid plan whose epoch is above `newer_than`, if any.
  std::optional<wire::Plan> receive(uint64_t newer_than);

  template <class M>
  void send(const M& message) {
    send_upstream(reports_, wire::encode(message, my_id_));
  }
  /// Forwards an already encoded frame unchanged (a child's log record).
  void send_frame(const std::string& frame) { send_upstream(reports_, frame); }

  const ClockOffset& clock() const { return clock_; }
  /// Broker time: our wall clock corrected by the estimate (uncorrected before a probe).
  int64_t broker_now_us() const;
  static int64_t unix_now_us();

private:
  std::string my_id_;
  zmq::socket_t plans_;    // SUB
  zmq::socket_t reports_;  // PUSH
  ClockOffset clock_;
};

}  // namespace grid::common

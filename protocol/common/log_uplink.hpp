#pragma once

#include <cstdint>
#include <string>

#include "protocol/common/clock.hpp"
#include "protocol/common/log.hpp"
#include "protocol/common/log_capture.hpp"
#include "protocol/common/parent_link.hpp"
#include "protocol/common/token_bucket.hpp"
#include "protocol/wire/messages.hpp"

namespace grid::common {

/// A child node's side of central logging (agents and relays): every warning and error
/// its logger writes goes to its parent as a wire::LogRecord naming the node and the time
/// (on the broker's clock as the link estimates it), through the node's token bucket;
/// a relay forwards its children's records unchanged through per-node buckets. Every
/// record not sent is counted (dropped()), for the heartbeat's `dropped_logs`.
class LogUplink {
public:
  LogUplink(const Logger& logger, std::string node_id);

  /// Sends what the node logged since the last call, as its bucket allows at `now`.
  void pump(ParentLink& parent, SteadyTime now);
  /// A child's record (`frame`, as received; `sender` is its envelope's node id, which
  /// forwarding keeps): forwarded unchanged when its originating node's bucket admits
  /// it (`record.node`, or `sender` for an older node's record), else counted.
  void forward(ParentLink& parent, const std::string& sender, const wire::LogRecord& record, const std::string& frame,
               SteadyTime now);
  /// Records this node did not send (its own, or children's), cumulative.
  uint64_t dropped() const { return dropped_ + capture_.overflowed(); }

private:
  LogCapture capture_;
  std::string node_id_;
  TokenBucket own_;
  KeyedTokenBuckets per_node_;
  uint64_t dropped_ = 0;
};

}  // namespace grid::common

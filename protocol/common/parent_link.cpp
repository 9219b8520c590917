#include "protocol/common/parent_link.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "protocol/common/endpoints.hpp"
#include "protocol/common/version.hpp"
#include "protocol/common/zmq_io.hpp"
#include "protocol/wire/codec.hpp"

namespace grid::common {

ParentLink::ParentLink(zmq::context_t& context, const std::string& parents, std::string my_id, const Clock& clock,
                       Logger log, ParentLinkOptions options)
    : context_(context),
      options_(options),
      my_id_(std::move(my_id)),
      clock_source_(clock),
      log_(std::move(log)),
      outbox_(options.retained_bytes) {
  auto list = parent_list(parents);
  if (!list) throw std::invalid_argument("--parent: " + list.error());
  parents_ = std::move(list.value());
  connect(0);
  last_echo_ = connected_at_;
}

// (Re)creates both sockets connected to parent `index`. The old ones close: what ZeroMQ
// still queued for the old parent is gone, which is why stats windows are kept until the
// root acknowledges them and resent after a switch.
void ParentLink::connect(size_t index) {
  const auto endpoints = parent_endpoints(parents_[index]);  // checked by parent_list
  current_ = index;
  plans_ = zmq::socket_t(context_, zmq::socket_type::sub);
  reports_ = zmq::socket_t(context_, zmq::socket_type::push);
  configure_socket(plans_);
  configure_socket(reports_);
  secure_client(plans_, options_.security);
  secure_client(reports_, options_.security);
  reports_.set(zmq::sockopt::sndhwm, options_.send_queue);
  plans_.set(zmq::sockopt::subscribe, kPlanTopic);
  plans_.set(zmq::sockopt::subscribe, child_topic(my_id_));
  plans_.connect(endpoints.value().plans);
  reports_.connect(endpoints.value().reports);
  connected_at_ = clock_source_.steady_now();
}

bool ParentLink::check_liveness() {
  const SteadyTime now = clock_source_.steady_now();
  const size_t n = parents_.size();
  // Past a whole round of silent parents, each attempt waits longer before the next.
  const size_t rounds = failed_attempts_ / n;
  std::chrono::milliseconds backoff{0};
  if (rounds > 0) {
    backoff =
        std::min(options_.max_backoff, std::chrono::milliseconds(int64_t{500} << std::min<size_t>(rounds - 1, 16)));
  }
  const auto limit = options_.heartbeat * options_.liveness + backoff;
  if (now - std::max(connected_at_, last_echo_) < limit) return false;
  if (!silent_) {
    silent_ = true;
    log_->warn("parent {} silent for {} ms (no echo of {} heartbeats)", parents_[current_],
               std::chrono::duration_cast<std::chrono::milliseconds>(now - last_echo_).count(), options_.liveness);
  }
  if (n == 1) {
    // One parent: reconnect to it with fresh sockets (ZeroMQ gives up for good on a
    // connection whose CURVE handshake failed, e.g. before our key was authorised).
    connect(0);
    ++failed_attempts_;
    return false;
  }
  const size_t next = (current_ + 1) % n;
  log_->warn("failing over from parent {} to {}", parents_[current_], parents_[next]);
  connect(next);
  ++failovers_;
  ++failed_attempts_;
  return true;
}

bool ParentLink::recovered() { return std::exchange(recovered_, false); }

std::chrono::milliseconds ParentLink::silent_for() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_source_.steady_now() - last_echo_);
}

WallTime ParentLink::broker_now() const {
  return clock_source_.wall_now() + std::chrono::microseconds(clock_.offset_us().value_or(0));
}

void ParentLink::reject(const std::string& why) {
  ++rejected_;
  if (const auto n = reject_log_.admit(clock_source_.steady_now())) {
    log_->warn("rejected {} malformed frame(s) from the parent, latest: {}", *n, why);
  }
}

std::optional<wire::Plan> ParentLink::receive(uint64_t newer_than) {
  std::optional<wire::Plan> newest;
  while (auto msg = receive_downstream(plans_)) {
    if (!msg->well_formed) {
      reject("a message of the wrong number of frames (downstream messages are [topic][body])");
      continue;
    }
    auto env = wire::decode_envelope(msg->body);
    if (!env) {
      // A parent of another protocol version: say who and both versions (docs/compatibility.md).
      if (auto foreign = wire::foreign_version(msg->body)) {
        reject(
            fmt::format("parent {} (node \"{}\") speaks protocol version {}, this node speaks {} (loadgrid {}): "
                        "nodes of one grid must share the protocol version",
                        parents_[current_], wire::printable_node_id(foreign->node_id), foreign->version,
                        wire::kProtocolVersion, software_version()));
      } else {
        reject(env.error());
      }
      continue;
    }
    if (env.value().type == wire::MessageType::clock_echo) {
      auto echo = wire::decode_body<wire::ClockEcho>(env.value());
      if (!echo) {
        reject(echo.error());
        continue;
      }
      clock_.add_probe(echo.value().child_sent_unix_us, echo.value().parent_recv_unix_us,
                       echo.value().parent_sent_unix_us, to_unix_us(clock_source_.wall_now()));
      // An echo answers one of our heartbeats: the parent hears us and we hear it.
      last_echo_ = clock_source_.steady_now();
      failed_attempts_ = 0;
      if (silent_) {
        if (heard_) log_->info("parent {} answers again", parents_[current_]);
        silent_ = false;
        recovered_ = true;
      }
      heard_ = true;
    } else if (env.value().type == wire::MessageType::plan) {
      auto plan = wire::decode_body<wire::Plan>(env.value());
      if (!plan) {
        reject(plan.error());
        continue;
      }
      const uint64_t floor = newest ? newest->epoch : newer_than;
      if (plan.value().epoch > floor) newest = std::move(plan.value());
    } else {
      reject("an upstream message type sent downstream");
    }
  }
  return newest;
}

void ParentLink::send_frame(std::string frame) {
  if (static_cast<int64_t>(frame.size()) > kMaxFrameBytes) {
    // The parent would drop the connection over it (ZMQ_MAXMSGSIZE): given up here,
    // counted in dropped_frames and said.
    ++oversized_;
    log_->error("an upstream message of {} bytes is above the {} byte frame limit; not sent", frame.size(),
                kMaxFrameBytes);
    return;
  }
  outbox_.submit(std::move(frame), [this](std::string_view f) { return send_upstream(reports_, f); });
  if (outbox_.empty()) return;
  // One line a second at most while the parent lags: how much waits, and how much was
  // given up (the retry buffer full), which also travels up in every heartbeat.
  if (retain_log_.admit(clock_source_.steady_now())) {
    if (outbox_.dropped() > 0) {
      log_->error("the parent is not taking messages: {} kept for retry ({} bytes), {} given up (buffer full)",
                  outbox_.size(), outbox_.bytes(), outbox_.dropped());
    } else {
      log_->warn("the parent is not taking messages: {} kept for retry ({} bytes)", outbox_.size(), outbox_.bytes());
    }
  }
}

uint64_t ParentLink::dropped_frames() const { return outbox_.dropped() + oversized_; }

void ParentLink::send_heartbeat(wire::Heartbeat heartbeat) {
  heartbeat.sent_unix_us = to_unix_us(clock_source_.wall_now());
  heartbeat.clock_offset_us = clock_.offset_us().value_or(0);
  heartbeat.rejected_frames += rejected_;
  heartbeat.dropped_frames += outbox_.dropped() + oversized_;
  heartbeat.retained_frames += outbox_.size();
  heartbeat.failovers += failovers_;
  // Straight to the socket, even past kept frames: a heartbeat is state, not data, and a
  // lagging child must still be seen alive, with its backlog. One the socket refuses is
  // replaced by the next.
  send_upstream(reports_, wire::encode(heartbeat, my_id_));
}

bool ParentLink::flush() {
  outbox_.flush([this](std::string_view f) { return send_upstream(reports_, f); });
  return outbox_.empty();
}

void ParentLink::leave(const std::string& reason, std::chrono::milliseconds wait) {
  wire::Bye bye;
  bye.reason = reason;
  send(bye);
  // Bounded: a parent that is gone must not hold the exit. Waits on the socket's room
  // for output, in steps, so a parent that comes back in time still gets everything.
  constexpr auto kStep = std::chrono::milliseconds(50);
  for (auto left = wait; !flush() && left > std::chrono::milliseconds(0); left -= kStep) {
    zmq::pollitem_t item{reports_.handle(), 0, ZMQ_POLLOUT, 0};
    poll(&item, 1, kStep);
  }
  if (const size_t n = outbox_.abandon()) {
    log_->error("{} message(s) for the parent could not be sent before exit; lost ({} given up in all)", n,
                outbox_.dropped());
  }
}

}  // namespace grid::common

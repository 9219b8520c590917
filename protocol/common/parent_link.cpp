#include "protocol/common/parent_link.hpp"

#include <stdexcept>

#include "protocol/common/endpoints.hpp"
#include "protocol/common/zmq_io.hpp"

namespace grid::common {

ParentLink::ParentLink(zmq::context_t& context, const std::string& parent, std::string my_id, const Clock& clock,
                       Logger log, ParentLinkOptions options)
    : my_id_(std::move(my_id)),
      clock_source_(clock),
      log_(std::move(log)),
      plans_(context, zmq::socket_type::sub),
      reports_(context, zmq::socket_type::push),
      outbox_(options.retained_bytes) {
  const auto endpoints = parent_endpoints(parent);
  if (!endpoints) throw std::invalid_argument("--parent: " + endpoints.error());
  configure_socket(plans_);
  configure_socket(reports_);
  secure_client(plans_, options.security);
  secure_client(reports_, options.security);
  reports_.set(zmq::sockopt::sndhwm, options.send_queue);
  plans_.set(zmq::sockopt::subscribe, kPlanTopic);
  plans_.set(zmq::sockopt::subscribe, child_topic(my_id_));
  plans_.connect(endpoints.value().plans);
  reports_.connect(endpoints.value().reports);
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
      reject(env.error());
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

void ParentLink::send_heartbeat(wire::Heartbeat heartbeat) {
  heartbeat.sent_unix_us = to_unix_us(clock_source_.wall_now());
  heartbeat.clock_offset_us = clock_.offset_us().value_or(0);
  heartbeat.rejected_frames += rejected_;
  heartbeat.dropped_frames += outbox_.dropped();
  heartbeat.retained_frames += outbox_.size();
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

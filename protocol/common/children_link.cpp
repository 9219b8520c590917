#include "protocol/common/children_link.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "protocol/common/endpoints.hpp"
#include "protocol/common/version.hpp"
#include "protocol/common/zmq_io.hpp"
#include "protocol/wire/codec.hpp"

namespace grid::common {

ChildrenLink::ChildrenLink(zmq::context_t& context, const std::string& listen, std::chrono::milliseconds heartbeat,
                           const Clock& clock, std::function<WallTime()> broker_now, std::string my_id, Logger log,
                           const LinkSecurity& security)
    : clock_(clock),
      zap_(security.server() ? std::make_unique<ZapAuthenticator>(context, *security.authorized, log) : nullptr),
      plans_(context, zmq::socket_type::pub),
      reports_(context, zmq::socket_type::pull),
      registry_(heartbeat),
      heartbeat_(heartbeat),
      broker_now_(std::move(broker_now)),
      my_id_(std::move(my_id)),
      log_(std::move(log)) {
  const auto endpoints = listen_endpoints(listen);
  if (!endpoints) throw std::invalid_argument("--listen: " + endpoints.error());
  configure_socket(plans_);
  configure_socket(reports_);
  secure_server(plans_, security);
  secure_server(reports_, security);
  try {
    plans_.bind(endpoints.value().plans);
    reports_.bind(endpoints.value().reports);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot listen on " + listen + " (" + endpoints.value().plans + ", " +
                             endpoints.value().reports + "): " + e.what());
  }
  bound_address_ =
      bound_parent_address(plans_.get(zmq::sockopt::last_endpoint), reports_.get(zmq::sockopt::last_endpoint));
  if (bound_address_.empty()) bound_address_ = listen;  // inproc: the name is the address
  if (security.server()) {
    log_->info("CURVE on {}: children must hold one of the {} key(s) in {}", bound_address_,
               security.authorized->keys.size(), security.authorized->source);
  }
}

std::string ChildrenLink::loss_rule() const {
  return fmt::format("silent for {} heartbeats ({} ms)", registry_.liveness(),
                     (heartbeat_ * registry_.liveness()).count());
}

void ChildrenLink::reject(const std::string& why) {
  ++rejected_;
  // At most one line a second: a flood of garbage must not become a flood of logs.
  if (const auto n = reject_log_.admit(clock_.steady_now())) {
    log_->warn("rejected {} malformed frame(s), latest: {}", *n, why);
  }
}

// A child of another protocol version (docs/compatibility.md): nothing it sends can be
// trusted to mean what this node reads, so all of it is refused and counted. The first
// frame of each child (and version) gets its own warning naming the child and both
// versions, so the operator sees who to upgrade in the logs and summary.json's
// `warnings`; later ones go through the usual rate-limited line.
void ChildrenLink::refuse_version(uint64_t version, const std::string& node_id) {
  ++foreign_frames_;
  const std::string id = wire::printable_node_id(node_id);
  const std::string why = fmt::format("child {} speaks protocol version {}, this node ({}) speaks {} (loadgrid {})", id,
                                      version, my_id_, wire::kProtocolVersion, software_version());
  const auto it = foreign_children_.find(id);
  const bool news =
      it == foreign_children_.end() ? foreign_children_.size() < kMaxForeignChildren : it->second != version;
  if (!news) return reject(why);
  foreign_children_[id] = version;
  ++rejected_;
  reject_log_.admit(clock_.steady_now());  // this line stands for it: the next one a second on at the earliest
  log_->warn("{}: refused; nodes of one grid must share the protocol version (docs/compatibility.md)", why);
}

void ChildrenLink::drain(Handler& handler) {
  while (auto msg = receive_upstream(reports_)) {
    if (!msg->well_formed) {
      reject("a multipart message (upstream messages are one frame)");
      continue;
    }
    handle(msg->body, handler);
  }
}

void ChildrenLink::send_down(std::string_view topic, const std::string& body) {
  if (static_cast<int64_t>(body.size()) > kMaxFrameBytes) {
    // Children would drop it and, as ZeroMQ treats that as a protocol error, never
    // reconnect to this hop: better not sent, counted and said.
    ++unsent_;
    if (const auto n = oversized_log_.admit(clock_.steady_now())) {
      log_->error("{} snapshot(s) not sent: {} bytes is above the {}-byte frame limit", *n, body.size(),
                  kMaxFrameBytes);
    }
    return;
  }
  if (!send_downstream(plans_, topic, body)) ++unsent_;
}

void ChildrenLink::handle(const std::string& frame, Handler& handler) {
  const int64_t received_us = to_unix_us(broker_now_());
  auto env = wire::decode_envelope(frame);
  if (!env) {
    if (auto foreign = wire::foreign_version(frame)) return refuse_version(foreign->version, foreign->node_id);
    return reject(env.error());
  }
  const std::string& sender = env.value().node_id;
  if (sender.empty()) return reject("empty node id");
  const SteadyTime now = clock_.steady_now();
  switch (env.value().type) {
    case wire::MessageType::hello: {
      auto hello = wire::decode_body<wire::Hello>(env.value());
      if (!hello) return reject(hello.error());
      if (registry_.on_hello(sender, hello.value(), now)) {
        log_->debug("child {} joined: {} in region {}, {} cores, version {}", sender,
                    hello.value().kind == wire::NodeKind::relay ? "relay" : "agent", hello.value().region,
                    hello.value().cores, hello.value().software_version);
        membership_changed(handler);
      }
      return;
    }
    case wire::MessageType::heartbeat: {
      auto hb = wire::decode_body<wire::Heartbeat>(env.value());
      if (!hb) return reject(hb.error());
      // A live agent's CPU share before this heartbeat, to report a step (-1: none).
      double share_before = -1;
      if (const auto it = registry_.children().find(sender);
          it != registry_.children().end() && !it->second.lost && !it->second.left) {
        share_before = it->second.cpu_pressure.share();
      }
      const bool changed = registry_.on_heartbeat(sender, hb.value(), now);
      if (answering_) {
        wire::ClockEcho echo;
        echo.child_sent_unix_us = hb.value().sent_unix_us;
        echo.parent_recv_unix_us = received_us;
        echo.parent_sent_unix_us = to_unix_us(broker_now_());
        send_down(child_topic(sender), wire::encode(echo, my_id_));
      }
      const ChildInfo& child = registry_.children().at(sender);
      if (share_before >= 0 && child.cpu_pressure.share() != share_before) {
        handler.on_child_cpu_share(child, share_before);
      }
      if (changed) membership_changed(handler);
      return;
    }
    case wire::MessageType::stats: {
      auto report = wire::decode_body<wire::StatsReport>(env.value());
      if (!report) return reject(report.error());
      registry_.on_message(sender, now);
      handler.on_stats(sender, std::move(report.value()));
      return;
    }
    case wire::MessageType::log: {
      auto record = wire::decode_body<wire::LogRecord>(env.value());
      if (!record) return reject(record.error());
      registry_.on_message(sender, now);
      handler.on_log(sender, record.value(), frame);
      return;
    }
    case wire::MessageType::bye: {
      auto bye = wire::decode_body<wire::Bye>(env.value());
      if (!bye) return reject(bye.error());
      if (registry_.on_bye(sender)) {
        handler.on_child_left(registry_.children().at(sender));
        membership_changed(handler);
      }
      return;
    }
    default:
      return reject("a downstream message type sent upstream");
  }
}

void ChildrenLink::expire(Handler& handler) {
  const auto lost = registry_.expire(clock_.steady_now());
  for (const auto& id : lost) handler.on_child_lost(registry_.children().at(id));
  if (!lost.empty()) membership_changed(handler);
}

void ChildrenLink::membership_changed(Handler& handler) {
  throttle_.changed();
  handler.on_membership_changed();
}

void ChildrenLink::publish(const wire::Plan& plan) {
  send_down(kPlanTopic, wire::encode(plan, my_id_));
  throttle_.published(clock_.steady_now());
}

}  // namespace grid::common

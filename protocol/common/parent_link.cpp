#include "protocol/common/parent_link.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "protocol/common/endpoints.hpp"

namespace grid::common {

ParentLink::ParentLink(zmq::context_t& context, const std::string& parent, std::string my_id)
    : my_id_(std::move(my_id)), plans_(context, zmq::socket_type::sub), reports_(context, zmq::socket_type::push) {
  const auto endpoints = parent_endpoints(parent);
  if (!endpoints) throw std::invalid_argument("--parent: " + endpoints.error());
  configure_socket(plans_);
  configure_socket(reports_);
  plans_.set(zmq::sockopt::subscribe, kPlanTopic);
  plans_.set(zmq::sockopt::subscribe, child_topic(my_id_));
  plans_.connect(endpoints.value().plans);
  reports_.connect(endpoints.value().reports);
}

int64_t ParentLink::unix_now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t ParentLink::broker_now_us() const { return unix_now_us() + clock_.offset_us().value_or(0); }

std::optional<wire::Plan> ParentLink::receive(uint64_t newer_than) {
  std::optional<wire::Plan> newest;
  while (auto msg = receive_downstream(plans_)) {
    if (!msg->well_formed) continue;
    auto env = wire::decode_envelope(msg->body);
    if (!env) {
      std::fprintf(stderr, "%s: rejected a downstream frame: %s\n", my_id_.c_str(), env.error().c_str());
      continue;
    }
    if (env.value().type == wire::MessageType::clock_echo) {
      if (auto echo = wire::decode_body<wire::ClockEcho>(env.value())) {
        clock_.add_probe(echo.value().child_sent_unix_us, echo.value().parent_recv_unix_us,
                         echo.value().parent_sent_unix_us, unix_now_us());
      }
    } else if (env.value().type == wire::MessageType::plan) {
      auto plan = wire::decode_body<wire::Plan>(env.value());
      if (!plan) {
        std::fprintf(stderr, "%s: rejected a plan: %s\n", my_id_.c_str(), plan.error().c_str());
        continue;
      }
      const uint64_t floor = newest ? newest->epoch : newer_than;
      if (plan.value().epoch > floor) newest = std::move(plan.value());
    }
  }
  return newest;
}

}  // namespace grid::common

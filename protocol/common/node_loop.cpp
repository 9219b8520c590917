#include "protocol/common/node_loop.hpp"

#include "protocol/common/zmq_io.hpp"

namespace grid::common {

void NodeLoop::wait() {
  items_.clear();
  for (auto* s : sockets_) items_.push_back({s->handle(), 0, ZMQ_POLLIN, 0});
  poll(items_.data(), items_.size(), poll_interval_);
}

}  // namespace grid::common

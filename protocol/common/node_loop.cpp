#include "protocol/common/node_loop.hpp"

#include "protocol/common/zmq_io.hpp"

namespace grid::common {

void NodeLoop::wait() { poll(items_.data(), items_.size(), poll_interval_); }

}  // namespace grid::common

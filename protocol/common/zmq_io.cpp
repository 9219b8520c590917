#include "protocol/common/zmq_io.hpp"

#include <cerrno>
#include <iterator>
#include <vector>

#include <zmq_addon.hpp>

namespace grid::common {
namespace {

std::optional<Received> receive(zmq::socket_t& socket, size_t expected_frames) {
  std::vector<zmq::message_t> frames;
  const auto n = zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait);
  if (!n) return std::nullopt;
  Received r;
  if (frames.size() != expected_frames) {
    r.well_formed = false;
    return r;
  }
  if (expected_frames == 2) r.topic = frames[0].to_string();
  r.body = frames.back().to_string();
  return r;
}

}  // namespace

std::string child_topic(std::string_view child_id) { return "E:" + std::string(child_id) + "|"; }

bool send_downstream(zmq::socket_t& socket, std::string_view topic, std::string_view body) {
  if (!socket.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return false;
  return socket.send(zmq::buffer(body), zmq::send_flags::dontwait).has_value();
}

bool send_upstream(zmq::socket_t& socket, std::string_view body) {
  return socket.send(zmq::buffer(body), zmq::send_flags::dontwait).has_value();
}

std::optional<Received> receive_downstream(zmq::socket_t& socket) { return receive(socket, 2); }
std::optional<Received> receive_upstream(zmq::socket_t& socket) { return receive(socket, 1); }

int poll(zmq::pollitem_t* items, size_t count, std::chrono::milliseconds timeout) {
  try {
    return zmq::poll(items, count, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return 0;
    throw;
  }
}

void configure_socket(zmq::socket_t& socket) {
  socket.set(zmq::sockopt::linger, 2000);
  socket.set(zmq::sockopt::sndhwm, 100'000);
  socket.set(zmq::sockopt::rcvhwm, 100'000);
  socket.set(zmq::sockopt::maxmsgsize, kMaxFrameBytes);
  // ZMTP heartbeats on the connection itself (ZeroMQ's I/O thread, not ours): a TCP
  // connection whose peer stays silent for 5 s is closed. Without them a cut link keeps its
  // half-dead connection, and when the link returns, data queued before the cut is
  // delivered late (windows the agents had resent elsewhere arrive a second time).
  socket.set(zmq::sockopt::heartbeat_ivl, 1000);
  socket.set(zmq::sockopt::heartbeat_timeout, 5000);
}

}  // namespace grid::common

#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <zmq.hpp>

namespace grid::common {

/// Framing of loadgrid messages on ZeroMQ sockets; the only place frames are spliced.
/// Downstream (PUB/SUB): [topic][body]. Upstream (PUSH/PULL): [body].

/// Topic of plan snapshots; every child subscribes to it.
inline constexpr std::string_view kPlanTopic = "P";
/// Topic of messages for one child only (clock echoes): "E:" + id + "|". The closing
/// '|' keeps ZeroMQ's prefix matching from giving agent1's messages to agent10.
std::string child_topic(std::string_view child_id);

/// Sends [topic][body] without blocking; false when the socket would block (dropped,
/// as PUB does for slow subscribers anyway).
bool send_downstream(zmq::socket_t& socket, std::string_view topic, std::string_view body);

/// Sends [body] without blocking; false when the socket would block.
bool send_upstream(zmq::socket_t& socket, std::string_view body);

/// One received multipart message, non-blocking. Downstream gives topic and body;
/// upstream a body alone. A message with the wrong number of frames is returned with
/// `well_formed == false`, so the caller can count it.
struct Received {
  std::string topic;
  std::string body;
  bool well_formed = true;
};
std::optional<Received> receive_downstream(zmq::socket_t& socket);
std::optional<Received> receive_upstream(zmq::socket_t& socket);

/// zmq::poll that treats an interrupting signal (EINTR) as "nothing ready": SIGINT and
/// SIGTERM are how nodes are asked to stop, and must not surface as exceptions.
int poll(zmq::pollitem_t* items, size_t count, std::chrono::milliseconds timeout);

/// Sets the options every loadgrid socket gets: bounded linger (the default, -1, can
/// hang a process at exit) and high-water marks.
void configure_socket(zmq::socket_t& socket);

}  // namespace grid::common

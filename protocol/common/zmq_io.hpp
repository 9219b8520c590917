#pragma once

#include <chrono>
#include <cstdint>
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

/// The largest frame a loadgrid socket accepts from a peer (ZMQ_MAXMSGSIZE). ZeroMQ
/// allocates a frame's announced length when it reads its header, so without a bound one
/// peer can make a node allocate gigabytes; above it, ZeroMQ drops the frame and
/// disconnects that peer (which may reconnect), and the node never sees the frame.
///
/// 16 MiB is several times the largest legitimate frame (tests/protocol/frame_limit_test.cpp
/// measures both): a plan snapshot ships at most 1 MiB of campaign files
/// (broker/campaign.hpp kMaxShippedBytes), 1.3 MiB encoded for a CSV of one-character
/// cells, plus requests and scenarios; a stats report's histograms are sparse, ~175 KiB
/// for one spanning its whole range (31,744 buckets), a few KiB in a typical window. A
/// child connected to a parent never reconnects after an oversized frame (libzmq counts it
/// a protocol error), so parents never send one (ChildrenLink). The codec
/// (protocol/wire/codec.cpp) bounds separately what a frame may unpack to.
inline constexpr int64_t kMaxFrameBytes = int64_t{16} << 20;

/// Sets the options every loadgrid socket gets: bounded linger (the default, -1, can
/// hang a process at exit), high-water marks, and kMaxFrameBytes on what it receives
/// (PULL and SUB; on PUB it bounds subscription frames).
void configure_socket(zmq::socket_t& socket);

}  // namespace grid::common

#pragma once

// A hostile peer for the integration tests: floods the report (PULL) endpoints of brokers
// and relays with what an attacker who can reach the port may send, bounded in rounds and
// time. Deterministic for a seed. Every message it counts in `frames` is one the node
// reads and must reject (none is a valid upstream message: a valid hello would make the
// flood a child); oversized frames and broken handshakes never reach the node at all.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "protocol/common/zmq_io.hpp"
#include "protocol/wire/codec.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::test {

/// What a flood sent to one endpoint.
struct FloodTally {
  uint64_t frames = 0;           // messages the node reads and rejects (a multipart message is one)
  uint64_t oversized = 0;        // frames above kMaxFrameBytes: ZeroMQ drops them and disconnects the sender
  uint64_t raw_connections = 0;  // TCP connections that sent a broken ZMTP handshake and random bytes
};

struct FloodLimits {
  int rounds = 1000;                           // each sends 8 rejected messages to every endpoint
  std::chrono::milliseconds max_time{20'000};  // stops earlier when this has passed
  int oversized_every = 100;                   // rounds between oversized frames (and raw connections)
  // Between rounds, so that the flood spans several stats windows and heartbeats (shapes
  // the load; nothing waits on it).
  std::chrono::microseconds pause{3000};
  uint64_t seed = 8;
};

namespace flood_detail {

// The envelope [type, version, node_id, body] by hand, `body` already packed.
inline std::string envelope(uint8_t type, uint8_t version, const std::string& node_id, const std::string& body) {
  return std::string("\x94") + static_cast<char>(type) + static_cast<char>(version) +
         static_cast<char>(0xa0 | node_id.size()) + node_id + body;
}

inline std::string random_bytes(std::mt19937_64& rng, size_t max) {
  std::string s(1 + rng() % max, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

/// Valid upstream frames, only ever sent cut, extended or inside a multipart message.
inline std::vector<std::string> valid_frames() {
  wire::Hello hello;
  hello.region = "default";
  hello.cores = 64;
  wire::Heartbeat heartbeat;
  heartbeat.agents = 1;
  heartbeat.capacity = 64;
  wire::StatsReport stats;
  stats.campaign_id = "flood";
  wire::StatsWindow window;
  window.interval_ms = 1000;
  window.requests["home"].requests = 1'000'000;
  stats.windows = {window};
  return {wire::encode(hello, "flood"), wire::encode(heartbeat, "flood"), wire::encode(stats, "flood")};
}

/// One message of every hostile kind the node reads and must reject; each inner vector is
/// one message (several frames: a multipart message).
inline std::vector<std::vector<std::string>> hostile_messages(std::mt19937_64& rng) {
  static const std::vector<std::string> valid = valid_frames();
  // Bodies no message converts from: nil, an integer, a string, a map, a float, bin.
  static const std::vector<std::string> bad_bodies = {
      "\xc0", "\x2a", "\xa3xyz", "\x81\x01\x02", std::string("\xcb\x3f\xf8\0\0\0\0\0\0", 9), "\xc4\x01x"};
  const std::string& some = valid[rng() % valid.size()];
  const uint8_t upstream_type = static_cast<uint8_t>(1 + rng() % 5);  // hello .. bye
  wire::ClockEcho echo;
  return {
      {random_bytes(rng, 256)},
      {some.substr(0, rng() % some.size())},                                         // truncated
      {some + random_bytes(rng, 8)},                                                 // trailing bytes
      {envelope(upstream_type, 1, "flood", bad_bodies[rng() % bad_bodies.size()])},  // garbage body
      {wire::encode(echo, "flood")},                                                 // a downstream type sent up
      {envelope(upstream_type, 2, "flood", "\x90")},                                 // a version nobody speaks
      {wire::encode(wire::Bye{}, "")},                                               // no node id
      {valid[rng() % valid.size()], some},                                           // two frames: upstream is one
  };
}

/// A ZMTP 3 greeting that asks for a mechanism nobody has, then random bytes: ZeroMQ ends
/// the handshake and nothing reaches the node. (Bytes without the 0xFF signature would be
/// read as ZMTP 1.0 frames, which the node would see: those are what `frames` counts.)
inline std::string broken_handshake(std::mt19937_64& rng) {
  const std::string signature = "\xff" + std::string(8, '\0') + "\x7f";
  const std::string version("\x03\x00", 2);
  return signature + version + "XXXX" + std::string(16, '\0') + random_bytes(rng, 1024);
}

inline uint16_t port_of(const std::string& endpoint) {
  return static_cast<uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}

inline void send_raw(const std::string& endpoint, const std::string& bytes) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_of(endpoint));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to " + endpoint);
  }
  (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);  // the node may hang up first
  ::close(fd);
}

}  // namespace flood_detail

/// Floods every endpoint (`tcp://127.0.0.1:PORT`, a PULL) from the calling thread until
/// `limits` runs out; returns what was sent to each. Throws when an endpoint stops taking
/// frames (a send blocked for 5 s): the node under the flood stopped reading.
inline std::vector<FloodTally> flood_reports(const std::vector<std::string>& endpoints, const FloodLimits& limits) {
  using namespace flood_detail;
  std::mt19937_64 rng(limits.seed);
  zmq::context_t context(1);
  std::vector<std::unique_ptr<zmq::socket_t>> hostile, oversized;
  for (const auto& e : endpoints) {
    hostile.push_back(std::make_unique<zmq::socket_t>(context, zmq::socket_type::push));
    hostile.back()->set(zmq::sockopt::linger, 5000);  // what was sent arrives before the count is used
    hostile.back()->set(zmq::sockopt::sndtimeo, 5000);
    hostile.back()->connect(e);
    // Apart: each oversized frame gets its sender disconnected, with what it had queued.
    oversized.push_back(std::make_unique<zmq::socket_t>(context, zmq::socket_type::push));
    oversized.back()->set(zmq::sockopt::linger, 0);
    oversized.back()->set(zmq::sockopt::sndhwm, 1);  // at most one 16 MiB frame waits for a reconnect
    oversized.back()->connect(e);
  }
  const std::string too_big(static_cast<size_t>(common::kMaxFrameBytes) + 1, 'o');
  std::vector<FloodTally> tallies(endpoints.size());
  const auto deadline = std::chrono::steady_clock::now() + limits.max_time;
  for (int round = 0; round < limits.rounds && std::chrono::steady_clock::now() < deadline; ++round) {
    for (size_t i = 0; i < endpoints.size(); ++i) {
      for (const auto& message : hostile_messages(rng)) {
        for (size_t f = 0; f < message.size(); ++f) {
          const auto more = f + 1 < message.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
          if (!hostile[i]->send(zmq::buffer(message[f]), more)) {
            throw std::runtime_error(endpoints[i] + " took no frame for 5 s during the flood");
          }
        }
        ++tallies[i].frames;
      }
      if (round % limits.oversized_every == 0) {
        if (oversized[i]->send(zmq::buffer(too_big), zmq::send_flags::dontwait)) ++tallies[i].oversized;
        send_raw(endpoints[i], broken_handshake(rng));
        ++tallies[i].raw_connections;
      }
    }
    std::this_thread::sleep_for(limits.pause);
  }
  return tallies;
}

}  // namespace grid::test

#pragma once

#include <atomic>
#include <cstdint>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "protocol/common/curve_keys.hpp"
#include "protocol/common/log.hpp"

namespace grid::common {

/// The answer to one ZAP request (ZeroMQ RFC 27) and what it was about.
struct ZapDecision {
  /// Reply frames: version "1.0", request id, status code ("200", "400" or "500"),
  /// status text, user id (the client's Z85 key when allowed), metadata (empty).
  std::vector<std::string> reply;
  bool allowed = false;
  std::string client_key;  // Z85; "" when the request carried no CURVE key
  std::string address;     // the client's IP address, as ZeroMQ passes it
};

/// Decides one ZAP request: allowed only for the CURVE mechanism, loadgrid's ZAP domain
/// and a client key in `authorized`. A malformed request (too few frames, another
/// version) gets "500". Pure.
ZapDecision decide_zap(const std::vector<std::string>& request, const std::set<std::string>& authorized);

/// The ZAP handler of one ZeroMQ context: a REP socket bound to inproc://zeromq.zap.01 on
/// a thread of its own, which owns its copy of the authorised keys and answers every
/// handshake of the context's CURVE servers (decide_zap). Refusals are counted and
/// logged at most once a second with how many there were, the latest key and address;
/// allowed handshakes are logged at debug level.
///
/// ZeroMQ lets CURVE clients in without asking when no handler is bound, so the handler
/// must be bound before the first CURVE server binds and stay until the last one closes:
/// the constructor returns only once the endpoint is bound, and an owner declares it
/// before its sockets (so it is destroyed after them). One per context: a second one in
/// the same context fails to bind (std::runtime_error).
class ZapAuthenticator {
public:
  ZapAuthenticator(zmq::context_t& context, AuthorizedKeys keys, Logger log);
  ~ZapAuthenticator();
  ZapAuthenticator(const ZapAuthenticator&) = delete;
  ZapAuthenticator& operator=(const ZapAuthenticator&) = delete;

  /// Handshakes allowed and refused so far (readable from any thread).
  uint64_t allowed() const { return allowed_.load(std::memory_order_relaxed); }
  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

private:
  void serve(zmq::socket_t& zap, zmq::socket_t& control, const AuthorizedKeys& keys);

  zmq::socket_t control_;  // PAIR to the thread: a message means "stop"
  Logger log_;
  std::atomic<uint64_t> allowed_{0};
  std::atomic<uint64_t> refused_{0};
  std::thread thread_;
};

}  // namespace grid::common

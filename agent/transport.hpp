#pragma once

#include <cstdint>
#include <string>

#include "agent/target_allowlist.hpp"
#include "agent/timer_queue.hpp"
#include "protocol/common/log.hpp"

namespace grid::agent {

struct CompiledRequest;
struct VirtualUser;

/// How a request ended, in the terms both transports share (docs/adr/0016), before the
/// request's expected statuses judge it (failure_classifier.hpp).
enum class TransferError : uint8_t {
  none = 0,     // a complete response arrived (its status decides success)
  connect,      // no connection: refused, unreachable, no address for the name
  timeout,      // no complete response within the request's timeout (connect to last byte)
  tls,          // TLS handshake or certificate failure (curl only)
  not_allowed,  // every address it would connect to is outside --allow-target
  other,        // anything else: reset, closed mid-response, malformed response, ...
};

/// What a finished request reports to its engine. Both transports count bytes the way
/// libcurl does, so a request costs the same figures whichever served it.
struct TransferOutcome {
  TransferError error = TransferError::none;
  long status = 0;              // the final response's status; 0 when none arrived
  uint16_t http_version = 0;    // of that response: 10, 11, 20 (0 when none)
  uint64_t bytes_sent = 0;      // request bytes written (head + body) on the connection that answered
  uint64_t bytes_received = 0;  // every response head (1xx included) + the decoded body bytes
  std::string detail;           // why, where the engine reports it (not_allowed: what was refused)
};

/// Where a transport hands finished requests: its engine. Called on the engine thread
/// from inside the transport's own calls (on_event, on_timer, flush); the engine may
/// start the user's next request on the same transport from inside it.
class TransferSink {
public:
  virtual void transfer_done(VirtualUser& user, const TransferOutcome& outcome, int64_t now_ns) = 0;

protected:
  ~TransferSink() = default;
};

/// What a transport shares with the engine thread that owns it: the epoll set, the timer
/// heap, the allow-list every connection is checked against, and where results go.
struct TransportContext {
  int epoll_fd = -1;
  TimerQueue* timers = nullptr;
  uint32_t timer_kind = 0;  // the transport's own TimerQueue kind (ids are its to choose)
  const TargetAllowlist* allowed = nullptr;
  TransferSink* sink = nullptr;
  common::Logger log;
  uint32_t engine_id = 0;
};

/// Epoll tags: the top byte says whose event it is; the rest is the transport's.
inline constexpr uint64_t kWakeTag = ~uint64_t{0};
inline constexpr uint64_t kTransportTagShift = 56;
enum class TransportId : uint8_t { curl = 0, native = 1 };
inline constexpr uint64_t transport_tag(TransportId id, uint64_t value) {
  return (uint64_t{static_cast<uint8_t>(id)} << kTransportTagShift) |
         (value & ((uint64_t{1} << kTransportTagShift) - 1));
}
inline constexpr TransportId transport_of(uint64_t tag) { return static_cast<TransportId>(tag >> kTransportTagShift); }
inline constexpr uint64_t tag_value(uint64_t tag) { return tag & ((uint64_t{1} << kTransportTagShift) - 1); }

/// The thing that performs a request for an engine (docs/adr/0016): libcurl
/// (CurlTransport: TLS, HTTP/2, everything) or the native HTTP/1.1 client
/// (NativeTransport: plain http://, the fast path). One per engine thread each, living on
/// that thread's epoll set and timer heap; single-threaded.
///
/// A request is started with start(); it then completes exactly once, through the sink,
/// from a later on_event, on_timer or flush call — never from inside start(). The
/// request's parts are `req.spec` (literal requests) or the user's rendered url, body and
/// header_lines (`!req.literal`). A transport keeps each user's connection between its
/// requests (keep-alive) unless `fresh_connection` asks for a new one.
class Transport {
public:
  virtual ~Transport() = default;

  /// Starts `req` for `user` (which has started_ns set). False when it could not be
  /// issued at all (the engine counts that as an `other` failure; nothing completes).
  virtual bool start(VirtualUser& user, const CompiledRequest& req, bool fresh_connection) = 0;
  /// An epoll event whose tag names this transport.
  virtual void on_event(uint64_t tag, uint32_t events, int64_t now_ns) = 0;
  /// One of this transport's timers (kind `timer_kind`) fired.
  virtual void on_timer(uint32_t id, int64_t now_ns) = 0;
  /// Completes whatever finished during the last calls (after every batch of events and
  /// timers). Transports that complete requests as they go do nothing.
  virtual void flush() = 0;
  /// The engine made user ids below `users` (slots may be allocated lazily).
  virtual void reserve_users(uint32_t users) = 0;
};

}  // namespace grid::agent

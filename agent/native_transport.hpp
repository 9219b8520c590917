#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/compiled_workload.hpp"
#include "agent/http1_exchange.hpp"
#include "agent/http1_request.hpp"
#include "agent/transport.hpp"

namespace grid::agent {

/// The native HTTP/1.1 client (issue 9): plain http://, one non-blocking keep-alive
/// connection per virtual user, on the engine's epoll set (edge-triggered, registered once
/// per connection) and timer heap, responses parsed by Http1Exchange. Literal requests
/// are serialised once at construction and shared by every user; templated ones per
/// start, from the user's rendered url, body and header lines. Results are libcurl's for
/// the same request (Http1Exchange says how): outcome, status, bytes, the retry of a
/// request whose reused connection died, the timeout from connect to last byte.
///
/// Names are resolved with getaddrinfo and kept 60 s (curl's DNS cache); a name's
/// addresses are tried in order, each checked against --allow-target first (a refused one
/// is never connected). A user costs one pointer until its first native request; then a
/// few hundred bytes (no read buffer: all connections read into one engine-wide buffer).
///
/// A request never completes inside start(): a failure found there (bad URL, no address,
/// refused, not allowed) is delivered from a timer due at once. Single-threaded.
class NativeTransport final : public Transport {
public:
  NativeTransport(TransportContext ctx, const CompiledWorkload& work);
  ~NativeTransport() override;
  NativeTransport(const NativeTransport&) = delete;
  NativeTransport& operator=(const NativeTransport&) = delete;

  bool start(VirtualUser& user, const CompiledRequest& req, bool fresh_connection) override;
  void on_event(uint64_t tag, uint32_t events, int64_t now_ns) override;
  void on_timer(uint32_t id, int64_t now_ns) override;
  void flush() override {}
  void reserve_users(uint32_t users) override;

  /// Connections open now (idle or busy), for tests and diagnostics.
  uint32_t open_connections() const { return open_; }

private:
  struct Connection;
  struct Prepared;  // a literal request, serialised once
  struct Address {
    sockaddr_storage addr;
    socklen_t size;
  };
  struct Resolved {
    std::vector<Address> addresses;
    int64_t expires_ns = 0;
  };

  Connection& slot(uint32_t id);
  void open_next(Connection& c);
  bool connect_one(Connection& c, const Address& a);
  bool send_request(Connection& c, int64_t now_ns);
  bool read_response(Connection& c, int64_t now_ns);
  void advance(Connection& c, ExchangeStep step, int64_t now_ns);
  void fail_before_sending(Connection& c, TransferError error, std::string detail);
  void complete(Connection& c, int64_t now_ns);
  void close_socket(Connection& c);
  void arm(Connection& c, int64_t at_ns);
  std::shared_ptr<const Resolved> resolve(const Http1Target& target, std::string& error);

  TransportContext ctx_;
  const CompiledWorkload& work_;
  std::vector<std::unique_ptr<Prepared>> prepared_;  // per request index; null: not native+literal
  std::vector<std::unique_ptr<Connection>> slots_;   // per user id; null until its first request
  std::unordered_map<std::string, std::shared_ptr<const Resolved>> names_;
  std::unique_ptr<char[]> buffer_;  // every connection reads into it
  TransferOutcome done_;            // the outcome handed to the sink (its strings reused)
  bool in_start_ = false;
  uint32_t open_ = 0;
};

}  // namespace grid::agent

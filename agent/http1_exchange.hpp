#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "agent/http1_response.hpp"
#include "agent/transport.hpp"

namespace grid::agent {

/// What a connection does next for its request.
enum class ExchangeStep : uint8_t {
  wait,   // more bytes to write or read: wait for the socket
  done,   // the request ended: outcome() says how
  retry,  // the reused connection died before any response byte: send again on a new one
};

/// One request and its response on one HTTP/1.1 connection, without the socket: what is
/// left to write, the response bytes fed as they arrive, and how the server's close, a
/// reset or a timeout end it. Decides the outcome as libcurl would (docs/adr/0016 and
/// agent/failure_classifier.cpp): a complete response → none with its status; EOF before
/// any byte on a fresh connection ("Empty reply from server"), a close mid-response, a
/// reset, a malformed response or a 101 → other; a timeout → timeout with the status of the
/// last status line (as CURLINFO_RESPONSE_CODE). Like libcurl ("Connection died, retrying
/// a fresh connect"), a request on a reused connection that gets no response byte at all
/// (EOF, ECONNRESET, EPIPE) asks to be retried once, on a new connection; never after a
/// response byte, never on a fresh connection. Counts bytes as libcurl does: bytes_sent =
/// request bytes written, on every connection tried (a retried request counts both
/// attempts, as CURLINFO_REQUEST_SIZE does), bytes_received = the complete lines of every
/// head (1xx included; a line cut short is not counted, as curl counts header lines) +
/// decoded body bytes. Pure apart from the capture strings it appends to;
/// owned by one connection of one engine thread and reused for each of its requests.
class Http1Exchange {
public:
  /// Starts a request whose bytes are `request` (the caller keeps them alive until done)
  /// on a connection that already carried a response (`reused`) or a new one. `head`: the
  /// request is HEAD. Captures into `body` / `headers` when not null (cleared here).
  void begin(std::string_view request, bool head, bool reused, std::string* body, std::string* headers);
  /// After `retry`: the same request again, from its first byte, on a new connection.
  void restart_fresh();

  /// The request bytes not written yet.
  std::string_view unwritten() const { return request_.substr(written_); }
  /// `n` more request bytes were written.
  void wrote(size_t n) { written_ += n; }

  /// Response bytes arrived. done once the response is complete or malformed.
  ExchangeStep received(const char* data, size_t size);
  /// The server closed the connection (EOF on read).
  ExchangeStep peer_closed();
  /// The connection failed with `err` (errno of recv or send: ECONNRESET, EPIPE, ...).
  ExchangeStep connection_failed(int err);
  /// The request's timeout (`timeout_ms`) passed first.
  void timed_out(uint32_t timeout_ms);
  /// Ends the request before any exchange: no connection (`error` connect, not_allowed,
  /// other...) with `detail`.
  void failed_before_sending(TransferError error, std::string_view detail);

  /// How the request ended; valid once a step returned done (or after timed_out /
  /// failed_before_sending). The transport may move the detail out of it.
  TransferOutcome& outcome() { return outcome_; }
  /// Whether the connection may carry the next request: the response allowed keep-alive,
  /// the whole request was written and nothing followed the response.
  bool reusable() const { return reusable_; }
  /// Whether any response byte arrived for this request.
  bool responded() const { return fed_ > 0; }

private:
  ExchangeStep finish(TransferError error, std::string_view detail);

  Http1Response response_;
  std::string_view request_;
  size_t written_ = 0;      // on the current connection
  size_t sent_before_ = 0;  // on connections that died before any response byte (retried)
  uint64_t fed_ = 0;        // response bytes received on this connection for this request
  bool head_ = false;
  bool reused_ = false;
  bool retried_ = false;
  bool reusable_ = false;
  std::string* keep_body_ = nullptr;
  std::string* keep_headers_ = nullptr;
  TransferOutcome outcome_;
};

}  // namespace grid::agent

#pragma once

#include <http_parser.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace grid::agent {

/// One HTTP/1.1 response read from a connection's bytes, for the native transport
/// (issue 9): a thin, allocation-free wrapper around Debian's http-parser (the parser wrk
/// uses). Knows where a response ends — Content-Length, chunked, or the connection's close
/// — and the framing rules that decide it: no body after HEAD, 204 or 304; interim 1xx
/// responses (100 Continue, 103 Early Hints) skipped on the way to the final one. It stops
/// at the end of the response, so bytes after it are left to the caller. Owned by one
/// engine thread; one per connection, reset() before each response.
class Http1Response {
public:
  enum class State { reading, complete, error };

  Http1Response();

  /// Prepares for the next response; `head` when the request was HEAD (no body follows).
  void reset(bool head);
  /// Feeds bytes that arrived; returns how many belong to this response (all of them
  /// unless it completed inside `data`). Does nothing once complete or in error.
  size_t feed(const char* data, size_t size);
  /// The server closed the connection: completes a response delimited by the close, and
  /// makes any other unfinished response an error ("closed mid-response").
  void on_eof();

  State state() const { return state_; }
  /// The final response's status (0 before its status line).
  int status() const { return status_; }
  /// Body bytes received (after de-chunking), of the final response.
  uint64_t body_bytes() const { return body_bytes_; }
  /// True when the connection may carry the next request (HTTP/1.1 without
  /// `Connection: close`, or HTTP/1.0 with keep-alive). Meaningful once complete.
  bool keep_alive() const { return keep_alive_; }
  /// What was wrong, once in error (the parser's own description).
  const std::string& error() const { return error_; }

private:
  static int on_status(http_parser* p, const char*, size_t);
  static int on_headers_complete(http_parser* p);
  static int on_body(http_parser* p, const char*, size_t n);
  static int on_message_complete(http_parser* p);
  void fail(const std::string& why);

  http_parser parser_{};
  http_parser_settings settings_{};
  State state_ = State::reading;
  bool head_ = false;
  bool interim_ = false;  // the message being read is a 1xx to skip
  int status_ = 0;
  uint64_t body_bytes_ = 0;
  bool keep_alive_ = false;
  std::string error_;
};

}  // namespace grid::agent

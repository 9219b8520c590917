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
/// at the end of the response, so bytes after it are left to the caller. Counts what
/// libcurl counts: every head byte (status line, header lines, line ends and the blank
/// line, 1xx heads included: CURLINFO_HEADER_SIZE) and the decoded body bytes
/// (CURLINFO_SIZE_DOWNLOAD). Owned by one engine thread; one per connection, reset()
/// before each response.
class Http1Response {
public:
  enum class State { reading, complete, error };

  /// At most this much of a body is kept by capture (the rest is counted, not kept).
  static constexpr size_t kMaxKeptBody = 8u << 20;
  /// Header capture stops adding once it holds this much (like the engine's curl callback).
  static constexpr size_t kMaxKeptHeaders = 64u << 10;

  Http1Response();

  /// Prepares for the next response; `head` when the request was HEAD (no body follows).
  /// Capture is off until set_capture().
  void reset(bool head);
  /// Keeps the body (up to kMaxKeptBody) in `*body` and the head in `*headers` exactly as
  /// curl's header callback hands it over: status line, header lines and the blank line,
  /// as received; a 1xx head is replaced by the next one. Null: not kept. The strings are
  /// appended to (the caller clears them) and must outlive the response.
  void set_capture(std::string* body, std::string* headers);
  /// Feeds bytes that arrived; returns how many belong to this response (all of them
  /// unless it completed inside `data`). Does nothing once complete or in error.
  size_t feed(const char* data, size_t size);
  /// The server closed the connection: completes a response delimited by the close, and
  /// makes any other unfinished response an error ("closed mid-response").
  void on_eof();

  State state() const { return state_; }
  /// The final response's status (0 before its status line).
  int status() const { return status_; }
  /// The status of the last status line read, 1xx included (what curl reports as
  /// CURLINFO_RESPONSE_CODE when a transfer fails after it); 0 before any.
  int last_status() const { return last_status_; }
  /// 11 or 10: the HTTP version of the last status line read (0 before any).
  uint16_t http_version() const { return version_; }
  /// Body bytes received (after de-chunking), of the final response.
  uint64_t body_bytes() const { return body_bytes_; }
  /// Head bytes received, every head (1xx included) with its line ends and blank line;
  /// complete lines only (a line cut short is not counted, as in curl's header size).
  uint64_t head_bytes() const { return head_bytes_; }
  /// True when the connection may carry the next request (HTTP/1.1 without
  /// `Connection: close`, or HTTP/1.0 with keep-alive). Meaningful once complete.
  bool keep_alive() const { return keep_alive_; }
  /// What was wrong, once in error (the parser's own description).
  const std::string& error() const { return error_; }

private:
  enum class Pause : uint8_t { none, headers, message };

  static int on_status(http_parser* p, const char*, size_t);
  static int on_headers_complete(http_parser* p);
  static int on_body(http_parser* p, const char* at, size_t n);
  static int on_message_complete(http_parser* p);
  static const http_parser_settings& settings();
  void fail(const char* why);
  void count_head(const char* data, size_t n);

  http_parser parser_{};
  State state_ = State::reading;
  Pause pause_ = Pause::none;
  bool head_ = false;
  bool interim_ = false;  // the message being read is a 1xx to skip
  bool in_head_ = true;   // the bytes being read belong to a head
  uint16_t version_ = 0;
  int status_ = 0;
  int last_status_ = 0;
  uint64_t body_bytes_ = 0;
  uint64_t head_bytes_ = 0;       // complete head lines
  uint64_t head_line_bytes_ = 0;  // of the head line being read
  std::string partial_line_;      // that line, while headers are captured
  bool keep_alive_ = false;
  std::string* keep_body_ = nullptr;
  std::string* keep_headers_ = nullptr;
  std::string error_;
};

}  // namespace grid::agent

#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace grid::target {

// Largest request head (request line, headers and the blank line) the target accepts.
// Longer heads are rejected with 431.
inline constexpr std::size_t kMaxHeadBytes = 16 * 1024;

// Largest Content-Length accepted; bodies are discarded as they stream in, so this only
// guards against overflow and absurd values.
inline constexpr std::uint64_t kMaxContentLength = std::uint64_t{1} << 40;

// The parts of an HTTP/1.x request head the target acts on. The views point into the
// buffer given to parse_request_head and are valid only as long as it is.
struct HttpRequestHead {
  std::string_view method;
  // Request target as sent, in origin form ("/path?query"); always starts with '/'.
  std::string_view target;
  // 0 for HTTP/1.0, 1 for HTTP/1.1 (and any later 1.x, which is served as 1.1).
  int minor_version = 1;
  // Body bytes that follow the head (0 when there is no Content-Length).
  std::uint64_t content_length = 0;
  // Whether the connection may stay open after the response, from the version and the
  // Connection header.
  bool keep_alive = true;
  // "Expect: 100-continue" on an HTTP/1.1 request: the client waits for an interim
  // 100 response before sending its body.
  bool expect_continue = false;
  // The head exactly as received, from the request line through the blank line that ends
  // it (line endings as sent; blank lines before the request line are not included).
  std::string_view raw;
};

enum class ParseStatus {
  // A whole head was parsed: see head and head_bytes.
  complete,
  // No blank line yet and the input is still below the head limit: read more.
  incomplete,
  // The request cannot be served: answer error_status and close the connection.
  error,
};

struct ParseResult {
  ParseStatus status = ParseStatus::incomplete;
  // complete: bytes of input taken by the head, including any leading blank lines.
  std::size_t head_bytes = 0;
  // error: 400 (malformed), 411 (Transfer-Encoding), 431 (head too large) or
  // 505 (HTTP major version other than 1).
  int error_status = 0;
  // error: a short human-readable reason for the response body (static storage).
  std::string_view error_reason;
  HttpRequestHead head;
};

// Parses one request head from the start of `input` (the bytes received so far).
// Lines end in CRLF or a bare LF; blank lines before the request line are skipped.
// Only origin-form targets of visible ASCII are accepted. Never reads past `input`.
// @return complete with the head, incomplete when more bytes are needed, or error.
//         A head larger than max_head_bytes is an error 431 even before it is complete.
ParseResult parse_request_head(std::string_view input, std::size_t max_head_bytes = kMaxHeadBytes);

}  // namespace grid::target

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <msgpack.hpp>

#include "protocol/wire/wire_enum.hpp"

namespace grid::wire {

/// Inclusive range of HTTP status codes a request expects; anything else is a failure.
struct StatusRange {
  uint16_t low = 200;
  uint16_t high = 399;
  bool contains(long code) const { return code >= low && code <= high; }
  bool operator==(const StatusRange&) const = default;
  MSGPACK_DEFINE(low, high)
};

/// What a check looks at in a response body.
enum class CheckKind : uint8_t {
  contains = 0,     // the body contains `text`
  regex = 1,        // the body matches the ECMAScript regex `text` (search, not full match)
  json_equals = 2,  // the JSON value at pointer `path` equals `text` (strings compare unquoted)
};
template <>
inline constexpr bool kWireEnum<CheckKind> = true;

/// One response check; a response that fails it is a failure of kind `assertion`.
struct Check {
  CheckKind kind = CheckKind::contains;
  std::string text;  // needle, regex, or the expected JSON value as written
  std::string path;  // JSON pointer (json_equals)
  bool operator==(const Check&) const = default;
  MSGPACK_DEFINE(kind, text, path)
};

/// Where an extracted variable comes from.
enum class ExtractKind : uint8_t {
  regex = 0,   // first capture group (or the whole match) of `source` in the body
  json = 1,    // the value at JSON pointer `source` (strings unquoted, others as JSON)
  header = 2,  // the response header named `source` (case-insensitive)
};
template <>
inline constexpr bool kWireEnum<ExtractKind> = true;

/// Sets variable `variable` of the user from the response, for its later steps.
struct Extract {
  std::string variable;
  ExtractKind kind = ExtractKind::regex;
  std::string source;
  bool operator==(const Extract&) const = default;
  MSGPACK_DEFINE(variable, kind, source)
};

enum class HttpVersion : uint8_t {
  http1_1 = 0,  // HTTP/1.1 (https: offers only http/1.1 in ALPN)
  http2 = 1,    // HTTP/2: h2 by ALPN over TLS, h2c by prior knowledge over http://
};
template <>
inline constexpr bool kWireEnum<HttpVersion> = true;

/// Which transport performs a request (docs/adr/0016).
enum class TransportChoice : uint8_t {
  automatic = 0,  // native wherever the request needs nothing only libcurl has, else curl
  curl = 1,       // libcurl, always
  native = 2,     // the native HTTP/1.1 client (plain http:// only)
};
template <>
inline constexpr bool kWireEnum<TransportChoice> = true;

/// One named HTTP request as the campaign defines it; part of the plan sent to agents.
/// `url`, `headers` and `body` may hold `${variable}` placeholders (agent/template.hpp);
/// `${env.NAME}` and `body_file` were resolved by the broker before the plan was made.
struct RequestSpec {
  std::string name;
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  uint32_t timeout_ms = 10'000;  // whole request, connect to last byte
  StatusRange expect_status;     // used when `expect` is empty (older peers send only this)
  // Appended in 0.3 (append-only, see messages.hpp):
  std::vector<StatusRange> expect;  // any of these codes or ranges is a success
  std::vector<Check> checks;        // all must pass
  std::vector<Extract> extracts;    // applied to a response that passed
  HttpVersion http = HttpVersion::http1_1;
  bool tls_verify = true;  // verify the server's certificate and host name
  std::string ca_pem;      // CA certificates (PEM) to verify against; empty = the system's
  // Appended in issue 9:
  TransportChoice transport = TransportChoice::automatic;
  bool operator==(const RequestSpec&) const = default;
  MSGPACK_DEFINE(name, method, url, headers, body, timeout_ms, expect_status, expect, checks, extracts, http,
                 tls_verify, ca_pem, transport)

  /// True when `code` is an expected status.
  bool expects(long code) const {
    if (expect.empty()) return expect_status.contains(code);
    for (const auto& r : expect) {
      if (r.contains(code)) return true;
    }
    return false;
  }
  /// True when a response's body must be kept (checks or extraction need it).
  bool needs_body() const {
    if (!checks.empty()) return true;
    for (const auto& e : extracts) {
      if (e.kind != ExtractKind::header) return true;
    }
    return false;
  }
  /// True when response headers must be kept (a header extraction needs them).
  bool needs_headers() const {
    for (const auto& e : extracts) {
      if (e.kind == ExtractKind::header) return true;
    }
    return false;
  }
};

}  // namespace grid::wire

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/common/result.hpp"

namespace grid::agent {

/// Where a plain `http://` URL sends its request: the address to connect to and the
/// request target, as the native HTTP/1.1 transport needs them (issue 9).
struct Http1Target {
  std::string host;  // name or address to connect to (IPv6 without brackets)
  uint16_t port = 80;
  std::string host_header;  // "host" or "host:port" as the Host header carries it
  std::string path;         // origin-form request target: "/path?query" ("/" when empty)
  bool operator==(const Http1Target&) const = default;
};

/// Splits a plain `http://` URL (curl's URL parser, so both transports read a URL the
/// same way). Errors name the URL and what is wrong: not http (https and others are
/// curl's), no host, a user name or password (curl's), a malformed URL. Pure.
common::Result<Http1Target> http1_target(const std::string& url);

/// The bytes of one HTTP/1.1 request, serialised once per request definition (and once
/// per render for templated ones): the request line, `Host` and `Accept: */*` as curl
/// sends them unless `headers` ("Name: value") set their own or remove them ("Name:"),
/// the other headers in order, then for anything but a bodiless GET or HEAD (what the
/// engine gives curl as POSTFIELDS) `Content-Length` and, unless the headers name a type,
/// curl's `Content-Type: application/x-www-form-urlencoded`; then the body. Never
/// `Expect: 100-continue`. Byte for byte what libcurl sends (a test compares). Pure.
std::string http1_request(const std::string& method, const Http1Target& target, const std::vector<std::string>& headers,
                          const std::string& body);

}  // namespace grid::agent

#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/common/result.hpp"

namespace grid::agent {

/// An IPv4 or IPv6 address. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is held as the
/// IPv4 address a.b.c.d, so that it matches IPv4 patterns and never IPv6 ones. Pure.
struct IpAddress {
  bool v4 = true;
  std::array<uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

  /// A dotted quad (exactly four decimal parts) or an IPv6 address (no brackets, no
  /// zone); std::nullopt for anything else.
  static std::optional<IpAddress> parse(std::string_view text);
  /// From the raw bytes of a sockaddr_in (4) or sockaddr_in6 (16) address.
  static IpAddress from_v4(const uint8_t* four);
  static IpAddress from_v6(const uint8_t* sixteen);
  unsigned bits() const { return v4 ? 32 : 128; }
  std::string to_string() const;
  bool operator==(const IpAddress&) const = default;
};

/// One `--allow-target` pattern. Forms (PORT: 1-65535; without it, any port):
///   api.example.test[:PORT]      a host name, exact, case-insensitive (a trailing dot ignored)
///   *.example.test[:PORT]        any name ending in .example.test (not example.test itself)
///   *[:PORT]                     any host name (IP literals still need an address pattern)
///   10.1.2.3[:PORT]              an IPv4 address
///   10.0.0.0/8[:PORT]            an IPv4 network (host bits must be zero)
///   ::1  fd00::/8                an IPv6 address or network, bare (no port)
///   [::1]:PORT  [fd00::/8]:PORT  the same with a port
struct TargetPattern {
  enum class Kind : uint8_t { name, suffix, any_name, network };
  Kind kind = Kind::name;
  std::string name;              // name: lower case, no trailing dot; suffix: ".example.test"
  IpAddress network;             // network: the address with host bits zero
  unsigned prefix = 0;           // network: prefix length (32 or 128 for one address)
  std::optional<uint16_t> port;  // none: any port
  std::string text;              // as written

  /// True for a host name pattern that allows `host` (lower case, no trailing dot).
  bool matches_name(std::string_view host, uint16_t port) const;
  /// True for an address pattern that holds `address`.
  bool matches_address(const IpAddress& address, uint16_t port) const;
};

/// Parses one pattern. Never throws: the error quotes the pattern, says what is wrong and
/// gives examples.
common::Result<TargetPattern> parse_target_pattern(std::string_view text);

/// The hosts an agent may send traffic to: a list of TargetPatterns. A host written as an
/// IP address is allowed by address patterns; a host name by name patterns. When a
/// connection is made, its address is checked too: a host name allowed by a name pattern
/// may connect to any address it resolves to; any other connection's address must be in
/// an address pattern. Pure; see docs/adr/0013.
class TargetAllowlist {
public:
  /// Loopback only: 127.0.0.0/8, ::1 and localhost (the default of `loadgrid agent` and
  /// `loadgrid run`).
  TargetAllowlist();

  /// Parses `patterns` (at least one). The error names the first malformed pattern.
  static common::Result<TargetAllowlist> parse(const std::vector<std::string>& patterns);

  /// Whether a request may target `host` (as written in a URL: a name, an IPv4 address
  /// or an IPv6 address with or without brackets) on `port`, before any connection.
  bool allows_host(std::string_view host, uint16_t port) const;

  /// Whether a connection to `address:port`, made for a URL whose host is `host`, is
  /// allowed. `host` may be empty (unknown): then only the address counts.
  bool allows_connection(std::string_view host, const IpAddress& address, uint16_t port) const;

  /// The patterns as written, comma-separated, for messages.
  std::string describe() const;
  const std::vector<TargetPattern>& patterns() const { return patterns_; }

private:
  explicit TargetAllowlist(std::vector<TargetPattern> patterns) : patterns_(std::move(patterns)) {}
  bool name_allowed(std::string_view host, uint16_t port) const;
  bool address_allowed(const IpAddress& address, uint16_t port) const;

  std::vector<TargetPattern> patterns_;
};

/// The host and port a URL targets: `scheme://[userinfo@]host[:port]...`, the host as
/// written (an IPv6 address without its brackets), the port given or the scheme's
/// (http 80, https 443). std::nullopt when `url` is not an http(s) URL with a host.
struct UrlTarget {
  std::string host;
  uint16_t port = 0;
  bool operator==(const UrlTarget&) const = default;
};
std::optional<UrlTarget> url_target(std::string_view url);

}  // namespace grid::agent

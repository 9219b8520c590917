#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace grid::target {

// A host and port to listen on, as given by --listen.
struct ListenAddress {
  // Numeric IPv4/IPv6 address (without brackets) or a host name.
  std::string host;
  std::uint16_t port = 0;
};

// Parses "HOST:PORT" or "[IPV6]:PORT" (port 0..65535, decimal). An IPv6 address must be
// bracketed. Does not resolve the host.
// @return the address, or nullopt when the text does not have that shape.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// "host:port", or "[host]:port" when host contains ':' (IPv6), for messages.
std::string format_host_port(std::string_view host, std::uint16_t port);

}  // namespace grid::target

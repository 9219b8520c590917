#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "target/file_descriptor.hpp"

namespace grid::target {

// Non-blocking listening sockets that share one address through SO_REUSEPORT, one per
// worker thread, so the kernel spreads new connections across workers without locks.
struct ListenerGroup {
  std::vector<FileDescriptor> sockets;
  // The bound port (the ephemeral one chosen when 0 was asked for).
  std::uint16_t port = 0;
};

// Resolves `host` (preferring an IPv4 address when a name has several), checks that no
// other socket (SO_REUSEPORT or not) holds the port, then binds and listens `count` sockets
// on it.
// @throws std::runtime_error naming host:port and the reason when any step fails.
ListenerGroup open_listener_group(const std::string& host, std::uint16_t port, unsigned count);

}  // namespace grid::target

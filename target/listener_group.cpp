#include "target/listener_group.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "target/listen_address.hpp"

namespace grid::target {
namespace {

[[noreturn]] void fail(const std::string& host, std::uint16_t port, std::string_view reason) {
  throw std::runtime_error("cannot listen on " + format_host_port(host, port) + ": " + std::string(reason));
}

void set_port(sockaddr_storage& address, std::uint16_t port) {
  if (address.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6&>(address).sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in&>(address).sin_port = htons(port);
  }
}

sockaddr_storage resolve(const std::string& host, std::uint16_t port, socklen_t& length) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    fail(host, port, ::gai_strerror(rc));
  }
  // A name such as "localhost" may resolve to ::1 first; prefer IPv4, which is what
  // clients given the same name most often try.
  const addrinfo* chosen = found;
  for (const addrinfo* candidate = found; candidate != nullptr; candidate = candidate->ai_next) {
    if (candidate->ai_family == AF_INET) {
      chosen = candidate;
      break;
    }
  }
  sockaddr_storage address{};
  std::memcpy(&address, chosen->ai_addr, chosen->ai_addrlen);
  length = chosen->ai_addrlen;
  ::freeaddrinfo(found);
  set_port(address, port);
  return address;
}

// A bound (not yet listening) socket; SO_REUSEPORT only when joining a group.
FileDescriptor bind_socket(const sockaddr_storage& address, socklen_t length, bool reuse_port, const std::string& host,
                           std::uint16_t port) {
  FileDescriptor fd(::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) fail(host, port, std::strerror(errno));
  const int on = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (reuse_port && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) {
    fail(host, port, std::strerror(errno));
  }
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    fail(host, port, std::strerror(errno));
  }
  return fd;
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
}

}  // namespace

ListenerGroup open_listener_group(const std::string& host, std::uint16_t port, unsigned count) {
  socklen_t length = 0;
  sockaddr_storage address = resolve(host, port, length);

  // A plain bind first: it fails if anyone holds the port, including another SO_REUSEPORT
  // group that ours would otherwise silently join. It also picks the ephemeral port.
  ListenerGroup group;
  {
    const FileDescriptor probe = bind_socket(address, length, false, host, port);
    group.port = bound_port(probe.get());
  }
  set_port(address, group.port);
  for (unsigned i = 0; i < count; ++i) {
    FileDescriptor fd = bind_socket(address, length, true, host, group.port);
    if (::listen(fd.get(), SOMAXCONN) != 0) fail(host, group.port, std::strerror(errno));
    group.sockets.push_back(std::move(fd));
  }
  return group;
}

}  // namespace grid::target

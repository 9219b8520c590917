#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>

namespace grid::test {

/// A loopback TCP port that refuses every connection for as long as the object lives: a
/// socket bound to 127.0.0.1:0 that never listens. The port stays taken meanwhile, so no
/// other process (or parallel test) can start listening there, unlike a port probed and
/// released.
class RefusedPort {
public:
  RefusedPort() : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
      close(fd_);
      throw std::runtime_error("cannot bind 127.0.0.1:0");
    }
    port_ = ntohs(address.sin_port);
  }
  ~RefusedPort() { close(fd_); }
  RefusedPort(const RefusedPort&) = delete;
  RefusedPort& operator=(const RefusedPort&) = delete;

  uint16_t port() const { return port_; }

private:
  int fd_;
  uint16_t port_ = 0;
};

}  // namespace grid::test

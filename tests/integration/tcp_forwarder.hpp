#pragma once

// A loopback TCP forwarder, so that children can keep one parent address while the parent
// process behind it is replaced (each new broker binds new ephemeral ports).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

namespace grid::test {

/// Listens on 127.0.0.1:0 for its whole life and pipes every connection it accepts to
/// 127.0.0.1:upstream, byte for byte in both directions. It stands for a parent's fixed
/// address across parent restarts without releasing a port and hoping to get it back.
///
/// When an upstream connection ends, the upstream process is taken to be gone: the
/// upstream is cleared (never reconnected to a port someone else may hold by now) and the
/// downstream side is closed. Until set_upstream() names the next parent, connections are
/// accepted and closed at once, and ZeroMQ peers simply reconnect later.
class TcpForwarder {
public:
  TcpForwarder() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = loopback(0);
    socklen_t size = sizeof address;
    if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0 || listen(listen_fd_, 64) != 0 ||
        pipe2(wake_, O_CLOEXEC) != 0) {
      throw std::runtime_error("tcp forwarder: cannot listen on 127.0.0.1:0");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~TcpForwarder() {
    stop_ = true;
    const char byte = 0;
    [[maybe_unused]] const auto ignored = write(wake_[1], &byte, 1);
    thread_.join();
    for (const auto& p : pairs_) {
      close(p.down);
      close(p.up);
    }
    close(listen_fd_);
    close(wake_[0]);
    close(wake_[1]);
  }
  TcpForwarder(const TcpForwarder&) = delete;
  TcpForwarder& operator=(const TcpForwarder&) = delete;

  /// The port children connect to.
  uint16_t port() const { return port_; }
  /// Where new connections go from now on; 0 refuses them.
  void set_upstream(uint16_t port) { upstream_ = port; }

private:
  struct Pair {
    int down;
    int up;
    uint16_t upstream;
  };

  static sockaddr_in loopback(uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
  }

  void accept_one() {
    const int down = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (down < 0) return;
    const uint16_t upstream = upstream_;
    if (upstream == 0) {
      close(down);
      return;
    }
    const int up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const sockaddr_in address = loopback(upstream);
    if (up < 0 || connect(up, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      if (up >= 0) close(up);
      close(down);
      return;
    }
    pairs_.push_back({down, up, upstream});
  }

  /// Copies what `from` has to `to`; false when the connection is over.
  static bool pump(int from, int to) {
    char buffer[65536];
    const ssize_t got = recv(from, buffer, sizeof buffer, 0);
    if (got <= 0) return got < 0 && errno == EINTR;
    for (ssize_t sent = 0; sent < got;) {
      const ssize_t n = send(to, buffer + sent, static_cast<size_t>(got - sent), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += n;
    }
    return true;
  }

  void run() {
    while (!stop_) {
      std::vector<pollfd> fds = {{wake_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
      for (const auto& p : pairs_) {
        fds.push_back({p.down, POLLIN, 0});
        fds.push_back({p.up, POLLIN, 0});
      }
      if (poll(fds.data(), fds.size(), 1000) < 0) continue;  // EINTR
      if (fds[1].revents & POLLIN) accept_one();
      std::vector<Pair> kept;
      for (size_t i = 0; i + 2 < fds.size(); i += 2) {
        const Pair& p = pairs_[i / 2];
        const bool down_ok = !fds[i + 2].revents || pump(p.down, p.up);
        const bool up_ok = !fds[i + 3].revents || pump(p.up, p.down);
        if (down_ok && up_ok) {
          kept.push_back(p);
          continue;
        }
        // The upstream process closed (exited): never connect to its port again.
        if (!up_ok) {
          uint16_t expected = p.upstream;
          upstream_.compare_exchange_strong(expected, 0);
        }
        close(p.down);
        close(p.up);
      }
      // Pairs accepted during this pass were not polled yet: keep them too.
      for (size_t i = (fds.size() - 2) / 2; i < pairs_.size(); ++i) kept.push_back(pairs_[i]);
      pairs_ = std::move(kept);
    }
  }

  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::atomic<uint16_t> upstream_{0};
  std::atomic<bool> stop_{false};
  std::vector<Pair> pairs_;  // owned by the thread while it runs
  std::thread thread_;
};

}  // namespace grid::test

#pragma once

// A raw TCP server on 127.0.0.1:0 that plays a script on each connection it accepts, each
// connection on a thread of its own: for transport tests that need a misbehaving server
// (a chunked or close-delimited body, a close mid-response, a reset, silence, an idle
// keep-alive connection closed). Counts the connections it accepted.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace grid::test {

class ScriptedServer {
public:
  /// Plays `script(fd, n)` on the n-th accepted connection (from 0), then closes it.
  using Script = std::function<void(int fd, unsigned n)>;

  explicit ScriptedServer(Script script) : script_(std::move(script)) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof a;
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), size) != 0 || listen(listen_fd_, 64) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &size) != 0) {
      close(listen_fd_);
      throw std::runtime_error("cannot listen on 127.0.0.1:0");
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedServer() {
    stopping_ = true;
    shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
    thread_.join();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      for (int fd : open_) shutdown(fd, SHUT_RDWR);  // wakes scripts blocked on their peer
    }
    for (auto& t : connections_) t.join();
    close(listen_fd_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  unsigned accepted() const { return accepted_.load(); }
  bool stopping() const { return stopping_.load(); }

  /// Reads one request head (up to the blank line); false when the peer closed first.
  static bool read_head(int fd) {
    std::string seen;
    char c;
    while (seen.size() < 65536) {
      const ssize_t n = recv(fd, &c, 1, 0);
      if (n <= 0) return false;
      seen += c;
      if (seen.size() >= 4 && seen.compare(seen.size() - 4, 4, "\r\n\r\n") == 0) return true;
    }
    return false;
  }
  static void write_all(int fd, const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = send(fd, text.data() + done, text.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }
  /// Waits until the peer closes (or the server stops, or 30 s pass): a silent server.
  void wait_for_close(int fd) const {
    for (int i = 0; i < 300 && !stopping_; ++i) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 100) > 0) {
        char buf[4096];
        if (recv(fd, buf, sizeof buf, 0) <= 0) return;
      }
    }
  }
  /// Closes with a reset (SO_LINGER 0) instead of a FIN.
  static void reset(int fd) {
    linger l{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  }

private:
  void serve() {
    for (unsigned n = 0;; ++n) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) return;
      ++accepted_;
      std::lock_guard<std::mutex> lock(mutex_);
      open_.insert(fd);
      connections_.emplace_back([this, fd, n] {
        script_(fd, n);
        std::lock_guard<std::mutex> done(mutex_);
        open_.erase(fd);
        close(fd);
      });
    }
  }

  Script script_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<unsigned> accepted_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::mutex mutex_;
  std::set<int> open_;  // connections whose script runs
  std::vector<std::thread> connections_;
};

}  // namespace grid::test

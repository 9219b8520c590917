#include "support/scripted_http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace grid::test {
namespace {

using Clock = std::chrono::steady_clock;

// How long a graceful close waits for the peer's FIN before closing anyway.
constexpr int kLingerMs = 1000;
// A request head larger than this closes the connection (no test sends one).
constexpr size_t kMaxHead = 64 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The Content-Length of a request head, 0 when it has none (or a malformed one).
uint64_t content_length(std::string_view head) {
  const std::string h = lower(head);
  const size_t at = h.find("\r\ncontent-length:");
  if (at == std::string::npos) return 0;
  size_t i = at + 17;
  while (i < h.size() && h[i] == ' ') ++i;
  uint64_t n = 0;
  while (i < h.size() && h[i] >= '0' && h[i] <= '9') n = n * 10 + static_cast<uint64_t>(h[i++] - '0');
  return n;
}

const char* reason_of(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 103:
      return "Early Hints";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 404:
      return "Not Found";
    case 503:
      return "Service Unavailable";
    default:
      return "Whatever";
  }
}

}  // namespace

std::string response_head(int status, const std::vector<std::string>& headers, std::string_view version) {
  std::string out(version);
  out += " " + std::to_string(status) + " " + reason_of(status) + "\r\n";
  for (const auto& h : headers) out += h + "\r\n";
  return out + "\r\n";
}

std::string response(int status, std::string_view body, std::vector<std::string> headers) {
  headers.push_back("Content-Length: " + std::to_string(body.size()));
  return response_head(status, headers) + std::string(body);
}

std::string chunked(std::string_view body, size_t chunk) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t at = 0; at < body.size(); at += chunk) {
    const size_t n = std::min(chunk, body.size() - at);
    std::string size;
    for (size_t v = n; v > 0; v /= 16) size.insert(size.begin(), kHex[v % 16]);
    out += size + "\r\n";
    out.append(body.substr(at, n));
    out += "\r\n";
  }
  return out + "0\r\n\r\n";
}

std::string filler(size_t n) {
  std::string out(n, 'x');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (i * 7 + i / 26) % 26);
  return out;
}

ScriptedHttpServer::ScriptedHttpServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (listen_fd_ < 0 || stop_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::listen(listen_fd_, 64) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    const std::string error = std::strerror(errno);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    if (stop_fd_ >= 0) ::close(stop_fd_);
    throw std::runtime_error("ScriptedHttpServer: cannot listen on 127.0.0.1:0: " + error);
  }
  port_ = ntohs(address.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

ScriptedHttpServer::~ScriptedHttpServer() {
  stop();
  ::close(listen_fd_);
  ::close(stop_fd_);
}

void ScriptedHttpServer::on(std::string path, Responder responder) {
  std::lock_guard lock(mutex_);
  scripts_[std::move(path)] = std::move(responder);
}

void ScriptedHttpServer::on(std::string path, Script script) {
  on(std::move(path), [script = std::move(script)](const ScriptedRequest&) { return script; });
}

std::string ScriptedHttpServer::url(std::string_view path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void ScriptedHttpServer::stop() {
  if (stopping_.exchange(true)) return;
  const uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(stop_fd_, &one, sizeof one);
  if (acceptor_.joinable()) acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

bool ScriptedHttpServer::wait_for(int fd, short events, int timeout_ms) const {
  pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {fd, events, 0}};
  const int n = ::poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
  if (stopping_.load() || (fds[0].revents & POLLIN)) return false;
  return n != 0 || timeout_ms >= 0;  // n < 0 (EINTR): the caller's recv or send retries
}

void ScriptedHttpServer::accept_loop() {
  while (wait_for(listen_fd_, POLLIN, -1)) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) continue;
    ++connections_;
    // Each send goes out at once: Nagle would hold a second small write until the client's
    // delayed ACK (40 ms), which would show up in every latency.
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    std::lock_guard lock(mutex_);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

bool ScriptedHttpServer::write_all(int fd, std::string_view bytes) const {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!wait_for(fd, POLLOUT, -1)) return false;
    } else {
      return false;
    }
  }
  return true;
}

void ScriptedHttpServer::close_gracefully(int fd) const {
  ::shutdown(fd, SHUT_WR);
  const auto deadline = Clock::now() + std::chrono::milliseconds(kLingerMs);
  char sink[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || !wait_for(fd, POLLIN, static_cast<int>(left))) break;
    const ssize_t n = ::recv(fd, sink, sizeof sink, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) break;
  }
  ::close(fd);
}

void ScriptedHttpServer::serve(int fd) {
  std::string input;
  char buffer[16384];
  for (uint64_t index = 0;; ++index) {
    // Read a whole head (and its body, discarded).
    size_t end = std::string::npos;
    while ((end = input.find("\r\n\r\n")) == std::string::npos) {
      if (input.size() > kMaxHead || !wait_for(fd, POLLIN, -1)) return (void)::close(fd);
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return (void)::close(fd);
      if (n > 0) input.append(buffer, static_cast<size_t>(n));
    }
    ScriptedRequest request;
    request.head = input.substr(0, end + 4);
    request.index_on_connection = index;
    input.erase(0, end + 4);
    const size_t sp1 = request.head.find(' ');
    const size_t sp2 = request.head.find(' ', sp1 + 1);
    request.method = request.head.substr(0, sp1);
    const std::string target = request.head.substr(sp1 + 1, sp2 - sp1 - 1);
    request.path = target.substr(0, target.find('?'));
    uint64_t body = content_length(request.head);
    while (body > 0) {
      if (!input.empty()) {
        const size_t take = static_cast<size_t>(std::min<uint64_t>(body, input.size()));
        input.erase(0, take);
        body -= take;
        continue;
      }
      if (!wait_for(fd, POLLIN, -1)) return (void)::close(fd);
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return (void)::close(fd);
      if (n > 0) input.append(buffer, static_cast<size_t>(n));
    }
    ++requests_;

    Script script;
    {
      std::lock_guard lock(mutex_);
      const auto it = scripts_.find(request.path);
      if (it != scripts_.end()) script = it->second(request);
    }
    if (script.empty()) script = {ScriptStep::send(response(404, "no script for this path\n"))};
    for (const ScriptStep& step : script) {
      switch (step.kind) {
        case ScriptStep::Kind::send:
          if (!write_all(fd, step.bytes)) return (void)::close(fd);
          break;
        case ScriptStep::Kind::pause:
          if (!wait_for(-1, 0, static_cast<int>(step.pause.count()))) return (void)::close(fd);
          break;
        case ScriptStep::Kind::close:
          return close_gracefully(fd);
        case ScriptStep::Kind::reset: {
          const linger hard{1, 0};
          ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
          return (void)::close(fd);
        }
        case ScriptStep::Kind::hold:
          for (;;) {
            if (!wait_for(fd, POLLIN, -1)) return (void)::close(fd);
            const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return (void)::close(fd);
          }
      }
    }
  }
}

}  // namespace grid::test

#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace grid::target::testing {

// A response as read off the wire. Header names are lower-cased.
struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;

  std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// "METHOD target HTTP/1.1" with a Host header, `extra_headers` (each ending in "\r\n")
// and `body` (Content-Length is added when it is not empty).
inline std::string make_request(std::string_view method, std::string_view target, std::string_view extra_headers = "",
                                std::string_view body = "", std::string_view version = "HTTP/1.1") {
  std::string request;
  request.append(method).append(" ").append(target).append(" ").append(version);
  request.append("\r\nHost: test\r\n").append(extra_headers);
  if (!body.empty()) request.append("Content-Length: " + std::to_string(body.size()) + "\r\n");
  request.append("\r\n").append(body);
  return request;
}

inline std::string get(std::string_view target, std::string_view extra_headers = "") {
  return make_request("GET", target, extra_headers);
}

// A tiny blocking HTTP/1.1 client over IPv4 loopback for tests. Every read is bounded by
// `timeout` (SO_RCVTIMEO), so a misbehaving server fails a test instead of hanging it.
// Errors (connect failure, timeout, unexpected EOF, unparsable response) throw.
class HttpTestClient {
public:
  explicit HttpTestClient(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket failed");
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    const int on = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      throw std::runtime_error(std::string("connect failed: ") + std::strerror(errno));
    }
  }
  ~HttpTestClient() { ::close(fd_); }
  HttpTestClient(const HttpTestClient&) = delete;
  HttpTestClient& operator=(const HttpTestClient&) = delete;

  // Sends every byte (or throws). Returns false instead if the server already closed.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent < 0) {
        if (errno == EINTR) continue;
        if (errno == EPIPE || errno == ECONNRESET) return false;
        throw std::runtime_error(std::string("send failed: ") + std::strerror(errno));
      }
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
  }

  // Half-closes: the server sees EOF after what was sent.
  void shutdown_send() { ::shutdown(fd_, SHUT_WR); }

  // Reads one response whose body is framed by Content-Length (as all target responses
  // are). `head_only` for responses to HEAD, which announce a length but carry no body.
  HttpResponse read_response(bool head_only = false) {
    std::size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) fill_or_throw();
    HttpResponse response;
    const std::string head = buffer_.substr(0, head_end + 2);
    buffer_.erase(0, head_end + 4);
    if (head.compare(0, 9, "HTTP/1.1 ") != 0) throw std::runtime_error("bad status line: " + head);
    response.status = std::stoi(head.substr(9, 3));
    std::size_t line = head.find("\r\n") + 2;
    while (line < head.size()) {
      const std::size_t end = head.find("\r\n", line);
      const std::size_t colon = head.find(':', line);
      std::string name = head.substr(line, colon - line);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::size_t value = colon + 1;
      while (value < end && head[value] == ' ') ++value;
      response.headers[name] = head.substr(value, end - value);
      line = end + 2;
    }
    const std::string length = response.header("content-length");
    if (length.empty()) throw std::runtime_error("response without Content-Length");
    const std::size_t body_bytes = head_only ? 0 : std::stoul(length);
    while (buffer_.size() < body_bytes) fill_or_throw();
    response.body = buffer_.substr(0, body_bytes);
    buffer_.erase(0, body_bytes);
    return response;
  }

  // Reads exactly `bytes` raw bytes (for responses read_response cannot frame).
  std::string read_exactly(std::size_t bytes) {
    while (buffer_.size() < bytes) fill_or_throw();
    std::string taken = buffer_.substr(0, bytes);
    buffer_.erase(0, bytes);
    return taken;
  }

  HttpResponse request(std::string_view bytes) {
    send(bytes);
    return read_response();
  }

  // Reads and discards until the server closes the connection.
  // @return true on EOF or reset; false if the timeout passed with the connection open.
  bool wait_for_close() {
    buffer_.clear();
    char chunk[4096];
    for (;;) {
      const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
      if (got > 0) continue;
      if (got == 0) return true;
      if (errno == EINTR) continue;
      return errno == ECONNRESET;
    }
  }

private:
  void fill_or_throw() {
    char chunk[16384];
    for (;;) {
      const ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
      if (got > 0) {
        buffer_.append(chunk, static_cast<std::size_t>(got));
        return;
      }
      if (got == 0) throw std::runtime_error("connection closed before a full response");
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("recv failed: ") + std::strerror(errno));
    }
  }

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace grid::target::testing

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace grid::test {

/// One step of a scripted answer: bytes to write, a pause, or how the connection ends.
struct ScriptStep {
  enum class Kind : uint8_t {
    send,   // write `bytes` (all of them, blocking)
    pause,  // wait `pause` (cut short only by the server stopping)
    close,  // FIN after what was written; unread input is drained so the close stays a FIN
    reset,  // RST (SO_LINGER 0): the peer sees ECONNRESET, unread bytes may be lost
    hold,   // answer nothing more; keep the connection until the client closes it
  };
  Kind kind = Kind::send;
  std::string bytes;
  std::chrono::milliseconds pause{0};

  static ScriptStep send(std::string bytes) { return {Kind::send, std::move(bytes), {}}; }
  static ScriptStep wait(std::chrono::milliseconds ms) { return {Kind::pause, {}, ms}; }
  static ScriptStep close() { return {Kind::close, {}, {}}; }
  static ScriptStep reset() { return {Kind::reset, {}, {}}; }
  static ScriptStep hold() { return {Kind::hold, {}, {}}; }
};

/// What the server does for one request, in order. A script that ends without close,
/// reset or hold leaves the connection open for the next request (keep-alive).
using Script = std::vector<ScriptStep>;

/// A request as the scripted server read it.
struct ScriptedRequest {
  std::string method;
  std::string path;                  // the request target up to '?'
  std::string head;                  // the whole head as received, request line to blank line
  uint64_t index_on_connection = 0;  // 0 for a connection's first request
};

/// An HTTP/1.1 server on an ephemeral 127.0.0.1 port that answers each path with a
/// script, for the cases a well-behaved server never produces: bodies dribbled with
/// pauses, chunked and close-delimited bodies, a close or an RST before or in the middle
/// of a response, no answer at all, idle keep-alive connections closed, interim 1xx
/// responses, malformed status lines. An unscripted path gets a 404 with a
/// Content-Length body.
///
/// It reads each request head (and discards a Content-Length body) before running the
/// script, so "before any byte" means after the request was received. One thread accepts;
/// each connection gets a thread of its own (tests open a handful). Every wait is bounded
/// by the server stopping: stop() (or the destructor) wakes every thread and joins them.
class ScriptedHttpServer {
public:
  using Responder = std::function<Script(const ScriptedRequest&)>;

  /// Binds 127.0.0.1:0, listens and starts accepting.
  /// @throws std::runtime_error when the socket cannot be made, bound or listened on.
  ScriptedHttpServer();
  /// stop().
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  /// Scripts `path` (exact match, query ignored). Thread-safe; replaces an earlier one.
  void on(std::string path, Responder responder);
  void on(std::string path, Script script);

  uint16_t port() const { return port_; }
  /// "http://127.0.0.1:PORT" + path.
  std::string url(std::string_view path) const;

  /// Connections accepted so far.
  uint64_t connections() const { return connections_.load(); }
  /// Request heads read so far (answered or not).
  uint64_t requests() const { return requests_.load(); }

  /// Closes the listener and every connection, joins every thread. Idempotent.
  void stop();

private:
  void accept_loop();
  void serve(int fd);
  /// Waits until `fd` is ready for `events` or the server stops; false when stopping.
  bool wait_for(int fd, short events, int timeout_ms) const;
  bool write_all(int fd, std::string_view bytes) const;
  /// Lingering close: FIN, then reads until the peer closes (at most 1 s), then close.
  void close_gracefully(int fd) const;

  int listen_fd_ = -1;
  int stop_fd_ = -1;  // eventfd, readable once stop() was called
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> connections_{0};
  std::atomic<uint64_t> requests_{0};
  mutable std::mutex mutex_;  // guards scripts_ and workers_
  std::map<std::string, Responder> scripts_;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

/// A response head: "HTTP/1.1 <status> <reason>\r\n", each header line, then "\r\n".
std::string response_head(int status, const std::vector<std::string>& headers = {},
                          std::string_view version = "HTTP/1.1");
/// A complete response with a Content-Length body.
std::string response(int status, std::string_view body, std::vector<std::string> headers = {});
/// `body` as chunked transfer coding in chunks of `chunk` bytes, with the last chunk.
std::string chunked(std::string_view body, size_t chunk);
/// `n` bytes of printable filler (deterministic).
std::string filler(size_t n);

}  // namespace grid::test

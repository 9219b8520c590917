#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "broker/api_router.hpp"

namespace grid::broker {

/// Where the HTTP server listens: `HOST:PORT` with an IPv4 address, `[IPv6]:PORT`, or
/// `localhost:PORT` (127.0.0.1). Port 0 = an ephemeral port.
struct HttpListen {
  std::string host;  // an IP address literal
  uint16_t port = 0;
  bool loopback = false;
};

/// Parses `--http HOST:PORT`; std::nullopt with `error` set when malformed. Pure.
std::optional<HttpListen> parse_http_listen(const std::string& spec, std::string& error);

/// Limits of the HTTP server: a client can neither grow the broker's memory nor hold
/// it for ever.
struct HttpLimits {
  size_t header_bytes = 8 * 1024;         // request line + headers; larger: 431
  size_t body_bytes = 64 * 1024;          // larger: 413
  std::chrono::seconds read_timeout{10};  // for a whole request; then the connection closes
  unsigned max_connections = 64;          // more at once are closed on accept
};

/// A small HTTP/1.1 server (Boost.Beast, docs/adr/0017) on its own thread with its own
/// io_context: one thread serves every connection asynchronously, so a slow client
/// never holds the others, and the broker's loop never waits for it. Each complete
/// request goes to `handler` (called on the server thread; it must be thread-safe with
/// respect to the rest of the process). Malformed requests get 400, oversized headers
/// 431, oversized bodies 413, and the connection closes.
class HttpServer {
public:
  using Handler = std::function<ApiResponse(const ApiRequest&)>;
  /// Binds and starts serving; throws std::runtime_error naming the address when it cannot bind.
  HttpServer(const HttpListen& listen, Handler handler, HttpLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// The address bound, `HOST:PORT` (the real port when 0 was asked for).
  std::string bound_address() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace grid::broker

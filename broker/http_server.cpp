#include "broker/http_server.hpp"

#include <atomic>
#include <charconv>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace grid::broker {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::optional<HttpListen> parse_http_listen(const std::string& spec, std::string& error) {
  const auto colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size()) {
    error = "expected HOST:PORT, got '" + spec + "'";
    return std::nullopt;
  }
  std::string host = spec.substr(0, colon);
  const std::string port_text = spec.substr(colon + 1);
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    error = "bad port '" + port_text + "' in '" + spec + "'";
    return std::nullopt;
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code bad;
  const auto address = asio::ip::make_address(host, bad);
  if (bad) {
    error = "'" + host + "' is not an IP address (in '" + spec + "')";
    return std::nullopt;
  }
  return HttpListen{host, static_cast<uint16_t>(port), address.is_loopback()};
}

namespace {

// One connection: reads requests (bounded), answers each, until the client closes, a
// limit is hit or the read times out.
class Session : public std::enable_shared_from_this<Session> {
public:
  Session(tcp::socket socket, const HttpServer::Handler& handler, const HttpLimits& limits,
          std::shared_ptr<std::atomic<unsigned>> open)
      : stream_(std::move(socket)), handler_(handler), limits_(limits), open_(std::move(open)) {}
  ~Session() { open_->fetch_sub(1); }

  void start() { read(); }

private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits_.header_bytes));
    parser_->body_limit(limits_.body_bytes);
    stream_.expires_after(limits_.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset) {
      return close();
    }
    if (ec == http::error::header_limit) return reply(api_error(431, "request headers larger than the limit"), false);
    if (ec == http::error::body_limit) return reply(api_error(413, "request body larger than the limit"), false);
    if (ec) return reply(api_error(400, "malformed request: " + ec.message()), false);
    const auto& req = parser_->get();
    ApiRequest request{std::string(req.method_string()), std::string(req.target()),
                       std::string(req[http::field::authorization])};
    reply(handler_(request), req.keep_alive());
  }

  void reply(const ApiResponse& r, bool keep_alive) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(r.status));
    res->set(http::field::server, "loadgrid");
    res->set(http::field::content_type, r.content_type);
    res->set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) res->set(name, value);
    res->keep_alive(keep_alive);
    res->body() = r.body;
    res->prepare_payload();
    stream_.expires_after(limits_.read_timeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res, keep_alive](beast::error_code ec, size_t) {
      if (ec || !keep_alive) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const HttpServer::Handler& handler_;
  const HttpLimits limits_;
  std::shared_ptr<std::atomic<unsigned>> open_;
};

}  // namespace

struct HttpServer::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  Handler handler;
  HttpLimits limits;
  std::shared_ptr<std::atomic<unsigned>> open = std::make_shared<std::atomic<unsigned>>(0);

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        if (open->fetch_add(1) >= limits.max_connections) {
          open->fetch_sub(1);
          beast::error_code ignored;
          socket.close(ignored);  // too many at once: the client may retry
        } else {
          std::make_shared<Session>(std::move(socket), handler, limits, open)->start();
        }
      }
      accept();
    });
  }
};

HttpServer::HttpServer(const HttpListen& listen, Handler handler, HttpLimits limits) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->limits = limits;
  const tcp::endpoint endpoint(asio::ip::make_address(listen.host), listen.port);
  beast::error_code ec;
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("--http: cannot listen on " + listen.host + ":" + std::to_string(listen.port) + ": " +
                             ec.message());
  }
  impl_->accept();
  thread_ = std::thread([impl = impl_.get()] { impl->io.run(); });
}

HttpServer::~HttpServer() {
  impl_->io.stop();
  if (thread_.joinable()) thread_.join();
}

std::string HttpServer::bound_address() const {
  const auto endpoint = impl_->acceptor.local_endpoint();
  const std::string host =
      endpoint.address().is_v6() ? "[" + endpoint.address().to_string() + "]" : endpoint.address().to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace grid::broker

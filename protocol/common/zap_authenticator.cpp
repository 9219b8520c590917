#include "protocol/common/zap_authenticator.hpp"

#include <array>
#include <future>
#include <iterator>

#include <zmq_addon.hpp>

#include "protocol/common/clock.hpp"
#include "protocol/common/link_security.hpp"
#include "protocol/common/log_rate_limit.hpp"
#include "protocol/common/zmq_io.hpp"

namespace grid::common {
namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";
constexpr size_t kCurveKeyBytes = 32;

std::string z85_of(const std::string& binary) {
  std::array<char, 41> out{};
  if (binary.size() != kCurveKeyBytes ||
      !zmq_z85_encode(out.data(), reinterpret_cast<const uint8_t*>(binary.data()), binary.size())) {
    return {};
  }
  return std::string(out.data(), 40);
}

std::string control_endpoint() {
  static std::atomic<uint64_t> next{0};
  return "inproc://loadgrid.zap-control." + std::to_string(next.fetch_add(1));
}

}  // namespace

ZapDecision decide_zap(const std::vector<std::string>& request, const std::set<std::string>& authorized) {
  // Request (RFC 27): version, request id, domain, address, routing id, mechanism,
  // credentials (for CURVE: the client's 32-byte public key).
  ZapDecision d;
  const std::string request_id = request.size() > 1 ? request[1] : std::string();
  const auto answer = [&](const char* code, const std::string& text) {
    d.reply = {"1.0", request_id, code, text, d.allowed ? d.client_key : std::string(), std::string()};
    return d;
  };
  if (request.size() < 6 || request[0] != "1.0") return answer("500", "malformed ZAP request");
  d.address = request[3];
  if (request[2] != kZapDomain) return answer("400", "unknown ZAP domain");
  if (request[5] != "CURVE" || request.size() != 7) return answer("400", "CURVE required");
  d.client_key = z85_of(request[6]);
  if (d.client_key.empty()) return answer("400", "malformed CURVE key");
  if (authorized.count(d.client_key) == 0) return answer("400", "key not authorised");
  d.allowed = true;
  return answer("200", "OK");
}

ZapAuthenticator::ZapAuthenticator(zmq::context_t& context, AuthorizedKeys keys, Logger log)
    : control_(context, zmq::socket_type::pair), log_(std::move(log)) {
  const std::string control = control_endpoint();
  control_.set(zmq::sockopt::linger, 0);
  control_.bind(control);
  std::promise<std::string> bound;  // "" when bound, else why not
  auto ready = bound.get_future();
  thread_ = std::thread([this, &context, control, keys = std::move(keys), bound = std::move(bound)]() mutable {
    zmq::socket_t zap(context, zmq::socket_type::rep);
    zmq::socket_t stop(context, zmq::socket_type::pair);
    zap.set(zmq::sockopt::linger, 0);
    stop.set(zmq::sockopt::linger, 0);
    try {
      stop.connect(control);
      zap.bind(kZapEndpoint);
    } catch (const zmq::error_t& e) {
      bound.set_value(std::string("cannot bind ") + kZapEndpoint +
                      " (another ZAP handler in this context?): " + e.what());
      return;
    }
    bound.set_value({});
    serve(zap, stop, keys);
  });
  const std::string error = ready.get();
  if (!error.empty()) {
    thread_.join();
    throw std::runtime_error(error);
  }
}

ZapAuthenticator::~ZapAuthenticator() {
  try {
    control_.send(zmq::str_buffer("stop"), zmq::send_flags::none);
  } catch (const zmq::error_t&) {
    // The context is terminating: the thread sees ETERM and ends by itself.
  }
  thread_.join();
}

void ZapAuthenticator::serve(zmq::socket_t& zap, zmq::socket_t& control, const AuthorizedKeys& keys) {
  LogRateLimit refusal_log;
  const Clock& clock = SystemClock::instance();
  // Errors other than ETERM are not caught: the thread ends the process (std::terminate)
  // rather than leave its endpoint unbound, which would let every CURVE client in.
  try {
    while (true) {
      // Bounded wait, though the stop message wakes it at once.
      zmq::pollitem_t items[] = {{zap.handle(), 0, ZMQ_POLLIN, 0}, {control.handle(), 0, ZMQ_POLLIN, 0}};
      poll(items, 2, std::chrono::seconds(1));
      if (items[1].revents & ZMQ_POLLIN) return;
      // A refused child gives up after one try per socket (ZeroMQ ends a connection whose
      // handshake failed), so a burst often ends inside the rate limit: say the rest.
      if (const auto n = refusal_log.flush(clock.steady_now())) {
        log_->warn("refused {} more handshake(s) of children not in {} ({} in all)", *n, keys.source, refused());
      }
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(zap, std::back_inserter(frames), zmq::recv_flags::dontwait)) continue;
      std::vector<std::string> request;
      request.reserve(frames.size());
      for (const auto& f : frames) request.push_back(f.to_string());
      const ZapDecision d = decide_zap(request, keys.keys);
      if (d.allowed) {
        allowed_.fetch_add(1, std::memory_order_relaxed);
        log_->debug("child with key {} from {} authenticated", d.client_key, d.address);
      } else {
        const uint64_t total = refused_.fetch_add(1, std::memory_order_relaxed) + 1;
        if (const auto n = refusal_log.admit(clock.steady_now())) {
          log_->warn("refused {} handshake(s) of children not in {} ({} in all); latest: key {} from {} ({})", *n,
                     keys.source, total, d.client_key.empty() ? "(none)" : d.client_key,
                     d.address.empty() ? "(unknown)" : d.address, d.reply[3]);
        }
      }
      std::vector<zmq::const_buffer> reply;
      for (const auto& part : d.reply) reply.push_back(zmq::buffer(part));
      zmq::send_multipart(zap, reply);
    }
  } catch (const zmq::error_t& e) {
    if (e.num() != ETERM) throw;
  }
}

}  // namespace grid::common

#include "agent/native_transport.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "agent/http1_exchange.hpp"
#include "agent/target_guard.hpp"
#include "agent/virtual_user.hpp"
#include "protocol/common/clock.hpp"

namespace grid::agent {
namespace {

constexpr size_t kReadBuffer = 64u << 10;
constexpr int64_t kNameTtlNs = 60'000'000'000;  // curl's DNS cache timeout
// An epoll tag holds the user id and the low bits of its connection's generation, so that
// an event for a socket closed earlier in the same batch (whose fd number a new socket
// may already have) is recognised as stale.
constexpr unsigned kGenerationBits = 24;
constexpr uint32_t kGenerationMask = (1u << kGenerationBits) - 1;

std::string address_text(const Http1Target& t) {
  const bool v6 = t.host.find(':') != std::string::npos;
  return (v6 ? "[" + t.host + "]" : t.host) + ":" + std::to_string(t.port);
}

}  // namespace

struct NativeTransport::Prepared {
  Http1Target target;
  std::string bytes;
  std::string error;  // not empty: the URL cannot be served natively (why)
};

// One user's connection and the request on it (at most one at a time).
struct NativeTransport::Connection {
  enum class Phase : uint8_t {
    idle,        // no request; the socket (if open) is kept alive for the next one
    connecting,  // a non-blocking connect is under way
    exchanging,  // writing the request and reading its response
    failed,      // ended without a socket (inside start): delivered by its timer
  };
  int fd = -1;
  uint32_t id = 0;
  uint32_t generation = 0;  // bumped for every socket opened
  Phase phase = Phase::idle;
  bool peer_closing = false;  // the server half-closed or reset: not reusable after this response
  bool allowed_any = false;   // an address of this request passed --allow-target
  uint16_t port = 0;          // where the open socket is connected (host in `host`)
  uint32_t next_address = 0;
  int connect_errno = 0;
  int64_t deadline_ns = 0;  // the request's timeout instant; 0: none (or no request)
  int64_t armed_ns = 0;     // when the user's timer fires; 0: not armed
  VirtualUser* user = nullptr;
  const CompiledRequest* req = nullptr;
  const Http1Target* target = nullptr;
  std::string host;
  std::shared_ptr<const Resolved> addresses;
  std::string refused;          // why --allow-target refused the first refused address
  std::string rendered;         // a templated request's bytes
  Http1Target rendered_target;  // and where it goes
  Http1Exchange exchange;
};

NativeTransport::NativeTransport(TransportContext ctx, const CompiledWorkload& work)
    : ctx_(std::move(ctx)), work_(work), buffer_(new char[kReadBuffer]) {
  prepared_.resize(work_.requests.size());
  for (size_t i = 0; i < work_.requests.size(); ++i) {
    const CompiledRequest& req = work_.requests[i];
    if (!req.native || !req.literal) continue;
    auto p = std::make_unique<Prepared>();
    auto target = http1_target(req.spec.url);
    if (!target) {
      p->error = target.error();
    } else {
      p->target = std::move(target).value();
      p->bytes = http1_request(req.spec.method, p->target, req.spec.headers,
                               req.spec.method == "HEAD" ? std::string() : req.spec.body);
    }
    prepared_[i] = std::move(p);
  }
}

NativeTransport::~NativeTransport() {
  for (auto& c : slots_) {
    if (c && c->fd >= 0) close(c->fd);
  }
}

void NativeTransport::reserve_users(uint32_t users) {
  ctx_.timers->reserve(ctx_.timer_kind, users);
  if (slots_.size() < users) slots_.resize(users);
}

NativeTransport::Connection& NativeTransport::slot(uint32_t id) {
  if (slots_.size() <= id) reserve_users(id + 1);
  auto& c = slots_[id];
  if (!c) {
    c = std::make_unique<Connection>();
    c->id = id;
  }
  return *c;
}

bool NativeTransport::start(VirtualUser& user, const CompiledRequest& req, bool fresh_connection) {
  Connection& c = slot(user.id);
  if (c.user) return false;  // one request per user at a time
  in_start_ = true;
  c.user = &user;
  c.req = &req;
  const bool head = req.spec.method == "HEAD";
  // The timeout: the user's timer stays armed at the earliest deadline it ever had and
  // moves on when it fires early, so keep-alive traffic re-arms it once per timeout
  // period rather than once per request (and the heap holds one entry per user).
  c.deadline_ns = req.spec.timeout_ms > 0 ? user.started_ns + int64_t{req.spec.timeout_ms} * 1'000'000 : 0;
  if (c.deadline_ns != 0 && (c.armed_ns == 0 || c.armed_ns > c.deadline_ns)) arm(c, c.deadline_ns);
  std::string* keep_body = user.capture_body ? &user.response_body : nullptr;
  std::string* keep_headers = user.capture_headers ? &user.response_headers : nullptr;

  const auto index = static_cast<size_t>(&req - work_.requests.data());
  const Prepared* p = req.literal && index < prepared_.size() ? prepared_[index].get() : nullptr;
  std::string_view bytes;
  if (p && p->error.empty()) {
    c.target = &p->target;
    bytes = p->bytes;
  } else {
    const std::string& url = req.literal ? req.spec.url : user.url;
    auto target = http1_target(url);
    if (!target) {
      c.exchange.begin({}, head, false, keep_body, keep_headers);
      fail_before_sending(c, TransferError::other, target.error());
      in_start_ = false;
      return true;
    }
    c.rendered_target = std::move(target).value();
    c.target = &c.rendered_target;
    const std::string& body = req.literal ? req.spec.body : user.body;
    c.rendered = http1_request(req.spec.method, c.rendered_target, req.literal ? req.spec.headers : user.header_lines,
                               head ? std::string() : body);
    bytes = c.rendered;
  }
  // Keep-alive: the user's connection carries the request when it goes to the same place.
  if (c.fd >= 0 && (fresh_connection || c.port != c.target->port || c.host != c.target->host)) close_socket(c);
  const bool reused = c.fd >= 0;
  c.exchange.begin(bytes, head, reused, keep_body, keep_headers);
  if (reused) {
    c.phase = Connection::Phase::exchanging;
    send_request(c, user.started_ns);
  } else {
    c.next_address = 0;
    c.allowed_any = false;
    c.refused.clear();
    c.connect_errno = 0;
    std::string error;
    c.addresses = resolve(*c.target, error);
    if (!c.addresses) {
      fail_before_sending(c, TransferError::connect, error);
    } else {
      open_next(c);
    }
  }
  in_start_ = false;
  return true;
}

std::shared_ptr<const NativeTransport::Resolved> NativeTransport::resolve(const Http1Target& target,
                                                                          std::string& error) {
  const int64_t now = common::steady_now_ns();
  std::string key = target.host;
  key += '\0';
  key += std::to_string(target.port);
  auto it = names_.find(key);
  if (it != names_.end() && it->second->expires_ns > now) return it->second;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int rc = getaddrinfo(target.host.c_str(), std::to_string(target.port).c_str(), &hints, &found);
  if (rc != 0 || !found) {
    error = "Could not resolve host: " + target.host + " (" + gai_strerror(rc) + ")";
    if (found) freeaddrinfo(found);
    return nullptr;
  }
  auto resolved = std::make_shared<Resolved>();
  for (const addrinfo* a = found; a; a = a->ai_next) {
    if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Address address{};
    std::memcpy(&address.addr, a->ai_addr, a->ai_addrlen);
    address.size = a->ai_addrlen;
    resolved->addresses.push_back(address);
  }
  freeaddrinfo(found);
  resolved->expires_ns = now + kNameTtlNs;
  names_[key] = resolved;
  return resolved;
}

// Tries the request's addresses from the next untried one until a connect is under way
// or done; when none is left, the request fails (not_allowed when --allow-target refused
// every address, else connect).
void NativeTransport::open_next(Connection& c) {
  const auto& list = c.addresses->addresses;
  while (c.next_address < list.size()) {
    const Address& a = list[c.next_address++];
    if (auto why = refuse_address(*ctx_.allowed, c.target->host, reinterpret_cast<const sockaddr*>(&a.addr), a.size)) {
      if (c.refused.empty()) c.refused = std::move(*why);
      continue;
    }
    c.allowed_any = true;
    if (connect_one(c, a)) return;
  }
  if (!c.allowed_any && !c.refused.empty()) {
    fail_before_sending(c, TransferError::not_allowed, c.refused);
  } else {
    fail_before_sending(c, TransferError::connect,
                        "Failed to connect to " + address_text(*c.target) + ": " +
                            std::strerror(c.connect_errno ? c.connect_errno : ECONNREFUSED));
  }
}

// Opens a socket to `a` and starts connecting. False when that failed at once (the next
// address is tried); true when the connect is under way or done (then the request is
// being written).
bool NativeTransport::connect_one(Connection& c, const Address& a) {
  const int fd = socket(a.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    c.connect_errno = errno;
    return false;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  const int rc = connect(fd, reinterpret_cast<const sockaddr*>(&a.addr), a.size);
  if (rc != 0 && errno != EINPROGRESS) {
    c.connect_errno = errno;
    close(fd);
    return false;
  }
  c.fd = fd;
  ++open_;
  ++c.generation;
  c.peer_closing = false;
  c.host = c.target->host;
  c.port = c.target->port;
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 =
      transport_tag(TransportId::native, (uint64_t{c.id} << kGenerationBits) | (c.generation & kGenerationMask));
  if (epoll_ctl(ctx_.epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    c.connect_errno = errno;
    close_socket(c);
    return false;
  }
  c.phase = Connection::Phase::connecting;
  if (rc == 0) {
    c.phase = Connection::Phase::exchanging;
    send_request(c, common::steady_now_ns());
  }
  return true;
}

void NativeTransport::close_socket(Connection& c) {
  if (c.fd < 0) return;
  close(c.fd);  // also leaves the epoll set (the fd is never duplicated)
  c.fd = -1;
  c.peer_closing = false;
  --open_;
}

// Writes what is left of the request (usually all of it in one send). True while the
// request is still in flight on this socket; false once it was handed on (completed,
// failed or retried on a new socket).
bool NativeTransport::send_request(Connection& c, int64_t now_ns) {
  for (;;) {
    const std::string_view left = c.exchange.unwritten();
    if (left.empty()) return true;
    const ssize_t n = send(c.fd, left.data(), left.size(), MSG_NOSIGNAL);
    if (n > 0) {
      c.exchange.wrote(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    const int err = n < 0 ? errno : EPIPE;
    // A server refusing the request before taking all of it (a 413 or a 401 to an
    // upload) answers and closes, and the send fails on the reset: its answer waits in
    // the receive queue. libcurl reads it and reports it; so do we, before the failure.
    if (!read_response(c, now_ns)) return false;
    advance(c, c.exchange.connection_failed(err), now_ns);
    return false;
  }
}

// Reads what the socket has into the shared buffer and feeds it on, until the response
// ends or the socket is drained: a small response costs one recv. True while the request
// is still in flight on this socket; false once it was handed on (as send_request).
bool NativeTransport::read_response(Connection& c, int64_t now_ns) {
  for (;;) {
    const ssize_t n = recv(c.fd, buffer_.get(), kReadBuffer, 0);
    if (n > 0) {
      const ExchangeStep step = c.exchange.received(buffer_.get(), static_cast<size_t>(n));
      if (step != ExchangeStep::wait) {
        advance(c, step, now_ns);
        return false;
      }
      // A short read drained the socket; what arrives later raises a new edge. A close
      // that came with the data raised its edge already: read on to the EOF then.
      if (static_cast<size_t>(n) < kReadBuffer && !c.peer_closing) return true;
      continue;
    }
    if (n == 0) {
      advance(c, c.exchange.peer_closed(), now_ns);
      return false;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    advance(c, c.exchange.connection_failed(errno), now_ns);
    return false;
  }
}

void NativeTransport::advance(Connection& c, ExchangeStep step, int64_t now_ns) {
  switch (step) {
    case ExchangeStep::wait:
      return;
    case ExchangeStep::done:
      complete(c, now_ns);
      return;
    case ExchangeStep::retry:
      // curl's "Connection died, retrying a fresh connect": the same request from its
      // first byte on a new connection, within the same timeout.
      close_socket(c);
      c.exchange.restart_fresh();
      c.next_address = 0;
      c.allowed_any = false;
      c.refused.clear();
      c.connect_errno = 0;
      open_next(c);
      return;
  }
}

void NativeTransport::fail_before_sending(Connection& c, TransferError error, std::string detail) {
  c.exchange.failed_before_sending(error, detail);
  complete(c, common::steady_now_ns());
}

// Hands the outcome to the sink, the connection's bookkeeping done first: the sink may
// start the user's next request (on this same connection) from inside transfer_done.
// Inside start() nothing completes: the outcome waits for a timer due at once.
void NativeTransport::complete(Connection& c, int64_t now_ns) {
  if (c.fd >= 0 && (in_start_ || !c.exchange.reusable() || c.peer_closing)) close_socket(c);
  if (in_start_) {
    c.phase = Connection::Phase::failed;
    arm(c, common::steady_now_ns());
    return;
  }
  c.phase = Connection::Phase::idle;
  c.deadline_ns = 0;  // its timer, if armed, finds nothing to do
  VirtualUser* user = c.user;
  c.user = nullptr;
  c.req = nullptr;
  std::swap(done_, c.exchange.outcome());
  ctx_.sink->transfer_done(*user, done_, now_ns);
}

void NativeTransport::arm(Connection& c, int64_t at_ns) {
  ctx_.timers->arm(ctx_.timer_kind, c.id, at_ns);
  c.armed_ns = at_ns;
}

void NativeTransport::on_timer(uint32_t id, int64_t now_ns) {
  if (id >= slots_.size() || !slots_[id]) return;
  Connection& c = *slots_[id];
  c.armed_ns = 0;
  if (!c.user) return;
  if (c.phase != Connection::Phase::failed) {
    if (c.deadline_ns == 0) return;
    if (now_ns < c.deadline_ns) {
      arm(c, c.deadline_ns);  // armed for an earlier request: on to this one's deadline
      return;
    }
    c.exchange.timed_out(c.req->spec.timeout_ms);
    close_socket(c);
  }
  complete(c, now_ns);
}

void NativeTransport::on_event(uint64_t tag, uint32_t events, int64_t now_ns) {
  const uint64_t value = tag_value(tag);
  const auto id = static_cast<uint32_t>(value >> kGenerationBits);
  if (id >= slots_.size() || !slots_[id]) return;
  Connection& c = *slots_[id];
  if (c.fd < 0 || (c.generation & kGenerationMask) != (value & kGenerationMask)) return;  // a closed socket's
  constexpr uint32_t kInput = EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR;
  switch (c.phase) {
    case Connection::Phase::idle: {
      // An idle keep-alive connection has nothing to say: the server closed it (or sent
      // something no request asked for), and the next request connects anew. A bare
      // EPOLLIN may also be the late edge of response bytes already read: peek first.
      if (!(events & kInput)) return;
      if (!(events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
        char byte;
        const ssize_t n = recv(c.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      }
      close_socket(c);
      return;
    }
    case Connection::Phase::connecting: {
      if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
      int err = 0;
      socklen_t size = sizeof err;
      if (getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &size) != 0) err = errno;
      if (err != 0) {
        c.connect_errno = err;
        close_socket(c);
        open_next(c);  // the name's next address, or the request fails
        return;
      }
      c.phase = Connection::Phase::exchanging;
      if (events & (EPOLLRDHUP | EPOLLHUP)) c.peer_closing = true;
      if (!send_request(c, now_ns)) return;
      if (events & kInput) read_response(c, now_ns);
      return;
    }
    case Connection::Phase::exchanging:
      if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c.peer_closing = true;
      if ((events & EPOLLOUT) && !c.exchange.unwritten().empty() && !send_request(c, now_ns)) return;
      if (events & kInput) read_response(c, now_ns);
      return;
    case Connection::Phase::failed:
      return;
  }
}

}  // namespace grid::agent

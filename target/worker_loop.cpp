#include "target/worker_loop.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

#include "target/http_response.hpp"
#include "target/http_status.hpp"
#include "target/route.hpp"

namespace grid::target {
namespace {

// /bytes bodies up to this size are copied into the output buffer (so pipelined requests
// keep flowing); larger ones are streamed from the filler chunk.
constexpr std::uint64_t kInlineBodyBytes = 16 * 1024;
// How long a lingering close waits for the peer's FIN before closing anyway.
constexpr std::chrono::milliseconds kLingerTimeout{2000};
// Back-off before retrying accept() after running out of descriptors or memory.
constexpr std::chrono::milliseconds kAcceptRetry{10};

std::uint64_t epoll_key(int fd, std::uint32_t generation) {
  return (std::uint64_t{generation} << 32) | static_cast<std::uint32_t>(fd);
}

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

ConnectionHeader connection_header(const PendingResponse& response) {
  if (!response.keep_alive) return ConnectionHeader::close;
  return response.minor_version == 0 ? ConnectionHeader::keep_alive : ConnectionHeader::omit;
}

}  // namespace

WorkerLoop::WorkerLoop(unsigned index, FileDescriptor listener, const TargetOptions& options,
                       const std::atomic<bool>& stopping, StallDeadline& stall)
    : index_(index),
      options_(options),
      stopping_(stopping),
      stall_(stall),
      listener_(std::move(listener)),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
      jitter_random_(std::random_device{}() + index) {
  if (!epoll_.valid()) throw_errno("epoll_create1");
  if (!wake_.valid()) throw_errno("eventfd");
  epoll_event event{};
  event.events = EPOLLIN | EPOLLET;
  event.data.u64 = epoll_key(listener_.get(), 0);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listener_.get(), &event) != 0) {
    throw_errno("epoll_ctl(listener)");
  }
  event.data.u64 = epoll_key(wake_.get(), 0);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &event) != 0) {
    throw_errno("epoll_ctl(eventfd)");
  }
}

void WorkerLoop::wake() noexcept {
  const std::uint64_t one = 1;
  // The only failure is a saturated counter, which still leaves the eventfd readable.
  [[maybe_unused]] const ssize_t written = ::write(wake_.get(), &one, sizeof one);
}

void WorkerLoop::post(ControlMessage message) {
  {
    const std::lock_guard lock(inbox_mutex_);
    inbox_.push_back(std::move(message));
  }
  wake();
}

void WorkerLoop::run() {
  now_ = Clock::now();
  while (!stopping_.load(std::memory_order_acquire)) {
    // Nanosecond sleep (epoll_pwait2, Linux 5.11): with epoll_wait's milliseconds a
    // /delay/20 answered after up to 21 ms, and clients that send at once after each
    // answer lock onto the millisecond ticks and see the extra millisecond every time.
    int ready = -1;
    if (const auto wait = timers_.timeout(now_)) {
      const timespec ts{static_cast<time_t>(wait->count() / 1'000'000'000),
                        static_cast<long>(wait->count() % 1'000'000'000)};
      ready = ::epoll_pwait2(epoll_.get(), events_.data(), static_cast<int>(events_.size()), &ts, nullptr);
    } else {
      ready = ::epoll_pwait2(epoll_.get(), events_.data(), static_cast<int>(events_.size()), nullptr, nullptr);
    }
    if (ready < 0 && errno == ENOSYS) {  // an older kernel
      ready = ::epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()), timers_.timeout_ms(now_));
    }
    if (ready < 0 && errno != EINTR) throw_errno("epoll_wait");
    now_ = Clock::now();
    for (int i = 0; i < ready; ++i) {
      const std::uint64_t key = events_[static_cast<std::size_t>(i)].data.u64;
      const int fd = static_cast<int>(key & 0xffffffffu);
      if (fd == listener_.get()) {
        accept_connections();
      } else if (fd == wake_.get()) {
        drain_inbox();
      } else {
        on_connection_event(fd, static_cast<std::uint32_t>(key >> 32), events_[static_cast<std::size_t>(i)].events);
      }
    }
    fire_due_timers();
  }
  for (auto& connection : slots_) {
    if (connection && connection->is_open()) connection->close();
  }
}

void WorkerLoop::accept_connections() {
  for (;;) {
    const int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      if ((errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) && !accept_retry_armed_) {
        // Pending connections stay queued; with an edge-triggered listener nothing would
        // retry them, so a timer does.
        accept_retry_armed_ = true;
        timers_.push({now_ + kAcceptRetry, listener_.get(), 0});
      }
      return;  // EAGAIN: accepted everything.
    }
    const int on = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    counters_.record_connection();
    Connection& connection = slot(fd);
    connection.open(fd);
    epoll_event event{};
    event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    event.data.u64 = epoll_key(fd, connection.generation());
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
      connection.close();
    }
  }
}

void WorkerLoop::drain_inbox() {
  std::uint64_t count = 0;
  [[maybe_unused]] const ssize_t got = ::read(wake_.get(), &count, sizeof count);
  {
    const std::lock_guard lock(inbox_mutex_);
    inbox_scratch_.swap(inbox_);
  }
  for (ControlMessage& message : inbox_scratch_) {
    if (message.kind == ControlMessage::Kind::complete) {
      if (Connection* connection = complete_gather(*message.gather)) drive(*connection);
    } else if (collect(*message.gather)) {
      message.gather->requester->post({ControlMessage::Kind::complete, std::move(message.gather)});
    }
  }
  inbox_scratch_.clear();
}

void WorkerLoop::on_connection_event(int fd, std::uint32_t generation, std::uint32_t events) {
  Connection* connection = find(fd, generation);
  if (connection == nullptr) return;  // closed earlier in this batch of events
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) connection->readable = true;
  if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) connection->writable = true;
  if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) connection->hangup_reported = true;
  drive(*connection);
}

void WorkerLoop::fire_due_timers() {
  while (const auto timer = timers_.pop_due(now_)) {
    if (timer->fd == listener_.get() && timer->generation == 0) {
      accept_retry_armed_ = false;
      accept_connections();
      continue;
    }
    Connection* connection = find(timer->fd, timer->generation);
    if (connection == nullptr) continue;
    if (connection->draining) {
      close_connection(*connection);
    } else if (connection->wait == Wait::timer) {
      connection->wait = Wait::none;
      respond(*connection, connection->pending, connection->pending.path);
      drive(*connection);
    }
  }
}

void WorkerLoop::drive(Connection& connection) {
  for (;;) {
    serve_buffered(connection);
    if (connection.has_output()) {
      if (!connection.writable) return;
      const IoStatus status = connection.flush();
      if (status == IoStatus::error) return close_connection(connection);
      if (status == IoStatus::retry) return;
      continue;  // all written: more buffered requests may be servable now
    }
    // An /echo body cut short by EOF can never complete: there is nothing to answer.
    if (connection.wait == Wait::body && connection.peer_closed) return close_connection(connection);
    if (connection.wait == Wait::none && !connection.draining) {
      if (connection.peer_closed) return close_connection(connection);
      if (connection.close_after_output && connection.body_remaining == 0) {
        start_lingering_close(connection);
      }
    }
    if (!connection.readable || connection.input_full()) return;
    switch (connection.fill()) {
      case IoStatus::ok:
        continue;
      case IoStatus::retry:
        return;
      case IoStatus::closed:
        if (connection.draining) return close_connection(connection);
        connection.peer_closed = true;
        continue;
      case IoStatus::error:
        return close_connection(connection);
    }
  }
}

void WorkerLoop::serve_buffered(Connection& connection) {
  if (connection.draining) {
    connection.consume(connection.input().size());
    return;
  }
  for (;;) {
    if (connection.body_remaining > 0) {
      const auto take =
          static_cast<std::size_t>(std::min<std::uint64_t>(connection.body_remaining, connection.input().size()));
      // /echo keeps its body; every other body is discarded as it streams in.
      if (connection.wait == Wait::body) connection.pending.body.append(connection.input().substr(0, take));
      connection.consume(take);
      connection.body_remaining -= take;
      if (connection.body_remaining > 0) return;
      if (connection.wait == Wait::body) {
        connection.wait = Wait::none;
        schedule(connection, connection.pending.path);
      }
    }
    if (connection.wait != Wait::none || connection.close_after_output || connection.output_backlogged() ||
        connection.input().empty()) {
      return;
    }
    const ParseResult parsed = parse_request_head(connection.input());
    if (parsed.status == ParseStatus::incomplete) {
      // The peer will send nothing more, so this partial head can never complete.
      if (connection.peer_closed) connection.consume(connection.input().size());
      return;
    }
    if (parsed.status == ParseStatus::error) {
      return reject(connection, parsed.error_status, parsed.error_reason);
    }
    // consume() only advances an offset: the head's views into the input buffer stay valid
    // until the next fill().
    connection.consume(parsed.head_bytes);
    connection.body_remaining = parsed.head.content_length;
    if (parsed.head.expect_continue && connection.body_remaining > 0) {
      // Without it such clients stall (curl: one second) before sending the body.
      connection.output().append("HTTP/1.1 100 Continue\r\n\r\n");
    }
    dispatch(connection, parsed.head);
  }
}

void WorkerLoop::dispatch(Connection& connection, const HttpRequestHead& head) {
  const std::string_view path = path_of(head.target);
  PendingResponse& pending = connection.pending;
  pending.route = route_request(head.method, path);
  pending.keep_alive = head.keep_alive;
  pending.minor_version = head.minor_version;
  pending.head_only = head.method == "HEAD";
  pending.extra_headers.clear();
  switch (pending.route.kind) {
    case RouteKind::stats:
    case RouteKind::reset:
      return begin_gather(connection, pending.route.kind == RouteKind::reset);
    case RouteKind::stall: {
      stall_.hold_until(Clock::now() + pending.route.stall);
      pending.body.assign("holding every request for ");
      pending.body.append(std::to_string(pending.route.stall.count())).append(" ms\n");
      return respond(connection, pending, path);  // answered at once, never held itself
    }
    case RouteKind::echo:
      if (head.content_length > kMaxEchoBody) {
        pending.route = echo_too_large();  // the body is discarded as it streams in
        break;
      }
      pending.body.assign(head.raw);
      if (head.content_length > 0) {
        // serve_buffered appends the body as it arrives, then schedules the answer.
        pending.path.assign(path);
        connection.wait = Wait::body;
        return;
      }
      break;
    case RouteKind::json_token:
      pending.body.clear();
      append_token_json(pending.body, pending.route.token);
      pending.extra_headers.assign("X-Token: ").append(pending.route.token).append("\r\n");
      pending.route.token = {};  // a view into the input buffer: do not keep it
      break;
    default:
      break;
  }
  schedule(connection, path);
}

void WorkerLoop::schedule(Connection& connection, std::string_view path) {
  PendingResponse& pending = connection.pending;
  const std::chrono::milliseconds delay = pending.route.delay + option_delay();
  const Clock::time_point stall_end = stall_.until();
  // The cached now_ is never ahead of the clock, so a stall that ended by now_ has ended:
  // the common case needs no clock read.
  if (delay.count() == 0 && stall_end <= now_) return respond(connection, pending, path);
  // A fresh clock read, not the loop's cached now_: the delay is a lower bound clients
  // measure from before they sent, and now_ may predate this request's arrival. A stalled
  // request is served normally once the stall ends: its delay counts from then.
  const Clock::time_point now = Clock::now();
  const Clock::time_point due = std::max(now, stall_end) + delay;
  if (due <= now) return respond(connection, pending, path);
  if (path.data() != pending.path.data()) pending.path.assign(path);
  connection.wait = Wait::timer;
  timers_.push({due, connection.fd(), connection.generation()});
}

void WorkerLoop::respond(Connection& connection, const PendingResponse& response, std::string_view path) {
  const Route& route = response.route;
  std::string& out = connection.output();
  const ConnectionHeader header = connection_header(response);
  if (route.kind == RouteKind::bytes) {
    append_response_head(out, route.status, route.body_bytes, "application/octet-stream", header);
    if (!response.head_only) {
      if (route.body_bytes <= kInlineBodyBytes) {
        out.append(filler_chunk().substr(0, static_cast<std::size_t>(route.body_bytes)));
      } else {
        connection.append_filler(route.body_bytes);
      }
    }
  } else if (route.kind == RouteKind::echo || route.kind == RouteKind::json_token || route.kind == RouteKind::stall) {
    const std::string_view type = route.kind == RouteKind::json_token ? "application/json" : "text/plain";
    append_response_head(out, route.status, response.body.size(), type, header, response.extra_headers);
    if (!response.head_only) out.append(response.body);
  } else {
    append_response_head(out, route.status, route.body.size(), "text/plain", header);
    if (!response.head_only) out.append(route.body);
  }
  if (!response.keep_alive) connection.close_after_output = true;
  if (!is_control(route.kind)) count_served(path);
}

void WorkerLoop::reject(Connection& connection, int status, std::string_view reason) {
  const std::string_view text = status_text(status);
  std::string& out = connection.output();
  append_response_head(out, status, text.size() + 2 + reason.size() + 1, "text/plain", ConnectionHeader::close);
  out.append(text).append(": ").append(reason).append("\n");
  // Framing is lost: nothing after this point can be trusted as a request.
  connection.consume(connection.input().size());
  connection.body_remaining = 0;
  connection.close_after_output = true;
  count_served(RequestCounters::kMalformedPath);
}

void WorkerLoop::start_lingering_close(Connection& connection) {
  ::shutdown(connection.fd(), SHUT_WR);
  connection.draining = true;
  timers_.push({now_ + kLingerTimeout, connection.fd(), connection.generation()});
}

void WorkerLoop::close_connection(Connection& connection) { connection.close(); }

void WorkerLoop::begin_gather(Connection& connection, bool reset) {
  connection.wait = Wait::stats;
  auto gather = std::make_shared<StatsGather>();
  gather->requester = this;
  gather->fd = connection.fd();
  gather->generation = connection.generation();
  gather->reset = reset;
  gather->slots.resize(peers_.size());
  gather->pending.store(peers_.size(), std::memory_order_relaxed);
  for (WorkerLoop* peer : peers_) {
    if (peer != this) peer->post({ControlMessage::Kind::collect, gather});
  }
  // Called from serve_buffered, which goes on serving: queue the answer, do not drive.
  if (collect(*gather)) complete_gather(*gather);
}

bool WorkerLoop::collect(StatsGather& gather) {
  gather.slots[index_] = counters_;
  if (gather.reset) counters_.clear();
  return gather.pending.fetch_sub(1, std::memory_order_acq_rel) == 1;
}

Connection* WorkerLoop::complete_gather(const StatsGather& gather) {
  Connection* connection = find(gather.fd, gather.generation);
  if (connection == nullptr || connection->wait != Wait::stats) return nullptr;
  RequestCounters merged;
  for (const RequestCounters& slot_counters : gather.slots) merged.merge(slot_counters);
  const std::string json = merged.to_json();
  const PendingResponse& response = connection->pending;
  std::string& out = connection->output();
  append_response_head(out, 200, json.size(), "application/json", connection_header(response));
  if (!response.head_only) out.append(json);
  if (!response.keep_alive) connection->close_after_output = true;
  connection->wait = Wait::none;
  return connection;
}

std::chrono::milliseconds WorkerLoop::option_delay() {
  std::chrono::milliseconds delay = options_.default_delay;
  if (options_.jitter.count() > 0) {
    std::uniform_int_distribution<std::int64_t> jitter(0, options_.jitter.count());
    delay += std::chrono::milliseconds(jitter(jitter_random_));
  }
  return delay;
}

Connection& WorkerLoop::slot(int fd) {
  const auto index = static_cast<std::size_t>(fd);
  if (index >= slots_.size()) slots_.resize(index + 1);
  if (!slots_[index]) slots_[index] = std::make_unique<Connection>();
  return *slots_[index];
}

Connection* WorkerLoop::find(int fd, std::uint32_t generation) {
  const auto index = static_cast<std::size_t>(fd);
  if (fd < 0 || index >= slots_.size() || !slots_[index]) return nullptr;
  Connection* connection = slots_[index].get();
  if (!connection->is_open() || connection->generation() != generation) return nullptr;
  return connection;
}

void WorkerLoop::count_served(std::string_view path) {
  counters_.record(path);
  served_.store(served_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace grid::target

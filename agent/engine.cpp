#include "agent/engine.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "agent/target_guard.hpp"
#include "protocol/common/clock.hpp"

namespace grid::agent {
namespace {

constexpr uint64_t kWakeTag = ~uint64_t{0};
constexpr int kMaxEvents = 512;

uint64_t epoll_tag(uint32_t multi, int fd) { return (uint64_t{multi} << 32) | static_cast<uint32_t>(fd); }

}  // namespace

Engine::Engine(EngineConfig config, WindowMailbox& mailbox, common::Logger log)
    : config_(std::move(config)),
      allowed_(config_.allowed_targets ? config_.allowed_targets : std::make_shared<const TargetAllowlist>()),
      mailbox_(mailbox),
      log_(log ? std::move(log) : common::make_logger("engine")),
      timers_({0, 0, 1, 1}),
      work_(config_.workload ? *config_.workload : throw std::invalid_argument("engine needs a workload")),
      rng_(config_.seed ^ (uint64_t{config_.engine_id} << 32)) {
  if (work_.requests.empty()) throw std::invalid_argument("engine needs at least one request");
  start_ceiling_.store(config_.start_ceiling, std::memory_order_relaxed);
  start_ceiling_seen_ = config_.start_ceiling;
  if (config_.interval.count() <= 0 || config_.interval.count() > UINT32_MAX) {
    throw std::invalid_argument("engine needs a stats interval > 0");
  }
  interval_ms_ = static_cast<uint32_t>(config_.interval.count());
  if (config_.users_per_multi == 0) config_.users_per_multi = 1;
  budget_.store(config_.users);

  // A constructor that throws runs no destructor: close what was opened before throwing.
  const auto fail = [this](const char* what) {
    const std::string text = std::string("engine: ") + what + ": " + std::strerror(errno);
    if (epoll_fd_ >= 0) close(epoll_fd_);
    if (wake_fd_ >= 0) close(wake_fd_);
    epoll_fd_ = wake_fd_ = -1;
    throw std::runtime_error(text);
  };
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) fail("cannot create its epoll set");
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) fail("cannot create its wake-up fd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  // Without it a stop or a new user count would go unnoticed until a timer fired.
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev) != 0) fail("cannot watch its wake-up fd");

  for (const auto& req : work_.requests) {
    curl_slist* list = nullptr;
    if (req.literal) {
      for (const auto& h : req.spec.headers) list = curl_slist_append(list, h.c_str());
      if (!req.spec.body.empty()) list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
    }
    header_lists_.push_back(list);
  }
  stats_.resize(work_.requests.size());
  // Sequential feeds: engines start at different rows so that a node's engines do not
  // all send the same row at once.
  for (const auto& feed : work_.data) {
    sequential_next_.push_back(feed.rows.empty() ? 0 : feed.rows.size() * config_.engine_id / config_.engines);
  }
}

// Users and their multi handles are created when first spawned, so an engine costs
// nothing for users it never runs, and can grow when its parent gives it more.
VirtualUser& Engine::user_slot(uint32_t id) {
  while (users_.size() <= id) {
    const auto uid = static_cast<uint32_t>(users_.size());
    const uint32_t m = uid / config_.users_per_multi;
    if (m >= multis_.size()) {
      CURLM* multi = curl_multi_init();
      if (!multi) throw std::runtime_error("engine: curl_multi_init failed");
      multis_.push_back(multi);
      multi_dirty_.push_back(0);
      contexts_.push_back(std::make_unique<MultiContext>(MultiContext{this, m}));
      timers_.reserve(kMultiTimer, m + 1);
      curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Engine::on_socket);
      curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, contexts_.back().get());
      curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Engine::on_timer);
      curl_multi_setopt(multi, CURLMOPT_TIMERDATA, contexts_.back().get());
      curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(config_.users_per_multi) + 4);
      // One connection per user, also over HTTP/2: users model clients, and a client
      // does not share its connection with other clients.
      curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
    }
    auto u = std::make_unique<VirtualUser>();
    u->id = uid;
    u->engine = this;
    u->multi = m;
    u->easy = curl_easy_init();
    if (!u->easy) throw std::runtime_error("engine: curl_easy_init failed");
    curl_easy_setopt(u->easy, CURLOPT_PRIVATE, u.get());
    curl_easy_setopt(u->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(u->easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(u->easy, CURLOPT_WRITEFUNCTION, &Engine::on_body);
    curl_easy_setopt(u->easy, CURLOPT_WRITEDATA, u.get());
    curl_easy_setopt(u->easy, CURLOPT_OPENSOCKETFUNCTION, &Engine::on_open_socket);
    curl_easy_setopt(u->easy, CURLOPT_OPENSOCKETDATA, u.get());
    // Never take a proxy from the environment (http_proxy, all_proxy, ...): load must go
    // exactly where the campaign says, and looking the variables up costs every request.
    curl_easy_setopt(u->easy, CURLOPT_PROXY, "");
    curl_easy_setopt(u->easy, CURLOPT_NOPROXY, "*");
    timers_.reserve(kUserTimer, uid + 1);
    u->vars.set_user(uint64_t{uid} * config_.engines + config_.engine_id);
    u->vars.set_agent(work_.agent_id);
    users_.push_back(std::move(u));
  }
  return *users_[id];
}

Engine::~Engine() {
  for (auto& u : users_) {
    if (u->state == VirtualUser::State::in_flight) curl_multi_remove_handle(multis_[u->multi], u->easy);
    if (u->easy) curl_easy_cleanup(u->easy);
    if (u->headers) curl_slist_free_all(u->headers);
  }
  for (CURLM* m : multis_) {
    if (m) curl_multi_cleanup(m);
  }
  for (curl_slist* l : header_lists_) curl_slist_free_all(l);
  if (wake_fd_ >= 0) close(wake_fd_);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

void Engine::wake() {
  const uint64_t one = 1;
  [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
}

void Engine::request_stop() {
  stop_requested_.store(true, std::memory_order_relaxed);
  wake();
}

void Engine::set_users(uint32_t users) {
  budget_.store(users, std::memory_order_relaxed);
  wake();
}

curl_socket_t Engine::on_open_socket(void* clientp, curlsocktype purpose, struct curl_sockaddr* address) {
  auto* user = static_cast<VirtualUser*>(clientp);
  auto* self = user->engine;
  // Every connection, whatever its host came from: a refused one is never opened (curl
  // tries the name's next address, or fails the transfer; finish_transfer counts it).
  if (auto why = refuse_connection(*self->allowed_, user->easy, purpose, *address)) {
    user->refused_target = std::move(*why);
    return CURL_SOCKET_BAD;
  }
  user->opened_allowed = true;
  const int fd = socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
  if (fd < 0) return CURL_SOCKET_BAD;
  // A new socket may reuse the number of one curl closed: whatever we knew is stale
  // (closing removed it from the epoll set).
  if (static_cast<size_t>(fd) >= self->fds_.size()) self->fds_.resize(static_cast<size_t>(fd) + 64);
  self->fds_[static_cast<size_t>(fd)] = FdState{};
  return fd;
}

int Engine::on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
  auto* ctx = static_cast<MultiContext*>(userp);
  ctx->engine->watch(fd, ctx->index, what);
  return 0;
}

int Engine::on_timer(CURLM*, long timeout_ms, void* userp) {
  auto* ctx = static_cast<MultiContext*>(userp);
  if (timeout_ms < 0) {
    ctx->engine->timers_.cancel(kMultiTimer, ctx->index);
  } else {
    ctx->engine->timers_.arm(kMultiTimer, ctx->index, common::steady_now_ns() + timeout_ms * 1'000'000);
  }
  return 0;
}

// Keeps the epoll set in step with what curl wants, with as few epoll_ctl calls as
// possible: an idle keep-alive socket that curl stops watching stays registered for
// input (it is silent unless the server closes it), so reusing it costs nothing.
void Engine::watch(curl_socket_t fd, uint32_t multi, int what) {
  if (fd < 0) return;
  if (static_cast<size_t>(fd) >= fds_.size()) fds_.resize(static_cast<size_t>(fd) + 64);
  FdState& st = fds_[static_cast<size_t>(fd)];
  if (what == CURL_POLL_REMOVE) {
    st.wanted = false;
    if (st.registered && (st.events & EPOLLOUT)) {
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
      st.registered = false;
    }
    return;
  }
  uint32_t events = 0;
  if (what & CURL_POLL_IN) events |= EPOLLIN;
  if (what & CURL_POLL_OUT) events |= EPOLLOUT;
  st.wanted = true;
  if (st.registered && st.events == events && st.multi == multi) return;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = epoll_tag(multi, fd);
  int rc = epoll_ctl(epoll_fd_, st.registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
  if (rc != 0 && errno == ENOENT) rc = epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev);
  if (rc != 0 && errno == EEXIST) rc = epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  st.registered = rc == 0;
  st.events = events;
  st.multi = multi;
  if (rc != 0) unwatchable_.emplace_back(multi, fd);
}

bool Engine::owned_by(uint32_t multi, int fd) const {
  return static_cast<size_t>(fd) < fds_.size() && fds_[static_cast<size_t>(fd)].multi == multi;
}

void Engine::unwatch_stray(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
  if (static_cast<size_t>(fd) < fds_.size()) fds_[static_cast<size_t>(fd)].registered = false;
}

void Engine::multi_error(CURLMcode code) {
  ++multi_errors_;
  if (const auto n = multi_error_log_.admit(std::chrono::steady_clock::now())) {
    log_->error("engine {}: curl_multi_socket_action failed {} time(s) ({} in all): {}", config_.engine_id, *n,
                multi_errors_, curl_multi_strerror(code));
  }
}

void Engine::socket_action(uint32_t multi, curl_socket_t fd, int ev_bitmask) {
  int running = 0;
  const CURLMcode rc = curl_multi_socket_action(multis_[multi], fd, ev_bitmask, &running);
  if (rc == CURLM_BAD_SOCKET && fd != CURL_SOCKET_TIMEOUT) {
    // An event for a socket this multi has let go of. The fd number may already belong
    // to another multi's new socket: only unregister it while it is still ours.
    if (owned_by(multi, fd)) unwatch_stray(fd);
  } else if (rc != CURLM_OK) {
    multi_error(rc);
  }
  while (!unwatchable_.empty()) {
    const auto [m, bad_fd] = unwatchable_.back();
    unwatchable_.pop_back();
    if (curl_multi_socket_action(multis_[m], bad_fd, CURL_CSELECT_ERR, &running) != CURLM_OK && owned_by(m, bad_fd)) {
      unwatch_stray(bad_fd);
    }
    mark_dirty(m);
  }
  mark_dirty(multi);
}

void Engine::mark_dirty(uint32_t multi) {
  if (!multi_dirty_[multi]) {
    multi_dirty_[multi] = 1;
    dirty_list_.push_back(multi);
  }
}

// Every socket_action call can complete transfers: read them all out of each multi it
// touched before blocking, or they would wait for the next event or timeout. Starting a
// user's next request arms a zero timeout, which makes the next epoll_wait not block.
void Engine::drain_completions() {
  while (!dirty_list_.empty()) {
    std::vector<uint32_t> dirty;
    dirty.swap(dirty_list_);
    for (uint32_t m : dirty) {
      multi_dirty_[m] = 0;
      int left = 0;
      int64_t now = 0;  // read once: transfers done by one socket_action call ended together
      while (CURLMsg* msg = curl_multi_info_read(multis_[m], &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        if (now == 0) now = common::steady_now_ns();
        finish_transfer(msg->easy_handle, msg->data.result, now);
      }
    }
  }
}

void Engine::begin_stopping() {
  if (stopping_) return;
  stopping_ = true;
  timers_.cancel(kSpawnTimer, 0);
  for (auto& u : users_) retire(*u);
}

void Engine::run_due_timers(int64_t now_ns) {
  while (auto due = timers_.pop_due(now_ns)) {
    switch (due->kind) {
      case kMultiTimer:
        socket_action(due->id, CURL_SOCKET_TIMEOUT, 0);
        break;
      case kUserTimer: {
        VirtualUser& u = *users_[due->id];
        if (!stopping_ && u.state == VirtualUser::State::thinking) run_steps(u, now_ns, u.intended_ns);
        break;
      }
      case kSpawnTimer:
        spawn_due(now_ns);
        break;
      case kArrivalTimer:
        arrivals_due(now_ns);
        break;
      default:
        break;
    }
  }
}

uint64_t Engine::broker_unix_ms() const {
  return static_cast<uint64_t>(static_cast<int64_t>(common::unix_now_ms()) +
                               std::chrono::duration_cast<std::chrono::milliseconds>(config_.clock_offset).count());
}

void Engine::maybe_cut_window(uint64_t unix_ms) {
  const uint64_t index = wire::window_index_at(unix_ms, interval_ms_);
  if (index == window_index_) return;
  // Before the start instant there is nothing to report: the first window posted is the
  // one the campaign starts in.
  if (common::steady_now_ns() >= start_ns_) cut_window(false);
  window_index_ = index;
}

void Engine::cut_window(bool final) {
  EngineWindow out;
  out.engine = config_.engine_id;
  out.final = final;
  out.window.index = window_index_;
  out.window.interval_ms = interval_ms_;
  out.window.active_users = active_;
  out.first_request_unix_us = first_request_unix_us_;
  if (last_completion_ns_ > 0) {
    const int64_t ago_us = (common::steady_now_ns() - last_completion_ns_) / 1000;
    out.last_completion_unix_us = static_cast<int64_t>(broker_unix_ms()) * 1000 - ago_us;
  }
  for (size_t i = 0; i < stats_.size(); ++i) {
    auto [it, inserted] = out.window.requests.try_emplace(work_.requests[i].spec.name, std::move(stats_[i]));
    if (!inserted) it->second.merge(stats_[i]);  // two specs share a name: one line in the report
    stats_[i] = wire::RequestStats{};
  }
  out.window.problems.swap(problems_);
  problems_.clear();
  mailbox_.post(std::move(out));
}

void Engine::run() {
  start_ns_ = config_.start
                  ? std::chrono::duration_cast<std::chrono::nanoseconds>(config_.start->time_since_epoch()).count()
                  : common::steady_now_ns();
  stop_at_ns_ = start_ns_ + std::chrono::duration_cast<std::chrono::nanoseconds>(config_.duration).count();
  origin_ns_ = config_.origin
                   ? std::chrono::duration_cast<std::chrono::nanoseconds>(config_.origin->time_since_epoch()).count()
                   : start_ns_;
  window_index_ = wire::window_index_at(broker_unix_ms(), interval_ms_);
  next_spawn_ns_ = start_ns_;
  if (work_.model == wire::LoadModel::open) {
    budget_seen_ = budget_.load(std::memory_order_relaxed);
    restart_arrivals(start_ns_);
  } else {
    timers_.arm(kSpawnTimer, 0, start_ns_);
  }

  epoll_event events[kMaxEvents];
  for (;;) {
    int64_t now = common::steady_now_ns();
    if (!stopping_ && (now >= stop_at_ns_ || stop_requested_.load(std::memory_order_relaxed))) {
      begin_stopping();
    }
    if (now >= start_ns_) {
      const uint32_t before = budget_seen_;
      apply_user_target(now);
      // From no share to some: arrivals resume at the next one due, not with a burst of
      // those missed while the engine had none.
      if (work_.model == wire::LoadModel::open && budget_seen_ != before && before == 0) restart_arrivals(now);
    }
    run_due_timers(now);
    drain_completions();
    if (stopping_ && in_flight_ == 0) break;

    // Sleep until the next timer, the next window boundary or the stop instant.
    int64_t wake = stopping_ ? now + 1'000'000'000 : stop_at_ns_;
    if (auto t = timers_.next_deadline()) wake = std::min(wake, *t);
    // A staged closed model follows its ramp: look at the target every 50 ms.
    if (work_.staged && work_.model == wire::LoadModel::closed && !stopping_ && now >= start_ns_) {
      wake = std::min(wake, now + 50 * kNsPerMs);
    }
    const uint64_t unix_ms = broker_unix_ms();
    const uint64_t next_cut_ms = (wire::window_index_at(unix_ms, interval_ms_) + 1) * interval_ms_;
    wake = std::min<int64_t>(wake, now + static_cast<int64_t>(next_cut_ms - unix_ms) * 1'000'000);
    // Nanosecond sleep (epoll_pwait2, Linux 5.11): a millisecond timeout would start
    // open-model arrivals up to 1 ms late, and that lateness would show in their latency.
    const int64_t sleep_ns = std::max<int64_t>(0, wake - now);
    const timespec timeout{static_cast<time_t>(sleep_ns / 1'000'000'000), static_cast<long>(sleep_ns % 1'000'000'000)};
    int n = epoll_pwait2(epoll_fd_, events, kMaxEvents, &timeout, nullptr);
    if (n < 0 && errno == ENOSYS) {  // an older kernel
      n = epoll_wait(epoll_fd_, events, kMaxEvents, static_cast<int>((sleep_ns + 999'999) / 1'000'000));
    }
    maybe_cut_window(broker_unix_ms());
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kWakeTag) {
        uint64_t drained = 0;
        [[maybe_unused]] auto r = read(wake_fd_, &drained, sizeof drained);
        continue;
      }
      const auto multi = static_cast<uint32_t>(tag >> 32);
      const auto fd = static_cast<int>(tag & 0xffffffffu);
      if (static_cast<size_t>(fd) < fds_.size() && !fds_[static_cast<size_t>(fd)].wanted) {
        unwatch_stray(fd);  // an idle keep-alive socket woke up: the server closed it
        continue;
      }
      if (!owned_by(multi, fd)) continue;  // stale: the fd now belongs to another multi's socket
      int mask = 0;
      if (events[i].events & EPOLLIN) mask |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
      if (events[i].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
      socket_action(multi, fd, mask);
    }
    drain_completions();
  }
  maybe_cut_window(broker_unix_ms());
  cut_window(true);
}

}  // namespace grid::agent

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

#include "agent/native_transport.hpp"
#include "agent/target_guard.hpp"
#include "protocol/common/clock.hpp"

namespace grid::agent {
namespace {

constexpr int kMaxEvents = 512;

}  // namespace

Engine::Engine(EngineConfig config, WindowMailbox& mailbox, common::Logger log)
    : config_(std::move(config)),
      allowed_(config_.allowed_targets ? config_.allowed_targets : std::make_shared<const TargetAllowlist>()),
      mailbox_(mailbox),
      log_(log ? std::move(log) : common::make_logger("engine")),
      timers_({0, 0, 1, 1, 0}),
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

  const auto context = [this](uint32_t timer_kind) {
    return TransportContext{epoll_fd_, &timers_, timer_kind, allowed_.get(), this, log_, config_.engine_id};
  };
  try {
    curl_ = std::make_unique<CurlTransport>(context(kCurlTimer), work_, config_.users_per_multi);
    const bool any_native =
        std::any_of(work_.requests.begin(), work_.requests.end(), [](const CompiledRequest& r) { return r.native; });
    if (any_native) native_ = std::make_unique<NativeTransport>(context(kNativeTimer), work_);
  } catch (const std::exception& e) {
    errno = 0;
    fail(e.what());
  }
  stats_.resize(work_.requests.size());
  // Sequential feeds: engines start at different rows so that a node's engines do not
  // all send the same row at once.
  for (const auto& feed : work_.data) {
    sequential_next_.push_back(feed.rows.empty() ? 0 : feed.rows.size() * config_.engine_id / config_.engines);
  }
}

// Users are created when first spawned, so an engine costs nothing for users it never
// runs, and can grow when its parent gives it more. Their transports' state is made on
// their first request.
VirtualUser& Engine::user_slot(uint32_t id) {
  while (users_.size() <= id) {
    const auto uid = static_cast<uint32_t>(users_.size());
    auto u = std::make_unique<VirtualUser>();
    u->id = uid;
    timers_.reserve(kUserTimer, uid + 1);
    u->vars.set_user(uint64_t{uid} * config_.engines + config_.engine_id);
    u->vars.set_agent(work_.agent_id);
    users_.push_back(std::move(u));
  }
  curl_->reserve_users(static_cast<uint32_t>(users_.size()));
  if (native_) native_->reserve_users(static_cast<uint32_t>(users_.size()));
  return *users_[id];
}

Engine::~Engine() {
  // The transports go first: closing their connections needs the epoll set.
  native_.reset();
  curl_.reset();
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

Transport& Engine::transport_for(const CompiledRequest& req) { return req.native ? *native_ : *curl_; }

void Engine::flush_transports() {
  curl_->flush();
  if (native_) native_->flush();
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
      case kCurlTimer:
        curl_->on_timer(due->id, now_ns);
        break;
      case kNativeTimer:
        if (native_) native_->on_timer(due->id, now_ns);
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
    flush_transports();
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
    const int64_t woke = n > 0 ? common::steady_now_ns() : 0;  // when this batch's events were seen
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kWakeTag) {
        uint64_t drained = 0;
        [[maybe_unused]] auto r = read(wake_fd_, &drained, sizeof drained);
        continue;
      }
      if (transport_of(tag) == TransportId::native) {
        if (native_) native_->on_event(tag, events[i].events, woke);
      } else {
        curl_->on_event(tag, events[i].events, woke);
      }
    }
    flush_transports();
  }
  maybe_cut_window(broker_unix_ms());
  cut_window(true);
}

}  // namespace grid::agent

#pragma once

// Drives a NativeTransport the way an engine does, without the engine: a real epoll set,
// a TimerQueue with the transport's kind (4), a sink that records every outcome, virtual
// users and a workload compiled from a wire::Plan. For tests over loopback.

#include <sys/epoll.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "agent/compiled_workload.hpp"
#include "agent/native_transport.hpp"
#include "agent/virtual_user.hpp"
#include "protocol/common/clock.hpp"

namespace grid::test {

struct NativeHarness : agent::TransferSink {
  struct Done {
    uint32_t user;
    agent::TransferOutcome outcome;
    int64_t at_ns;
  };
  static constexpr uint32_t kTimerKind = 4;

  int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  agent::TimerQueue timers{{0, 0, 0, 0, 0}};
  agent::TargetAllowlist allowed;
  std::shared_ptr<agent::CompiledWorkload> work;
  std::unique_ptr<agent::NativeTransport> transport;
  std::deque<agent::VirtualUser> users;
  std::vector<Done> done;
  // Called from inside transfer_done (after recording): may start the next request.
  std::function<void(agent::VirtualUser&, const agent::TransferOutcome&)> then;
  uint64_t events_seen = 0;

  explicit NativeHarness(std::vector<wire::RequestSpec> requests, uint32_t user_count = 1,
                         agent::TargetAllowlist allow = agent::TargetAllowlist())
      : allowed(std::move(allow)) {
    if (epoll_fd < 0) throw std::runtime_error("epoll_create1 failed");
    wire::Plan plan;
    plan.requests = std::move(requests);
    plan.users = user_count;
    work = agent::CompiledWorkload::compile(plan, {}, "test-agent");
    for (auto& r : work->requests) r.native = true;
    agent::TransportContext ctx;
    ctx.epoll_fd = epoll_fd;
    ctx.timers = &timers;
    ctx.timer_kind = kTimerKind;
    ctx.allowed = &allowed;
    ctx.sink = this;
    transport = std::make_unique<agent::NativeTransport>(ctx, *work);
    transport->reserve_users(user_count);
    for (uint32_t i = 0; i < user_count; ++i) {
      users.emplace_back();
      users.back().id = i;
    }
  }
  ~NativeHarness() {
    transport.reset();
    close(epoll_fd);
  }

  void transfer_done(agent::VirtualUser& user, const agent::TransferOutcome& outcome, int64_t now_ns) override {
    user.state = agent::VirtualUser::State::idle;
    done.push_back(Done{user.id, outcome, now_ns});
    if (then) then(user, outcome);
  }

  /// Starts request `request` for user `user` now.
  bool start(uint32_t user, uint32_t request, bool fresh = false) {
    agent::VirtualUser& u = users[user];
    u.request = request;
    u.started_ns = common::steady_now_ns();
    u.capture_body = work->requests[request].needs_body || capture;
    u.capture_headers = work->requests[request].needs_headers || capture;
    u.state = agent::VirtualUser::State::in_flight;
    return transport->start(u, work->requests[request], fresh);
  }

  /// One turn of an engine's loop: epoll (until the next timer, at most `max_wait`), its
  /// events, the due timers, flush.
  void turn(std::chrono::milliseconds max_wait = std::chrono::milliseconds(50)) {
    int64_t now = common::steady_now_ns();
    int64_t wait_ns = max_wait.count() * 1'000'000;
    if (auto t = timers.next_deadline()) wait_ns = std::max<int64_t>(0, std::min(wait_ns, *t - now));
    epoll_event events[64];
    const int n = epoll_wait(epoll_fd, events, 64, static_cast<int>((wait_ns + 999'999) / 1'000'000));
    now = common::steady_now_ns();
    for (int i = 0; i < n; ++i) {
      ++events_seen;
      if (agent::transport_of(events[i].data.u64) != agent::TransportId::native) throw std::logic_error("foreign tag");
      transport->on_event(events[i].data.u64, events[i].events, now);
    }
    while (auto due = timers.pop_due(now)) {
      if (due->kind != kTimerKind) throw std::logic_error("foreign timer");
      transport->on_timer(due->id, now);
    }
    transport->flush();
  }

  /// Turns until `done` holds `count` outcomes; false after `limit`.
  bool run_until_done(size_t count, std::chrono::milliseconds limit = std::chrono::milliseconds(15000)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (done.size() < count) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      turn();
    }
    return true;
  }

  /// Turns until `pred()` holds; false after `limit`.
  template <class Pred>
  bool run_until(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(15000)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      turn(std::chrono::milliseconds(10));
    }
    return true;
  }

  /// Runs request `request` for user `user` to its end and returns its outcome.
  agent::TransferOutcome fetch(uint32_t user, uint32_t request, bool fresh = false) {
    const size_t before = done.size();
    if (!start(user, request, fresh)) throw std::logic_error("start refused");
    if (!run_until_done(before + 1)) throw std::runtime_error("no outcome within the limit");
    return done.back().outcome;
  }

  bool capture = false;  // capture body and headers of every request
};

inline wire::RequestSpec spec(const std::string& name, const std::string& url, uint32_t timeout_ms = 5000,
                              const std::string& method = "GET") {
  wire::RequestSpec r;
  r.name = name;
  r.url = url;
  r.timeout_ms = timeout_ms;
  r.method = method;
  return r;
}

}  // namespace grid::test

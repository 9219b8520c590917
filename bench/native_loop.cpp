// native-loop: agent::NativeTransport alone, driven by the smallest engine-like loop (one
// epoll set, one TimerQueue, every user's next request started from inside
// transfer_done), for a fixed time on one thread. Measures the transport without the
// engine's scheduling and stats: compare with `wrk -t1 -c USERS` against the same URL
// (bench/README.md, "Native transport"). Not used by loadgrid itself.
//
//   native-loop URL USERS SECONDS   ->   prints "requests=N rps=R failures=F"

#include <sys/epoll.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <deque>

#include "agent/compiled_workload.hpp"
#include "agent/native_transport.hpp"
#include "agent/virtual_user.hpp"
#include "protocol/common/clock.hpp"

namespace {

struct Loop : grid::agent::TransferSink {
  grid::agent::NativeTransport* transport = nullptr;
  const grid::agent::CompiledRequest* request = nullptr;
  uint64_t requests = 0, failures = 0;
  bool stopping = false;
  void transfer_done(grid::agent::VirtualUser& user, const grid::agent::TransferOutcome& o, int64_t now_ns) override {
    ++requests;
    if (o.error != grid::agent::TransferError::none || o.status != 200) ++failures;
    if (stopping) return;
    user.started_ns = now_ns;
    transport->start(user, *request, false);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: native-loop URL USERS SECONDS\n");
    return 2;
  }
  const int users = std::atoi(argv[2]), seconds = std::atoi(argv[3]);
  if (users <= 0 || seconds <= 0) return 2;
  grid::wire::Plan plan;
  grid::wire::RequestSpec r;
  r.name = "bench";
  r.url = argv[1];
  plan.requests = {r};
  plan.users = static_cast<uint32_t>(users);
  auto work = grid::agent::CompiledWorkload::compile(plan, {}, "bench");
  work->requests[0].native = true;
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  grid::agent::TimerQueue timers({0, 0, 0, 0, 0});
  grid::agent::TargetAllowlist allowed;
  Loop loop;
  grid::agent::TransportContext ctx;
  ctx.epoll_fd = epoll_fd;
  ctx.timers = &timers;
  ctx.timer_kind = 4;
  ctx.allowed = &allowed;
  ctx.sink = &loop;
  grid::agent::NativeTransport transport(ctx, *work);
  transport.reserve_users(static_cast<uint32_t>(users));
  loop.transport = &transport;
  loop.request = &work->requests[0];
  std::deque<grid::agent::VirtualUser> vus(static_cast<size_t>(users));
  const int64_t start = grid::common::steady_now_ns();
  for (int i = 0; i < users; ++i) {
    vus[i].id = static_cast<uint32_t>(i);
    vus[i].started_ns = start;
    transport.start(vus[i], work->requests[0], false);
  }
  const int64_t end = start + int64_t{seconds} * 1'000'000'000;
  epoll_event events[512];
  for (;;) {
    const int64_t now = grid::common::steady_now_ns();
    if (now >= end) break;
    const int n = epoll_wait(epoll_fd, events, 512, 10);
    const int64_t t = grid::common::steady_now_ns();
    for (int i = 0; i < n; ++i) transport.on_event(events[i].data.u64, events[i].events, t);
    while (auto due = timers.pop_due(t)) transport.on_timer(due->id, t);
    transport.flush();
  }
  const double secs = static_cast<double>(grid::common::steady_now_ns() - start) / 1e9;
  std::printf("requests=%llu rps=%.0f failures=%llu\n", static_cast<unsigned long long>(loop.requests),
              static_cast<double>(loop.requests) / secs, static_cast<unsigned long long>(loop.failures));
  close(epoll_fd);
  return 0;
}

// How an engine's users walk the workload: iterations, steps, think times, data rows,
// rendering a request and handing it to its transport, and what a finished request
// counts (status, latency, checks, extraction). The event loop is in engine.cpp, the
// transports in curl_transport.cpp and native_transport.cpp; how many users run and
// when iterations arrive, in engine_load.cpp.

#include <algorithm>
#include <string>
#include <string_view>

#include "agent/engine.hpp"
#include "agent/failure_classifier.hpp"
#include "agent/think_time.hpp"

namespace grid::agent {

void Engine::problem(const std::string& text, uint64_t n) {
  auto it = problems_.find(text);
  if (it == problems_.end()) {
    if (problems_.size() >= wire::kMaxProblems) {
      it = problems_.try_emplace("other problems").first;
    } else {
      it = problems_.try_emplace(text.substr(0, wire::kMaxProblemBytes)).first;
    }
  }
  it->second += n;
}

void Engine::transfer_done(VirtualUser& user, const TransferOutcome& outcome, int64_t now_ns) {
  const long status = outcome.status;
  const CompiledRequest& req = work_.requests[user.request];
  wire::RequestStats& s = stats_[user.request];
  ++s.requests;
  s.bytes_sent += outcome.bytes_sent;
  s.bytes_received += outcome.bytes_received;
  s.transports |= req.native ? wire::kServedNative : wire::kServedCurl;
  const auto failure = classify_transfer(outcome.error, status, req.spec.expects(status));
  if (outcome.error == TransferError::not_allowed) problem("request '" + req.spec.name + "': " + outcome.detail);
  if (failure) ++s.failures[*failure];
  if (status > 0) {
    s.count_status(static_cast<uint16_t>(status));
    if (outcome.http_version != 0) s.count_http_version(outcome.http_version);
  }
  if (status > 0 || failure == wire::FailureKind::timeout) {
    const auto service_us = static_cast<uint64_t>(std::max<int64_t>(0, now_ns - user.started_ns) / 1000);
    if (work_.model == wire::LoadModel::open) {
      // Coordinated omission corrected: from when the request was due, not when it began.
      s.latency_us.record(static_cast<uint64_t>(std::max<int64_t>(0, now_ns - user.intended_ns) / 1000));
      s.service_us.record(service_us);
    } else {
      s.latency_us.record(service_us);
    }
  }
  if (!failure && (req.needs_body || req.needs_headers || !req.spec.extracts.empty())) check_response(user, req, s);

  --in_flight_;
  last_completion_ns_ = now_ns;
  ++user.step;
  if (stopping_ || (work_.model == wire::LoadModel::closed && user.id >= wanted_)) {
    user.state = VirtualUser::State::finished;
    --active_;
    return;
  }
  run_steps(user, now_ns, now_ns);
}

// Checks and extraction on a response that passed the status check. A failure turns the
// request into an `assertion` failure (it is counted once: as that kind).
void Engine::check_response(VirtualUser& user, const CompiledRequest& req, wire::RequestStats& s) {
  if (auto failed = req.checks.run_checks(user.response_body)) {
    ++s.failures[wire::FailureKind::assertion];
    problem("request '" + req.spec.name + "': " + *failed);
    return;
  }
  std::string missing;
  if (!req.checks.extract(user.response_body, Headers{user.response_headers}, user.vars, &missing)) {
    ++s.failures[wire::FailureKind::assertion];
    problem("request '" + req.spec.name + "': extract '" + missing + "' found nothing");
  }
}

// Takes the iteration's row of every data feed. False when a unique feed has run out:
// the user stops (and that is reported), it never reuses a row.
bool Engine::take_rows(VirtualUser& user) {
  for (size_t f = 0; f < work_.data.size(); ++f) {
    const auto& feed = work_.data[f];
    if (feed.rows.empty()) continue;
    uint64_t row = 0;
    switch (feed.mode) {
      case wire::FeedMode::sequential:
        row = sequential_next_[f];
        sequential_next_[f] = (row + 1) % feed.rows.size();
        break;
      case wire::FeedMode::random:
        row = rng_.below(feed.rows.size());
        break;
      case wire::FeedMode::unique: {
        const auto& range = work_.rows[f];
        row = work_.unique_next[f].fetch_add(1, std::memory_order_relaxed);
        if (row >= range.end || row >= feed.rows.size()) {
          problem("data '" + feed.name + "': unique rows ran out; users stopped");
          return false;
        }
        break;
      }
    }
    user.vars.set_row(f, feed, static_cast<size_t>(row));
  }
  return true;
}

bool Engine::begin_iteration(VirtualUser& user, int64_t now_ns, int64_t intended_ns) {
  user.scenario = static_cast<uint32_t>(work_.picker->pick(rng_));
  user.step = 0;
  if (!take_rows(user)) return false;
  user.vars.set_iteration(user.iterations++);
  // Each transport opens its own connections: the first request each one serves in the
  // iteration starts on a new one (not only the iteration's first request).
  user.fresh_connections = work_.connections == wire::ConnectionReuse::per_iteration ? 0xff : 0;
  run_steps(user, now_ns, intended_ns);
  return true;
}

// Runs the user's steps from its current one until one must wait: a request in flight,
// a think time, or the end of the iteration.
void Engine::run_steps(VirtualUser& user, int64_t now_ns, int64_t intended_ns) {
  const auto& steps = work_.scenarios[user.scenario].steps;
  while (user.step < steps.size()) {
    const wire::Step& step = steps[user.step];
    if (step.kind == wire::StepKind::think) {
      const int64_t pause = sample_think(step, rng_).count();
      ++user.step;
      if (pause <= 0) continue;
      user.state = VirtualUser::State::thinking;
      user.intended_ns = now_ns + pause;
      timers_.arm(kUserTimer, user.id, now_ns + pause);
      return;
    }
    if (started_ >= start_ceiling_seen_) {
      start_ceiling_seen_ = start_ceiling_.load(std::memory_order_relaxed);
      if (started_ >= start_ceiling_seen_) {
        // Past the announced ceiling (the load grew faster than the agent announced):
        // the step waits a moment for the next allowance, its intended time kept.
        constexpr int64_t kGateRetryNs = 10 * kNsPerMs;
        problem("requests waited for the agent's next start allowance (the load grew faster than announced)");
        user.state = VirtualUser::State::thinking;
        user.intended_ns = intended_ns;
        timers_.arm(kUserTimer, user.id, now_ns + kGateRetryNs);
        return;
      }
    }
    if (start_request(user, step.request, now_ns, intended_ns)) return;
    // Not sent (a variable was missing): counted; go on with the next step on the next
    // turn of the loop, so a scenario whose every step fails cannot recurse forever.
    ++user.step;
    user.state = VirtualUser::State::thinking;
    user.intended_ns = now_ns;
    timers_.arm(kUserTimer, user.id, now_ns);
    return;
  }
  end_iteration(user, now_ns);
}

void Engine::end_iteration(VirtualUser& user, int64_t now_ns) {
  if (work_.model == wire::LoadModel::open) {
    user.state = VirtualUser::State::idle;
    --active_;
    if (user.id < budget_seen_)
      idle_.push_back(user.id);  // above a lowered cap it retires
    else
      user.state = VirtualUser::State::finished;
    return;
  }
  if (stopping_ || user.id >= wanted_ || !begin_iteration(user, now_ns, now_ns)) {
    if (user.state != VirtualUser::State::finished) {
      user.state = VirtualUser::State::finished;
      --active_;
    }
  }
}

// Renders a templated request into the user's buffers. False when a variable is unset.
bool Engine::prepare(VirtualUser& user, const CompiledRequest& req) {
  std::string missing;
  user.url.clear();
  if (!user.vars.render(req.url, user.url, rng_, &missing)) {
    problem("request '" + req.spec.name + "': variable '" + missing + "' is not set");
    return false;
  }
  user.body.clear();
  if (!user.vars.render(req.body, user.body, rng_, &missing)) {
    problem("request '" + req.spec.name + "': variable '" + missing + "' is not set");
    return false;
  }
  user.header_lines.resize(req.headers.size());
  for (size_t i = 0; i < req.headers.size(); ++i) {
    user.header_lines[i].clear();
    if (!user.vars.render(req.headers[i], user.header_lines[i], rng_, &missing)) {
      problem("request '" + req.spec.name + "': variable '" + missing + "' is not set");
      return false;
    }
  }
  return true;
}

// Starts request `request` for `user`. False when it could not be sent: a variable was
// missing (an `assertion` failure) or its transport refused it (`other`); either is counted.
bool Engine::start_request(VirtualUser& user, uint32_t request, int64_t now_ns, int64_t intended_ns) {
  const CompiledRequest& req = work_.requests[request];
  user.request = request;
  if (first_request_unix_us_ == 0) first_request_unix_us_ = static_cast<int64_t>(broker_unix_ms()) * 1000;
  if (!req.literal && !prepare(user, req)) {
    wire::RequestStats& s = stats_[request];
    ++s.requests;
    ++s.failures[wire::FailureKind::assertion];
    return false;
  }
  user.capture_body = req.needs_body;
  user.capture_headers = req.needs_headers;
  if (user.capture_body) user.response_body.clear();
  if (user.capture_headers) user.response_headers.clear();
  user.started_ns = now_ns;
  user.intended_ns = intended_ns;
  const auto transport_bit =
      static_cast<uint8_t>(1u << static_cast<unsigned>(req.native ? TransportId::native : TransportId::curl));
  const bool fresh = (user.fresh_connections & transport_bit) != 0;
  user.fresh_connections &= static_cast<uint8_t>(~transport_bit);
  if (!transport_for(req).start(user, req, fresh)) {
    // Counted, never lost: the request was due and could not be issued.
    wire::RequestStats& s = stats_[request];
    ++s.requests;
    ++s.failures[wire::FailureKind::other];
    return false;
  }
  user.state = VirtualUser::State::in_flight;
  ++in_flight_;
  started_published_.store(++started_, std::memory_order_relaxed);
  return true;
}

}  // namespace grid::agent

// How an engine's users walk the workload: iterations, steps, think times, data rows,
// rendering and configuring a request, and what a finished transfer counts (status,
// latency, checks, extraction). The event loop and curl plumbing are in engine.cpp; how
// many users run and when iterations arrive, in engine_load.cpp.

#include <algorithm>
#include <string>
#include <string_view>

#include "agent/engine.hpp"
#include "agent/failure_classifier.hpp"
#include "agent/think_time.hpp"

namespace grid::agent {
namespace {

bool h2c_reuse_broken() {
  static const bool broken = curl_version_info(CURLVERSION_NOW)->version_num < 0x080000;
  return broken;
}

uint16_t http_version_code(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0:
      return 10;
    case CURL_HTTP_VERSION_1_1:
      return 11;
    case CURL_HTTP_VERSION_2_0:
      return 20;
    case CURL_HTTP_VERSION_3:
      return 30;
    default:
      return 0;
  }
}

// Keeps at most this much of a response for checks and extraction; the rest is counted
// in bytes_received but not kept (a check then sees the first 8 MiB).
constexpr size_t kMaxKeptBody = 8u << 20;

}  // namespace

size_t Engine::on_body(char* data, size_t size, size_t nmemb, void* userp) {
  auto* user = static_cast<VirtualUser*>(userp);
  const size_t n = size * nmemb;
  if (user->capture_body && user->response_body.size() < kMaxKeptBody) {
    user->response_body.append(data, std::min(n, kMaxKeptBody - user->response_body.size()));
  }
  return n;
}

size_t Engine::on_header(char* data, size_t size, size_t nmemb, void* userp) {
  auto* user = static_cast<VirtualUser*>(userp);
  const size_t n = size * nmemb;
  // A new header block (after a 1xx response) replaces the previous one.
  if (n > 5 && std::string_view(data, 5) == "HTTP/") user->response_headers.clear();
  if (user->response_headers.size() < 65536) user->response_headers.append(data, n);
  return n;
}

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

void Engine::finish_transfer(CURL* easy, CURLcode result, int64_t now_ns) {
  VirtualUser* user = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, reinterpret_cast<char**>(&user));
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  long request_size = 0, header_size = 0;
  curl_off_t body_size = 0;
  curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_size);
  curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &header_size);
  curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &body_size);

  const CompiledRequest& req = work_.requests[user->request];
  wire::RequestStats& s = stats_[user->request];
  ++s.requests;
  s.bytes_sent += static_cast<uint64_t>(request_size);
  s.bytes_received += static_cast<uint64_t>(header_size) + static_cast<uint64_t>(body_size);
  auto failure = classify_transfer(result, status, req.spec.expects(status));
  if (result == CURLE_COULDNT_CONNECT && !user->refused_target.empty() && !user->opened_allowed) {
    failure = wire::FailureKind::not_allowed;
    problem("request '" + req.spec.name + "': " + user->refused_target);
  }
  if (failure) ++s.failures[*failure];
  if (status > 0) {
    s.count_status(static_cast<uint16_t>(status));
    long version = 0;
    curl_easy_getinfo(easy, CURLINFO_HTTP_VERSION, &version);
    if (const uint16_t code = http_version_code(version)) s.count_http_version(code);
  }
  if (status > 0 || failure == wire::FailureKind::timeout) {
    const auto service_us = static_cast<uint64_t>(std::max<int64_t>(0, now_ns - user->started_ns) / 1000);
    if (work_.model == wire::LoadModel::open) {
      // Coordinated omission corrected: from when the request was due, not when it began.
      s.latency_us.record(static_cast<uint64_t>(std::max<int64_t>(0, now_ns - user->intended_ns) / 1000));
      s.service_us.record(service_us);
    } else {
      s.latency_us.record(service_us);
    }
  }
  if (!failure && (req.needs_body || req.needs_headers || !req.spec.extracts.empty())) check_response(*user, req, s);

  curl_multi_remove_handle(multis_[user->multi], easy);
  --in_flight_;
  last_completion_ns_ = now_ns;
  ++user->step;
  if (stopping_ || (work_.model == wire::LoadModel::closed && user->id >= wanted_)) {
    user->state = VirtualUser::State::finished;
    --active_;
    return;
  }
  run_steps(*user, now_ns, now_ns);
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
  user.fresh_connection = work_.connections == wire::ConnectionReuse::per_iteration;
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
  if (user.headers) curl_slist_free_all(user.headers);
  user.headers = nullptr;
  std::string line;
  for (const auto& h : req.headers) {
    line.clear();
    if (!user.vars.render(h, line, rng_, &missing)) {
      problem("request '" + req.spec.name + "': variable '" + missing + "' is not set");
      return false;
    }
    user.headers = curl_slist_append(user.headers, line.c_str());
  }
  if (!user.body.empty()) user.headers = curl_slist_append(user.headers, "Expect:");
  return true;
}

void Engine::configure(VirtualUser& user, const CompiledRequest& req, bool rendered) {
  CURL* e = user.easy;
  const auto& spec = req.spec;
  const std::string& body = rendered ? user.body : spec.body;
  curl_easy_setopt(e, CURLOPT_URL, rendered ? user.url.c_str() : spec.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, rendered ? user.headers : header_lists_[user.request]);
  if (user.configured_request == static_cast<int32_t>(user.request) && !rendered) return;
  if (user.configured_request != static_cast<int32_t>(user.request)) {
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout_ms));
    const bool tls = spec.url.rfind("https://", 0) == 0;
    long version = CURL_HTTP_VERSION_1_1;
    if (spec.http == wire::HttpVersion::http2)
      version = tls ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, version);
    // libcurl before 8.0 breaks a reused h2c (prior knowledge) connection: every second
    // request fails "Error in the HTTP2 framing layer" (curl/curl#10634, fixed by #10643;
    // Debian 12 ships 7.88). There, each h2c request gets a new connection instead.
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE,
                     version == CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE && h2c_reuse_broken() ? 1L : 0L);
    if (tls) {
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, spec.tls_verify ? 1L : 0L);
      curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, spec.tls_verify ? 2L : 0L);
      if (!spec.ca_pem.empty()) {
        curl_blob blob{const_cast<char*>(spec.ca_pem.data()), spec.ca_pem.size(), CURL_BLOB_NOCOPY};
        curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
      }
    }
    user.capture_body = req.needs_body;
    user.capture_headers = req.needs_headers;
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, req.needs_headers ? &Engine::on_header : nullptr);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, req.needs_headers ? &user : nullptr);
  }
  if (spec.method == "GET" && body.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, nullptr);
  } else if (spec.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, nullptr);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, spec.method == "POST" ? nullptr : spec.method.c_str());
  }
  user.configured_request = static_cast<int32_t>(user.request);
}

// Starts request `request` for `user`. False when it could not be sent: a variable was
// missing (an `assertion` failure) or curl refused it (`other`); either is counted.
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
  configure(user, req, !req.literal);
  if (work_.connections == wire::ConnectionReuse::per_iteration) {
    curl_easy_setopt(user.easy, CURLOPT_FRESH_CONNECT, user.fresh_connection ? 1L : 0L);
    user.fresh_connection = false;
  }
  if (user.capture_body) user.response_body.clear();
  if (user.capture_headers) user.response_headers.clear();
  user.started_ns = now_ns;
  user.intended_ns = intended_ns;
  user.refused_target.clear();
  user.opened_allowed = false;
  if (curl_multi_add_handle(multis_[user.multi], user.easy) != CURLM_OK) {
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

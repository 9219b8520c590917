#include "broker/broker_node.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "broker/api_router.hpp"
#include "broker/console_view.hpp"
#include "broker/http_server.hpp"
#include "broker/report_file.hpp"
#include "broker/web_assets.hpp"
#include "protocol/common/child_budgets.hpp"
#include "protocol/common/cpu_pressure.hpp"
#include "protocol/common/exit_codes.hpp"
#include "protocol/common/version.hpp"

namespace grid::broker {
namespace {

constexpr unsigned kFinishedSnapshots = 3;  // PUB may drop one: the end is said a few times

}  // namespace

BrokerNode::BrokerNode(zmq::context_t& context, Campaign campaign, BrokerOptions options, const common::Clock& clock)
    : campaign_(std::move(campaign)),
      options_(std::move(options)),
      clock_(clock),
      log_(common::make_logger(options_.id)),
      own_logs_(log_),
      echo_log_(common::make_stderr_logger(options_.id)),
      children_(
          context, options_.listen, options_.heartbeat, clock_, [this] { return broker_now(); }, options_.id, log_,
          options_.security),
      tick_(options_.heartbeat, clock_.steady_now()),
      writer_(options_.results_dir, options_.max_log_lines),
      merger_(options_.merge_grace),
      tty_(isatty(STDERR_FILENO) == 1),
      log_limits_(common::LogLimits::kRate * common::LogLimits::kForwardFactor,
                  common::LogLimits::kBurst * common::LogLimits::kForwardFactor),
      health_(options_.health_file, log_, clock_.steady_now()) {
  loop_.watch(children_.reports());
  if (!campaign_.text.empty()) writer_.write_campaign(campaign_.text);
  const auto now_ms = static_cast<uint64_t>(common::to_unix_us(broker_now()) / 1000);
  plan_.epoch = now_ms;  // grows across broker restarts too
  plan_.state = wire::CampaignState::waiting;
  plan_.campaign_name = campaign_.name;
  plan_.campaign_id = campaign_.name + "@" + std::to_string(now_ms);
  plan_.requests = campaign_.requests;
  plan_.users = campaign_.users;
  plan_.spawn_rate = campaign_.spawn_rate;
  plan_.think_time_ms = static_cast<uint32_t>(campaign_.think_time.count());
  plan_.duration_ms = static_cast<uint64_t>(campaign_.duration.count());
  plan_.interval_ms = static_cast<uint32_t>(campaign_.interval.count());
  plan_.model = campaign_.model;
  plan_.rate = campaign_.rate;
  plan_.stages = campaign_.stages;
  plan_.scenarios = campaign_.scenarios;
  plan_.data = campaign_.data;
  plan_.connections = campaign_.connections;
  std::vector<wire::RowRange> pool;
  for (const auto& feed : campaign_.data) {
    pool.push_back(feed.mode == wire::FeedMode::unique ? wire::RowRange{0, feed.rows.size()} : wire::RowRange{});
  }
  rows_.set_pool(pool);
  info_.campaign = campaign_.name;
  info_.version = std::string(common::software_version());
  info_.duration_ms = plan_.duration_ms;
  info_.users = campaign_.users;
  info_.interval_ms = plan_.interval_ms;
  start_http();
}

BrokerNode::~BrokerNode() = default;

double BrokerNode::elapsed_s() const {
  if (plan_.start_unix_us == 0) return 0;
  return std::max<double>(0, static_cast<double>(common::to_unix_us(broker_now()) - plan_.start_unix_us) / 1e6);
}

void BrokerNode::on_stats(const std::string& sender, wire::StatsReport report) {
  if (report.campaign_id != plan_.campaign_id) {
    stale_windows_ += report.windows.size();
    return;
  }
  // Budgets go to regions through the broker's direct children, so requests are
  // attributed the same way: everything that comes up through a relay is its region's.
  const auto& children = children_.registry().children();
  if (const auto it = children.find(sender); it != children.end() && it->second.kind == wire::NodeKind::relay) {
    for (auto& w : report.windows) {
      for (auto& s : w.sources) s.region = it->second.region;
    }
  }
  const int64_t now_us = common::to_unix_us(broker_now());
  if (report.resent) resent_windows_ += report.windows.size();
  for (auto& w : report.windows) {
    if (accounting_.accept(w, report.resent) != Acceptance::counted) continue;  // a pair already counted: never twice
    run_.add(w);
    region_counts_.add(w);
    region_windows_.add(w);
    const int64_t freshness = now_us - static_cast<int64_t>(w.end_ms()) * 1000;
    // One sample per (agent, window) pair, so a relay's merged window weighs as many.
    report_.freshness_us.record_n(static_cast<uint64_t>(std::max<int64_t>(0, freshness)), w.sources.size());
    merger_.add(std::move(w));  // for display; late parts are already in the totals
  }
}

// The longest a lost child's agents can keep firing: their dead-man timeout, then the
// longest request timeout to drain, from the child's last sign of life.
void BrokerNode::hold_share(const common::ChildInfo& child) {
  if (plan_.state != wire::CampaignState::running) return;
  uint32_t longest = 0;
  for (const auto& r : campaign_.requests) longest = std::max(longest, r.timeout_ms);
  const auto margin = std::chrono::milliseconds(longest) + 2 * options_.heartbeat;
  for (const auto& b : plan_.budgets) {
    if (b.child_id == child.id) held_.hold(b, common::reservation_end(child, margin), common::reported_agents(child));
  }
}

void BrokerNode::on_child_left(const common::ChildInfo& child) {
  // An agent that said bye drained its users first; a relay's agents may still run.
  if (child.kind == wire::NodeKind::relay) hold_share(child);
}

// An agent's CPU share stepped (CpuPressure): the next snapshot splits with it.
void BrokerNode::on_child_cpu_share(const common::ChildInfo& child, double before) {
  warn(common::cpu_share_change(child.id, child.cpu_pressure, before));
}

// Agents' announced start ceilings, and agents seen running again under a live child.
void BrokerNode::note_agents() {
  for (const auto& [id, c] : children_.registry().children()) {
    const bool live = !c.lost && !c.left;
    for (const auto& a : c.agent_loads) {
      if (a.campaign_id != plan_.campaign_id) continue;
      // The last announcement of a lost agent counts too: it bounds what it sent.
      accounting_.note_start_ceiling(a.agent_id, a.start_ceiling);
      // Its region is the child's (as its windows' are), even before it sent any window.
      accounting_.know(a.agent_id, c.region);
      if (live && !a.lost) accounting_.mark_alive(a.agent_id);
    }
  }
}

// Held shares end when the child is back, when every agent it ran has reappeared under
// another live child, or when its agents' dead-man timeout has passed.
void BrokerNode::review_holds(common::SteadyTime now) {
  if (held_.empty()) return;
  bool changed = !held_.expire(now).empty();
  std::set<std::string> running;
  for (const auto* c : children_.registry().live()) {
    for (const auto& id : common::reported_agents(*c)) running.insert(id);
  }
  std::vector<std::string> release;
  for (const auto& [id, h] : held_.held()) {
    const auto& children = children_.registry().children();
    const auto it = children.find(id);
    const bool back = it != children.end() && !it->second.lost && !it->second.left;
    const bool moved = std::all_of(h.agents.begin(), h.agents.end(), [&](const auto& a) { return running.count(a); });
    if (back || moved) release.push_back(id);
  }
  for (const auto& id : release) changed = held_.release(id) || changed;
  if (changed) children_.plan_changed();
}

void BrokerNode::on_child_lost(const common::ChildInfo& child) {
  hold_share(child);
  report_.lost.push_back(fmt::format("{} ({}) at {:.1f}s", child.id,
                                     child.kind == wire::NodeKind::relay ? "relay" : "agent", elapsed_s()));
  if (child.kind == wire::NodeKind::agent) accounting_.mark_lost(child.id);
  warn("child " + child.id + " lost (" + children_.loss_rule() +
       "); its users go to its siblings once its agents have stopped or moved");
}

// Splits the campaign's users over regions (weights) and then over live children by
// capacity, capped, and writes the budgets into the plan.
void BrokerNode::rebalance() {
  review_holds(clock_.steady_now());
  const auto live = children_.registry().live();
  plan_.budgets = held_.split(campaign_.users, campaign_.spawn_rate, campaign_.regions, live);
  rows_.assign(plan_.budgets);
  report_.regions.clear();
  for (const auto& [region, weight] : campaign_.regions) report_.regions[region];
  uint64_t placed = 0;
  for (size_t i = 0; i < live.size(); ++i) {
    report_.regions[live[i]->region].users += plan_.budgets[i].users;
    placed += plan_.budgets[i].users;
  }
  for (const auto& [id, h] : held_.held()) placed += h.budget.users;  // held for a lost child: still its
  if (placed < campaign_.users && !live.empty() && plan_.state == wire::CampaignState::running) {
    warn("only " + std::to_string(placed) + " of " + std::to_string(campaign_.users) +
         " users could be placed (regions without nodes, or caps)");
  }
}

void BrokerNode::publish() {
  bool changed = children_.snapshot_changed();
  if (changed) {
    if (plan_.state == wire::CampaignState::running) rebalance();
    busy_stale_ = true;
  }
  // Acknowledgements are state like the rest: a new one is a new snapshot.
  if (auto acks = accounting_.acks(); acks != plan_.acks) {
    plan_.acks = std::move(acks);
    changed = true;
  }
  if (changed) ++plan_.epoch;
  children_.publish(plan_);
}

void BrokerNode::set_state(wire::CampaignState state) {
  plan_.state = state;
  children_.plan_changed();
}

void BrokerNode::begin_running() {
  set_state(wire::CampaignState::running);
  plan_.start_unix_us = common::to_unix_us(broker_now() + options_.lead_time);
  double capacity = 0;
  for (const auto* c : children_.registry().live()) capacity += c->capacity;
  info_.threads = static_cast<unsigned>(capacity + 0.5);
  info_.started_unix_ms = static_cast<uint64_t>(plan_.start_unix_us / 1000);
  log_->info("campaign {} starts with {} agents, {} users, results in {}", campaign_.name,
             children_.registry().live_agents(), campaign_.users, writer_.dir());
}

void BrokerNode::begin_stopping(common::SteadyTime now) {
  set_state(wire::CampaignState::stopping);
  // Bounded drain: the longest request timeout, plus windows in transit.
  uint32_t longest = 0;
  for (const auto& r : campaign_.requests) longest = std::max(longest, r.timeout_ms);
  drain_deadline_ = now + std::chrono::milliseconds(longest) + 3 * campaign_.interval + std::chrono::seconds(2);
}

// Waiting for agents: starts when enough are ready, or at the deadline with those there
// are. False when the campaign will not start (none joined, or a stop came first).
bool BrokerNode::wait_for_agents(common::SteadyTime now) {
  const uint32_t live_agents = children_.registry().live_agents();
  const uint32_t wanted = std::max(1u, options_.expect_agents);
  if (loop_.stop_requested()) {
    log_->error("stopped before the campaign started ({} of {} agents had joined)", live_agents, wanted);
    exit_code_ = common::kExitCannotStart;
    return false;
  }
  if (live_agents >= wanted) {
    begin_running();
  } else if (now >= expect_deadline_) {
    if (live_agents == 0) {
      log_->error("no agent joined within {} ms on {}", options_.expect_timeout.count(), children_.bound_address());
      exit_code_ = common::kExitCannotStart;
      return false;
    }
    warn("only " + std::to_string(live_agents) + " of " + std::to_string(options_.expect_agents) +
         " expected agents joined; starting with them");
    begin_running();
  }
  return true;
}

void BrokerNode::refresh_report() {
  report_.live_agents = children_.registry().live_agents();
  report_.relays = 0;
  report_.rejected_frames = children_.rejected_frames();
  report_.dropped_frames = children_.unsent_frames();
  report_.retained_frames = 0;
  // Agents running now under a live child: a loss some relay reported is over for them.
  std::set<std::string> running;
  for (const auto* c : children_.registry().live()) {
    for (const auto& a : common::reported_agents(*c)) running.insert(a);
  }
  for (const auto& [id, c] : children_.registry().children()) {
    report_.rejected_frames += c.rejected_frames;
    report_.dropped_frames += c.dropped_frames;
    if (!c.lost && !c.left) report_.retained_frames += c.retained_frames;
    if (c.kind == wire::NodeKind::relay && !c.lost && !c.left) ++report_.relays;
    if (c.kind == wire::NodeKind::agent) accounting_.know(id, c.region);
    for (const auto& a : c.lost_agents) {
      if (running.count(a)) continue;
      if (!accounting_.agents().count(a) || !accounting_.agents().at(a).lost) {
        accounting_.mark_lost(a);
        report_.lost.push_back(a + " (agent, reported by " + id + ")");
      }
    }
  }
  report_.agents.clear();
  report_.lost_agents = 0;
  for (auto& [name, r] : report_.regions) r.requests = r.failures = 0;
  for (const auto& [id, a] : accounting_.agents()) {
    report_.agents.push_back(a);
    if (a.lost) ++report_.lost_agents;
    auto& r = report_.regions[a.region];
    r.requests += a.requests;
    r.failures += a.failures;
  }
  report_.failovers = 0;
  report_.coalesced_windows = 0;
  report_.dropped_log_records = dropped_logs_ + own_logs_.overflowed();
  for (const auto& [id, c] : children_.registry().children()) {
    report_.failovers += c.failovers;
    report_.coalesced_windows += c.coalesced_windows;
    report_.dropped_log_records += c.dropped_logs;
  }
  check_clocks();
  report_.resent_windows = resent_windows_;
  report_.unaccounted_requests = accounting_.unaccounted();
  report_.peak_users = accounting_.peak_users();
  report_.duplicate_windows = accounting_.duplicates();
  report_.unattributed_windows = accounting_.unattributed();
  report_.counted_pairs = accounting_.pairs();
  report_.first_request_spread_ms = accounting_.first_request_spread_ms();
  info_.elapsed_s = elapsed_s();
}

// The grid's point of a window shown, and one per request name and per region (the
// regions' from the counted windows RegionWindows held for this index).
std::vector<NamedPoint> BrokerNode::append_series(const wire::StatsWindow& w) {
  series_.append(series_point(w, info_.started_unix_ms, info_.ended_unix_ms));
  std::vector<NamedPoint> named;
  for (const auto& [name, stats] : w.requests) {
    named.push_back({"request", name, series_point(stats, w, info_.started_unix_ms, info_.ended_unix_ms)});
    named_series_.requests[name].append(named.back().point);
  }
  for (const auto& [region, rw] : region_windows_.take(w.index)) {
    named.push_back({"region", region, series_point(rw, info_.started_unix_ms, info_.ended_unix_ms)});
    named_series_.regions[region].append(named.back().point);
  }
  return named;
}

void BrokerNode::show_windows(std::vector<wire::StatsWindow> windows) {
  // Once the load is over, the last window's rate covers only up to the last request.
  if (plan_.state != wire::CampaignState::running && plan_.start_unix_us > 0) {
    info_.ended_unix_ms = static_cast<uint64_t>(std::max<int64_t>(0, accounting_.last_completion_unix_us() / 1000));
  }
  check_thresholds_live(windows);
  for (const auto& w : windows) {
    refresh_report();
    const std::vector<NamedPoint> named = append_series(w);
    if (!results_failed_) {
      try {
        writer_.on_window(info_, w, run_, &report_, &named);
      } catch (const std::exception& e) {
        // The results are what a campaign is for: without them it stops, and exits 1.
        log_->error("{}; stopping the campaign", e.what());
        results_failed_ = true;
      }
    }
    if (options_.quiet) continue;
    // Region rows matter with several regions; the health line when it changes.
    const std::string lines = grid_lines(report_, w);
    const auto health_at = lines.rfind("  agents:");
    const std::string health = lines.substr(health_at);
    std::string extra = report_.regions.size() > 1 ? lines.substr(0, health_at) : std::string();
    if (health != last_health_) extra += health;
    last_health_ = health;
    fmt::print(stderr, "{}\n{}", progress_line(info_, w, tty_), extra);
  }
  std::fflush(stderr);
  if (!windows.empty()) publish_api(true);
}

void BrokerNode::update_thresholds(double elapsed_s) {
  info_.thresholds = evaluate_thresholds(campaign_.thresholds, run_.total(), run_.by_name(), elapsed_s);
  if (aborted_by_) info_.thresholds[*aborted_by_].pass = false;  // an aborted run fails
}

// At every window shown: the thresholds on the merged data so far (summary.json shows
// them while the run goes), and with abort_on_fail, once the grace has passed since the
// start instant, the first one failing with an observed value stops the campaign (step()
// begins stopping, as at the end instant). A threshold without data does not stop it.
void BrokerNode::check_thresholds_live(const std::vector<wire::StatsWindow>& windows) {
  if (campaign_.thresholds.empty() || windows.empty() || plan_.start_unix_us == 0) return;
  // rps over what the shown windows cover: up to the end of the newest, not up to now,
  // which the windows still in transit have not reached (rps would look low).
  uint64_t newest_end_ms = 0;
  for (const auto& w : windows) newest_end_ms = std::max(newest_end_ms, w.end_ms());
  const int64_t covered_to_us = std::min(common::to_unix_us(broker_now()), static_cast<int64_t>(newest_end_ms) * 1000);
  update_thresholds(static_cast<double>(std::max<int64_t>(0, covered_to_us - plan_.start_unix_us)) / 1e6);
  if (!campaign_.abort_on_fail || aborted_by_ || plan_.state != wire::CampaignState::running) return;
  if (broker_now() < common::from_unix_us(plan_.start_unix_us) + campaign_.abort_grace) return;
  const auto failing = first_observed_failure(info_.thresholds);
  if (!failing) return;
  aborted_by_ = failing;
  const ThresholdResult& r = info_.thresholds[*failing];
  info_.aborted_by = r.label();
  warn(fmt::format("threshold {} failed (observed {}): stopping the campaign (abort_on_fail)", r.label(),
                   format_observed(r.unit, r.value)));
}

void BrokerNode::start() {
  expect_deadline_ = clock_.steady_now() + options_.expect_timeout;
  log_->info("listening on {}, waiting for {} agent(s)", children_.bound_address(),
             std::max(1u, options_.expect_agents));
}

bool BrokerNode::step() {
  if (aborted_.load(std::memory_order_relaxed)) {
    if (plan_.start_unix_us != 0) interrupted_ = true;
    if (exit_code_ == common::kExitOk)
      exit_code_ = plan_.start_unix_us != 0 ? common::kExitFailure : common::kExitCannotStart;
    log_->error("aborted by a second signal: results as they stand, no drain");
    return false;
  }
  update_health();
  children_.drain(*this);
  take_own_logs();
  const common::SteadyTime now = clock_.steady_now();
  if (tick_.due(now)) {
    check_loop_cpu(now);
    children_.expire(*this);
    note_agents();
    review_holds(now);
    busy_stale_ = true;  // relays report their busy agents in heartbeats
    refresh_report();    // agents that relays declared lost count as done when draining
  }
  switch (plan_.state) {
    case wire::CampaignState::idle:
    case wire::CampaignState::waiting:
      if (!wait_for_agents(now)) return false;
      break;
    case wire::CampaignState::running:
      if (broker_now() >= common::from_unix_us(plan_.end_unix_us()) || loop_.stop_requested() || results_failed_ ||
          aborted_by_) {
        // Stopped by a signal before its end: the summary says so ("interrupted").
        interrupted_ = loop_.stop_requested() && broker_now() < common::from_unix_us(plan_.end_unix_us());
        begin_stopping(now);
      }
      break;
    case wire::CampaignState::stopping:
      // Every agent that ran has sent its final window (or was lost), or the drain is over.
      if (accounting_.all_final() || now >= drain_deadline_) set_state(wire::CampaignState::finished);
      break;
    case wire::CampaignState::finished:
      break;
  }
  if (busy_stale_) {
    busy_agents_ = children_.registry().busy_agents(plan_.budgets);
    busy_stale_ = false;
  }
  show_windows(merger_.release(broker_now(), busy_agents_));
  publish_api(false);
  if (children_.snapshot_due()) {
    publish();
    if (plan_.state == wire::CampaignState::finished) {
      // Said a few times, a throttle gap apart, while late windows still come in.
      if (++finished_snapshots_ >= kFinishedSnapshots) return false;
      children_.plan_changed();
    }
  }
  return true;
}

int BrokerNode::finish() {
  if (plan_.start_unix_us == 0) return exit_code_;  // never started: nothing to report
  children_.drain(*this);
  show_windows(merger_.release_all());
  refresh_report();
  // Rates cover the load itself: from the start instant to the last completed request,
  // not the moments spent collecting final windows afterwards.
  if (const int64_t last = accounting_.last_completion_unix_us(); last > plan_.start_unix_us) {
    info_.elapsed_s = static_cast<double>(last - plan_.start_unix_us) / 1e6;
  }
  info_.state = interrupted_ ? "interrupted" : "finished";
  if (aborted_.load(std::memory_order_relaxed)) {
    // Tell the children once that it is over, so nobody keeps firing for a dead-man timeout.
    set_state(wire::CampaignState::finished);
    ++plan_.epoch;
    children_.publish(plan_);
  }
  if (!campaign_.thresholds.empty()) update_thresholds(info_.elapsed_s);
  close_logs();
  std::string report_path;
  try {
    if (!results_failed_) {
      writer_.on_finish(info_, run_, &report_);
      // report.html from the files just written, as `loadgrid report` would build it.
      const WrittenReport report = write_report(writer_.dir());
      report_path = report.path;
      if (!report.charts)
        log_->warn("{} not found (Debian's libjs-chart.js): report.html has no charts", chart_js_path());
    }
  } catch (const std::exception& e) {
    log_->error("{}", e.what());
    results_failed_ = true;
  }
  std::cout << final_report(info_, run_, &report_) << "results: " << writer_.dir() << "\n";
  if (!report_path.empty()) std::cout << "report: " << report_path << "\n";
  plan_.state = wire::CampaignState::finished;  // for the API (the children were told already)
  publish_api(true, true);                      // the final figures, the same as the summary's
  if (results_failed_) {
    log_->error("the results in {} are incomplete: a write failed", writer_.dir());
    return common::kExitFailure;
  }
  if (exit_code_ == common::kExitOk && (!all_passed(info_.thresholds) || aborted_by_)) {
    size_t failed = 0;
    for (const auto& r : info_.thresholds) failed += r.pass ? 0 : 1;
    log_->error("{} of {} thresholds failed{}", failed, info_.thresholds.size(),
                aborted_by_ ? "; " + info_.aborted_by + " stopped the run" : std::string());
    take_own_logs();  // logs.jsonl and the API have it (summary.json is written)
    return common::kExitThresholdsFailed;
  }
  return exit_code_;
}

int BrokerNode::run() {
  start();
  loop_.run([this] { return step(); });
  const int code = finish();
  linger_http();
  health_.remove();
  return code;
}

}  // namespace grid::broker

#include "broker/broker_node.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>

#include "broker/console_view.hpp"
#include "protocol/common/budget_split.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/common/zmq_io.hpp"
#include "protocol/common/parent_link.hpp"

namespace grid::broker {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);
constexpr int64_t kClockWarningUs = 50'000;  // offsets above this are warned about

int64_t broker_now_us() { return common::ParentLink::unix_now_us(); }

}  // namespace

BrokerNode::BrokerNode(zmq::context_t& context, Campaign campaign, BrokerOptions options)
    : campaign_(std::move(campaign)),
      options_(std::move(options)),
      children_(context, options_.listen, options_.heartbeat, &broker_now_us, options_.id),
      writer_(options_.results_dir),
      merger_(static_cast<uint64_t>(options_.merge_grace.count())),
      tty_(isatty(STDERR_FILENO) == 1) {
  plan_.epoch = common::unix_now_ms();  // grows across broker restarts too
  plan_.state = static_cast<uint8_t>(wire::CampaignState::waiting);
  plan_.campaign_name = campaign_.name;
  plan_.campaign_id = campaign_.name + "@" + std::to_string(common::unix_now_ms());
  plan_.requests = campaign_.requests;
  plan_.users = campaign_.users;
  plan_.spawn_rate = campaign_.spawn_rate;
  plan_.think_time_ms = static_cast<uint32_t>(campaign_.think_time.count());
  plan_.duration_ms = static_cast<uint64_t>(campaign_.duration.count());
  plan_.interval_ms = static_cast<uint32_t>(campaign_.interval.count());
  info_.campaign = campaign_.name;
  info_.duration_ms = plan_.duration_ms;
  info_.users = campaign_.users;
  info_.interval_ms = plan_.interval_ms;
}

double BrokerNode::elapsed_s() const {
  if (plan_.start_unix_us == 0) return 0;
  return std::max<double>(0, static_cast<double>(broker_now_us() - plan_.start_unix_us) / 1e6);
}

void BrokerNode::warn(const std::string& text) {
  // Bounded: thousands of agents warning every few seconds must not grow the summary
  // (or the console) without limit over a soak test.
  constexpr size_t kMaxWarnings = 1000;
  if (report_.warnings.size() >= kMaxWarnings) {
    ++report_.suppressed_warnings;
    return;
  }
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%.1fs] ", elapsed_s());
  report_.warnings.push_back(stamp + text);
  std::fprintf(stderr, "warning: %s\n", text.c_str());
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
  const int64_t now_us = broker_now_us();
  for (auto& w : report.windows) {
    if (!accounting_.accept(w)) continue;  // a pair already counted: never twice
    run_.add(w);
    const int64_t freshness = now_us - static_cast<int64_t>(w.end_ms()) * 1000;
    // One sample per (agent, window) pair, so a relay's merged window weighs as many.
    report_.freshness_us.record_n(static_cast<uint64_t>(std::max<int64_t>(0, freshness)), w.sources.size());
    merger_.add(std::move(w));  // for display; late parts are already in the totals
  }
}

void BrokerNode::on_log(const std::string& sender, const wire::LogRecord& record, const std::string&) {
  if (record.level >= 1) warn(sender + ": " + record.text);
}

void BrokerNode::on_child_lost(const common::ChildInfo& child) {
  char line[256];
  std::snprintf(line, sizeof line, "%s (%s) at %.1fs", child.id.c_str(),
                child.kind == wire::NodeKind::relay ? "relay" : "agent", elapsed_s());
  report_.lost.push_back(line);
  if (child.kind == wire::NodeKind::agent) accounting_.mark_lost(child.id);
  warn("child " + child.id + " lost (silent for 3 heartbeats); its users go to its siblings");
}

// Splits the campaign's users over regions (weights) and then over live children by
// capacity, capped, and writes the budgets into the plan.
void BrokerNode::rebalance() {
  const auto live = children_.registry().live();
  std::vector<common::ChildCapacity> capacities;
  for (const auto* c : live) capacities.push_back({c->region, c->capacity, c->max_users});
  const auto shares = common::split_budget(campaign_.users, campaign_.regions, capacities);
  plan_.budgets.clear();
  report_.regions.clear();
  for (const auto& [region, weight] : campaign_.regions) report_.regions[region];
  uint64_t placed = 0;
  for (size_t i = 0; i < live.size(); ++i) {
    const double rate = campaign_.users ? campaign_.spawn_rate * static_cast<double>(shares[i]) / campaign_.users : 0;
    plan_.budgets.push_back({live[i]->id, static_cast<uint32_t>(shares[i]), rate});
    report_.regions[live[i]->region].users += static_cast<uint32_t>(shares[i]);
    placed += shares[i];
  }
  if (placed < campaign_.users && !live.empty() && plan_.campaign_state() == wire::CampaignState::running) {
    warn("only " + std::to_string(placed) + " of " + std::to_string(campaign_.users) +
         " users could be placed (regions without nodes, or caps)");
  }
}

void BrokerNode::publish() {
  if (changed_) {
    if (plan_.campaign_state() == wire::CampaignState::running) rebalance();
    ++plan_.epoch;
    changed_ = false;
    busy_stale_ = true;
  }
  children_.publish(plan_, options_.id);
}

void BrokerNode::begin_running() {
  plan_.state = static_cast<uint8_t>(wire::CampaignState::running);
  plan_.start_unix_us = broker_now_us() + std::chrono::microseconds(options_.lead_time).count();
  double capacity = 0;
  for (const auto* c : children_.registry().live()) capacity += c->capacity;
  info_.threads = static_cast<unsigned>(capacity + 0.5);
  info_.started_unix_ms = static_cast<uint64_t>(plan_.start_unix_us / 1000);
  changed_ = true;
  if (!options_.quiet) {
    std::fprintf(stderr, "loadgrid broker: campaign %s starts with %u agents, %u users, results in %s\n",
                 campaign_.name.c_str(), children_.registry().live_agents(), campaign_.users, writer_.dir().c_str());
  }
}

void BrokerNode::refresh_report() {
  report_.live_agents = children_.registry().live_agents();
  report_.relays = 0;
  report_.rejected_frames = children_.rejected_frames();
  for (const auto& [id, c] : children_.registry().children()) {
    report_.rejected_frames += c.rejected_frames;
    if (c.kind == wire::NodeKind::relay && !c.lost && !c.left) ++report_.relays;
    if (c.kind == wire::NodeKind::agent) accounting_.know(id, c.region);
    for (const auto& a : c.lost_agents) {
      if (!accounting_.agents().count(a) || !accounting_.agents().at(a).lost) {
        accounting_.mark_lost(a);
        report_.lost.push_back(a + " (agent, reported by " + id + ")");
      }
    }
    if (!c.lost && !c.left && std::llabs(c.clock_offset_us) > kClockWarningUs) {
      if (clock_warned_.insert(id).second) {
        warn("clock of " + id + " is " + std::to_string(c.clock_offset_us / 1000) + " ms off the broker's");
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
  report_.duplicate_windows = accounting_.duplicates();
  report_.unattributed_windows = accounting_.unattributed();
  report_.counted_pairs = accounting_.pairs();
  report_.first_request_spread_ms = accounting_.first_request_spread_ms();
  info_.elapsed_s = elapsed_s();
}

void BrokerNode::show_windows(std::vector<wire::StatsWindow> windows) {
  // Once the load is over, the last window's rate covers only up to the last request.
  if (plan_.campaign_state() != wire::CampaignState::running && plan_.start_unix_us > 0) {
    info_.ended_unix_ms = static_cast<uint64_t>(std::max<int64_t>(0, accounting_.last_completion_unix_us() / 1000));
  }
  for (const auto& w : windows) {
    refresh_report();
    writer_.on_window(info_, w, run_, &report_);
    if (options_.quiet) continue;
    // Region rows matter with several regions; the health line when it changes.
    const std::string lines = grid_lines(report_, w);
    const auto health_at = lines.rfind("  agents:");
    const std::string health = lines.substr(health_at);
    std::string extra = report_.regions.size() > 1 ? lines.substr(0, health_at) : std::string();
    if (health != last_health_) extra += health;
    last_health_ = health;
    std::fprintf(stderr, "%s\n%s", progress_line(info_, w, tty_).c_str(), extra.c_str());
  }
  std::fflush(stderr);
}

int BrokerNode::run() {
  const int64_t heartbeat_ns = std::chrono::nanoseconds(options_.heartbeat).count();
  expect_deadline_ns_ = common::steady_now_ns() + std::chrono::nanoseconds(options_.expect_timeout).count();
  int64_t next_tick = common::steady_now_ns();
  int64_t last_publish = 0;
  if (!options_.quiet) {
    std::fprintf(stderr, "loadgrid broker: listening on %s, waiting for %u agent(s)\n", children_.bound_address().c_str(),
                 std::max(1u, options_.expect_agents));
  }
  for (;;) {
    zmq::pollitem_t items[] = {{children_.reports().handle(), 0, ZMQ_POLLIN, 0}};
    common::poll(items, 1, kPollInterval);
    children_.drain(*this);
    const int64_t now = common::steady_now_ns();
    if (now >= next_tick) {
      children_.expire(*this);
      next_tick = std::max(next_tick + heartbeat_ns, now);
      busy_stale_ = true;  // relays report their busy agents in heartbeats
      refresh_report();    // agents that relays declared lost count as done when draining
    }
    const auto state = plan_.campaign_state();
    const uint32_t live_agents = children_.registry().live_agents();
    if (state == wire::CampaignState::waiting) {
      if (live_agents >= std::max(1u, options_.expect_agents)) {
        begin_running();
      } else if (now >= expect_deadline_ns_ || stop_.load(std::memory_order_relaxed)) {
        if (live_agents == 0) {
          std::fprintf(stderr, "loadgrid broker: no agent joined within %lld ms on %s\n",
                       static_cast<long long>(options_.expect_timeout.count()), options_.listen.c_str());
          return 3;
        }
        warn("only " + std::to_string(live_agents) + " of " + std::to_string(options_.expect_agents) +
             " expected agents joined; starting with them");
        begin_running();
      }
    } else if (state == wire::CampaignState::running) {
      if (broker_now_us() >= plan_.end_unix_us() || stop_.load(std::memory_order_relaxed)) {
        plan_.state = static_cast<uint8_t>(wire::CampaignState::stopping);
        changed_ = true;
        // Bounded drain: the longest request timeout, plus windows in transit.
        uint32_t longest = 0;
        for (const auto& r : campaign_.requests) longest = std::max(longest, r.timeout_ms);
        drain_deadline_ns_ = now + (int64_t{longest} + 3 * plan_.interval_ms + 2000) * 1'000'000;
      }
    } else if (state == wire::CampaignState::stopping) {
      // Every agent that ran has sent its final window (or was lost), or the drain is over.
      if (accounting_.all_final() || now >= drain_deadline_ns_) break;
    }
    const uint64_t now_ms = static_cast<uint64_t>(broker_now_us() / 1000);
    if (busy_stale_) {
      busy_agents_ = children_.registry().busy_agents(plan_.budgets);
      busy_stale_ = false;
    }
    show_windows(merger_.release(now_ms, busy_agents_));
    // Snapshots go out on a change (at most ten a second: thousands of children joining
    // must not mean thousands of snapshots) and every second regardless (late joiners).
    if ((changed_ && now >= last_publish + 100'000'000) || now >= last_publish + 1'000'000'000) {
      publish();
      last_publish = now;
    }
  }
  // Finished: tell the children (PUB may drop one snapshot; send a few), show the rest.
  plan_.state = static_cast<uint8_t>(wire::CampaignState::finished);
  changed_ = true;
  for (int i = 0; i < 3; ++i) {
    publish();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    children_.drain(*this);
  }
  show_windows(merger_.release_all());
  refresh_report();
  // Rates cover the load itself: from the start instant to the last completed request,
  // not the moments spent collecting final windows afterwards.
  if (const int64_t last = accounting_.last_completion_unix_us(); last > plan_.start_unix_us) {
    info_.elapsed_s = static_cast<double>(last - plan_.start_unix_us) / 1e6;
  }
  info_.state = "finished";
  writer_.on_finish(info_, run_, &report_);
  std::cout << final_report(info_, run_, &report_) << "results: " << writer_.dir() << "\n";
  return 0;
}

}  // namespace grid::broker

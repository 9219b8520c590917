// BrokerNode's side of the central log (docs/adr/0018): records of every node, its own
// warnings and errors, and the warnings it makes itself (loop CPU, clocks). Each record
// goes to logs.jsonl (flushed at once), summary.json's `warnings` (the first 1,000) and
// the API's recent logs.

#include <algorithm>

#include <fmt/format.h>

#include "broker/broker_node.hpp"

namespace grid::broker {
namespace {

constexpr size_t kMaxWarnings = 1000;

int64_t unix_ms(common::WallTime t) { return common::to_unix_us(t) / 1000; }

}  // namespace

void BrokerNode::warn(const std::string& text) {
  log_->warn("{}", text);
  take_own_logs();  // in the summary at once, like everything decided in this step
}

void BrokerNode::take_own_logs() {
  for (auto& r : own_logs_.take()) add_log(options_.id, r.level, std::move(r.message), unix_ms(r.time), true);
}

void BrokerNode::on_log(const std::string& sender, const wire::LogRecord& record, const std::string&) {
  if (record.level < wire::LogLevel::warning) return;  // info: not central
  // An older node's record names no node and no time: the sender and the arrival.
  const std::string& node = record.node.empty() ? sender : record.node;
  if (!log_limits_.try_take(node, clock_.steady_now())) {
    ++dropped_logs_;
    return;
  }
  const int64_t time = record.time_unix_ms > 0 ? record.time_unix_ms : unix_ms(broker_now());
  add_log(utf8_or_replaced(common::cut_message(node, 256)), record.level,
          utf8_or_replaced(common::cut_message(record.text)), time, false);
}

void BrokerNode::add_log(const std::string& node, wire::LogLevel level, std::string message, int64_t time_unix_ms,
                         bool own, bool past_limit) {
  LogEntry entry;
  entry.time_unix_ms = time_unix_ms;
  const int64_t start_ms = plan_.start_unix_us / 1000;
  entry.elapsed_s =
      plan_.start_unix_us > 0 ? static_cast<double>(std::max<int64_t>(0, time_unix_ms - start_ms)) / 1e3 : 0.0;
  entry.node = node;
  entry.level = level == wire::LogLevel::error ? "error" : "warning";
  entry.message = std::move(message);
  if (!own) {
    echo_log_->log(level == wire::LogLevel::error ? spdlog::level::err : spdlog::level::warn, "{}: {}", entry.node,
                   entry.message);
  }
  // Bounded: thousands of agents warning every few seconds must not grow the summary
  // without limit over a soak test. Warnings and errors both: the compact list.
  if (report_.warnings.size() >= kMaxWarnings) {
    ++report_.suppressed_warnings;
  } else {
    report_.warnings.push_back(own ? fmt::format("[{:.1f}s] {}", entry.elapsed_s, entry.message)
                                   : fmt::format("[{:.1f}s] {}: {}", entry.elapsed_s, node, entry.message));
  }
  const LogEntry& kept = recent_logs_.append(std::move(entry));
  if (results_failed_) return;
  try {
    writer_.append_log(kept, past_limit);
  } catch (const std::exception& e) {
    // As a failed window write: the results are what a campaign is for.
    results_failed_ = true;
    log_->error("{}; stopping the campaign", e.what());
  }
}

// At the end: what is still queued, and the closing line of a logs.jsonl that was full.
void BrokerNode::close_logs() {
  take_own_logs();
  if (const uint64_t n = writer_.unwritten_logs()) {
    add_log(options_.id, wire::LogLevel::warning,
            fmt::format("{} more log record(s) were not written to logs.jsonl: it keeps the first {} (GET "
                        "/api/v1/logs had the latest)",
                        n, options_.max_log_lines),
            unix_ms(broker_now()), true, true);
  }
}

// Every tick: the loop thread's CPU since the last tick. The loop is the broker's
// bottleneck (agents in `loadgrid run` have their own threads, so they never count).
void BrokerNode::check_loop_cpu(common::SteadyTime now) {
  const double cpu = thread_cpu_seconds();
  if (loop_cpu_at_ != common::SteadyTime{} && now > loop_cpu_at_) {
    const double load = (cpu - loop_cpu_seconds_) / std::chrono::duration<double>(now - loop_cpu_at_).count();
    if (loop_cpu_alarm_.observe(load, now)) warn(broker_cpu_warning(load, loop_cpu_alarm_.streak()));
  }
  loop_cpu_seconds_ = cpu;
  loop_cpu_at_ = now;
}

// Clocks further off than the bound, once per node: direct children from their
// heartbeats, agents below relays from their stats windows.
void BrokerNode::check_clocks() {
  auto check = [&](const std::string& id, int64_t offset_us) {
    if (clock_warned_.count(id)) return;
    if (auto text = clock_offset_warning(id, offset_us, options_.max_clock_offset)) {
      clock_warned_.insert(id);
      warn(*text);
    }
  };
  for (const auto* c : children_.registry().live()) check(c->id, c->clock_offset_us);
  for (const auto& [id, a] : accounting_.agents()) {
    if (!a.lost) check(id, a.clock_offset_us);
  }
}

}  // namespace grid::broker

#include "agent/nic_throughput.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

namespace grid::agent {
namespace {

constexpr unsigned kLoopbackFlag = 0x8;  // IFF_LOOPBACK

// The first token of a small sysfs file, or std::nullopt when it cannot be read.
std::optional<std::string> read_token(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string token;
  if (!(in >> token)) return std::nullopt;
  return token;
}

std::optional<int64_t> read_integer(const std::filesystem::path& path, int base = 10) {
  const auto token = read_token(path);
  if (!token) return std::nullopt;
  try {
    size_t used = 0;
    const long long v = std::stoll(*token, &used, base);
    if (used != token->size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::vector<NicCounters> read_nic_counters(const std::string& root) {
  std::vector<NicCounters> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == "lo") continue;
    if (const auto flags = read_integer(entry.path() / "flags", 16); flags && (*flags & kLoopbackFlag)) continue;
    const auto rx = read_integer(entry.path() / "statistics" / "rx_bytes");
    const auto tx = read_integer(entry.path() / "statistics" / "tx_bytes");
    if (!rx || !tx || *rx < 0 || *tx < 0) continue;
    NicCounters c;
    c.name = name;
    c.rx_bytes = static_cast<uint64_t>(*rx);
    c.tx_bytes = static_cast<uint64_t>(*tx);
    c.speed_mbps = read_integer(entry.path() / "speed").value_or(0);
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

std::vector<NicLoad> nic_loads(const std::vector<NicCounters>& before, const std::vector<NicCounters>& after,
                               std::chrono::nanoseconds elapsed) {
  std::vector<NicLoad> out;
  const double seconds = std::chrono::duration<double>(elapsed).count();
  if (seconds <= 0) return out;
  for (const auto& a : after) {
    if (a.speed_mbps <= 0) continue;
    const auto b = std::find_if(before.begin(), before.end(), [&](const auto& x) { return x.name == a.name; });
    if (b == before.end() || a.rx_bytes < b->rx_bytes || a.tx_bytes < b->tx_bytes) continue;
    NicLoad load;
    load.name = a.name;
    load.speed_mbps = static_cast<double>(a.speed_mbps);
    load.rx_mbps = static_cast<double>(a.rx_bytes - b->rx_bytes) * 8.0 / 1e6 / seconds;
    load.tx_mbps = static_cast<double>(a.tx_bytes - b->tx_bytes) * 8.0 / 1e6 / seconds;
    out.push_back(std::move(load));
  }
  return out;
}

std::optional<std::string> nic_warning(const NicLoad& load, std::chrono::nanoseconds elapsed, double threshold) {
  if (load.speed_mbps <= 0 || load.fraction() <= threshold) return std::nullopt;
  return fmt::format(
      "network interface {} at {:.0f}% of its {:.0f} Mb/s (rx {:.0f} Mb/s, tx {:.0f} Mb/s over {:.0f} s): results "
      "may be limited by this agent's network",
      load.name, load.fraction() * 100, load.speed_mbps, load.rx_mbps, load.tx_mbps,
      std::chrono::duration<double>(elapsed).count());
}

NicMonitor::NicMonitor(std::string root, std::chrono::nanoseconds window) : root_(std::move(root)), window_(window) {}

NicMonitor::Findings NicMonitor::poll(common::SteadyTime now, bool warn) {
  Findings findings;
  if (last_at_ && now < *last_at_ + window_) return findings;
  auto sample = read_nic_counters(root_);
  if (!told_unknown_speed_) {
    told_unknown_speed_ = true;
    std::vector<std::string> unknown;
    for (const auto& c : sample) {
      if (c.speed_mbps <= 0) unknown.push_back(c.name);
    }
    if (!unknown.empty()) {
      constexpr size_t kNamed = 10;
      std::string names;
      for (size_t i = 0; i < std::min(kNamed, unknown.size()); ++i) names += (i ? ", " : "") + unknown[i];
      if (unknown.size() > kNamed) names += fmt::format(" and {} more", unknown.size() - kNamed);
      findings.info =
          "network interface(s) without a reported speed (" + names + "): no throughput warning is possible for them";
    }
  }
  if (last_at_ && warn) {
    const auto elapsed = now - *last_at_;
    for (const auto& load : nic_loads(last_, sample, elapsed)) {
      auto warning = nic_warning(load, elapsed, kThreshold);
      if (!warning) continue;
      auto [it, inserted] = limits_.try_emplace(load.name, std::chrono::minutes(1));
      if (it->second.admit(now)) findings.warnings.push_back(std::move(*warning));
    }
  }
  last_ = std::move(sample);
  last_at_ = now;
  return findings;
}

}  // namespace grid::agent

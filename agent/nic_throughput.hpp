#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "protocol/common/clock.hpp"
#include "protocol/common/log_rate_limit.hpp"

namespace grid::agent {

/// One network interface's byte counters and speed, as Linux reports them in sysfs.
struct NicCounters {
  std::string name;
  uint64_t rx_bytes = 0;
  uint64_t tx_bytes = 0;
  int64_t speed_mbps = 0;  // link speed in Mb/s; 0 or less: not reported (many virtual interfaces)
};

/// The non-loopback interfaces under `root` (normally /sys/class/net): each directory
/// with readable `statistics/rx_bytes` and `statistics/tx_bytes`; `speed` when readable
/// (reading it fails on a link that is down). Loopback (`lo`, or IFF_LOOPBACK in
/// `flags`) is left out: its traffic never leaves the machine. Sorted by name.
std::vector<NicCounters> read_nic_counters(const std::string& root);

/// An interface's throughput over one interval, against its speed.
struct NicLoad {
  std::string name;
  double speed_mbps = 0;
  double rx_mbps = 0;
  double tx_mbps = 0;
  /// The busier direction's share of the speed (links are full duplex).
  double fraction() const { return speed_mbps > 0 ? std::max(rx_mbps, tx_mbps) / speed_mbps : 0.0; }
};

/// Pure: the throughput of every interface in both samples with a known speed (in
/// `after`) over `elapsed`. An interface whose counters went back (reset) is left out.
std::vector<NicLoad> nic_loads(const std::vector<NicCounters>& before, const std::vector<NicCounters>& after,
                               std::chrono::nanoseconds elapsed);

/// Pure: the warning for `load` when its busier direction is above `threshold` (0.8 =
/// 80 %) of the interface's speed, else std::nullopt: "network interface eth0 at 85% of
/// its 1000 Mb/s (rx 12 Mb/s, tx 850 Mb/s over 5 s): results may be limited by this
/// agent's network".
std::optional<std::string> nic_warning(const NicLoad& load, std::chrono::nanoseconds elapsed, double threshold = 0.8);

/// Watches the agent's interfaces: samples them every `window` and says which ones ran
/// above 80 % of their speed over it (each interface at most once a minute), and once,
/// which ones report no speed (no warning is possible for them). Reads sysfs under
/// `root` (AgentOptions::net_sysfs; a test gives it a fake tree). Pure apart from the
/// reading: the caller passes the time.
class NicMonitor {
public:
  static constexpr std::chrono::seconds kWindow{5};
  static constexpr double kThreshold = 0.8;

  explicit NicMonitor(std::string root, std::chrono::nanoseconds window = kWindow);

  struct Findings {
    std::vector<std::string> warnings;  // interfaces near their capacity over the window
    std::optional<std::string> info;    // once: the interfaces without a reported speed
  };
  /// Samples when a window has passed since the last sample (the first call only takes
  /// a sample); empty findings otherwise. With `warn` false (no load running: the
  /// traffic is not ours) it samples and says nothing about throughput.
  Findings poll(common::SteadyTime now, bool warn = true);

private:
  std::string root_;
  std::chrono::nanoseconds window_;
  std::optional<common::SteadyTime> last_at_;
  std::vector<NicCounters> last_;
  bool told_unknown_speed_ = false;
  std::map<std::string, common::LogRateLimit> limits_;  // per interface
};

}  // namespace grid::agent

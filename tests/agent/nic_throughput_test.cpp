// The network throughput warning's pieces: the sysfs reader on a fake tree (the layout
// of /sys/class/net), the pure rule, and the monitor's cadence with times passed in.

#include <filesystem>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "agent/nic_throughput.hpp"
#include "support/child_process.hpp"

using namespace std::chrono_literals;
using grid::agent::NicCounters;
using grid::agent::NicLoad;
using grid::agent::NicMonitor;
using grid::common::SteadyTime;
using grid::test::TempDir;

namespace {

// ROOT/NAME/{speed,flags,statistics/{rx,tx}_bytes}, as sysfs lays them out; an empty
// `speed` leaves the file out (a virtual interface), "-1" is what some drivers say.
void fake_interface(const std::string& root, const std::string& name, uint64_t rx, uint64_t tx,
                    const std::string& speed, const std::string& flags = "0x1003") {
  const auto dir = std::filesystem::path(root) / name;
  std::filesystem::create_directories(dir / "statistics");
  std::ofstream(dir / "statistics" / "rx_bytes") << rx << "\n";
  std::ofstream(dir / "statistics" / "tx_bytes") << tx << "\n";
  std::ofstream(dir / "flags") << flags << "\n";
  if (!speed.empty()) std::ofstream(dir / "speed") << speed << "\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nic_throughput)

BOOST_AUTO_TEST_CASE(the_reader_lists_interfaces_with_counters_and_speed_and_leaves_loopback_out) {
  TempDir root;
  fake_interface(root.path(), "eth0", 100, 200, "1000");
  fake_interface(root.path(), "veth1", 5, 6, "");                                      // no speed file
  fake_interface(root.path(), "tun0", 7, 8, "-1");                                     // speed unknown
  fake_interface(root.path(), "lo", 9, 9, "");                                         // by name
  fake_interface(root.path(), "lo2", 9, 9, "10", "0x9");                               // IFF_LOOPBACK in flags
  std::filesystem::create_directories(std::filesystem::path(root.path()) / "broken");  // no statistics
  const auto got = grid::agent::read_nic_counters(root.path());
  BOOST_TEST_REQUIRE(got.size() == 3u);
  BOOST_TEST(got[0].name == "eth0");
  BOOST_TEST(got[0].rx_bytes == 100u);
  BOOST_TEST(got[0].tx_bytes == 200u);
  BOOST_TEST(got[0].speed_mbps == 1000);
  BOOST_TEST(got[1].name == "tun0");
  BOOST_TEST(got[1].speed_mbps == -1);
  BOOST_TEST(got[2].name == "veth1");
  BOOST_TEST(got[2].speed_mbps == 0);
  BOOST_TEST(grid::agent::read_nic_counters(root.path() + "/missing").empty());
}

BOOST_AUTO_TEST_CASE(throughput_is_bits_per_second_over_the_interval_for_interfaces_with_a_speed) {
  const std::vector<NicCounters> before = {{"eth0", 0, 0, 1000}, {"veth1", 0, 0, 0}, {"eth1", 1000, 1000, 100}};
  // eth0: 500 MB received in 5 s = 800 Mb/s; eth1's counters went back (reset): left out.
  const std::vector<NicCounters> after = {
      {"eth0", 500'000'000, 10'000'000, 1000}, {"veth1", 9'000'000'000, 0, 0}, {"eth1", 10, 10, 100}};
  const auto loads = grid::agent::nic_loads(before, after, 5s);
  BOOST_TEST_REQUIRE(loads.size() == 1u);
  BOOST_TEST(loads[0].name == "eth0");
  BOOST_TEST(loads[0].rx_mbps == 800.0);
  BOOST_TEST(loads[0].tx_mbps == 16.0);
  BOOST_TEST(loads[0].fraction() == 0.8);
  BOOST_TEST(grid::agent::nic_loads(before, after, 0s).empty());
}

BOOST_AUTO_TEST_CASE(an_interface_above_80_percent_of_its_speed_either_way_is_warned_about_and_not_at_80_exactly) {
  NicLoad at_80{"eth0", 1000, 800, 10};
  BOOST_TEST(!grid::agent::nic_warning(at_80, 5s).has_value());
  NicLoad tx_hot{"eth0", 1000, 10, 850};
  const auto w = grid::agent::nic_warning(tx_hot, 5s);
  BOOST_TEST_REQUIRE(w.has_value());
  BOOST_TEST(*w ==
             "network interface eth0 at 85% of its 1000 Mb/s (rx 10 Mb/s, tx 850 Mb/s over 5 s): results may be "
             "limited by this agent's network");
  NicLoad unknown{"veth1", 0, 900, 900};
  BOOST_TEST(!grid::agent::nic_warning(unknown, 5s).has_value());
}

BOOST_AUTO_TEST_CASE(the_monitor_samples_every_window_warns_once_a_minute_per_interface_and_names_speedless_ones_once) {
  TempDir root;
  fake_interface(root.path(), "eth0", 0, 0, "100");
  fake_interface(root.path(), "veth1", 0, 0, "");
  NicMonitor monitor(root.path());
  const SteadyTime t0{1000s};
  auto first = monitor.poll(t0);
  BOOST_TEST(first.warnings.empty());  // a baseline only
  BOOST_TEST_REQUIRE(first.info.has_value());
  BOOST_TEST(*first.info ==
             "network interface(s) without a reported speed (veth1): no throughput warning is possible "
             "for them");
  // 100 Mb/s for 5 s is 62.5 MB; 90 % of it received.
  fake_interface(root.path(), "eth0", 56'250'000, 0, "100");
  BOOST_TEST(monitor.poll(t0 + 4s).warnings.empty());  // not a window yet: no sample
  auto hot = monitor.poll(t0 + 5s);
  BOOST_TEST_REQUIRE(hot.warnings.size() == 1u);
  BOOST_TEST(hot.warnings[0].find("network interface eth0 at 90% of its 100 Mb/s") == 0u, hot.warnings[0]);
  BOOST_TEST(!hot.info.has_value());  // said once
  fake_interface(root.path(), "eth0", 112'500'000, 0, "100");
  BOOST_TEST(monitor.poll(t0 + 10s).warnings.empty());  // still hot, but warned less than a minute ago
  uint64_t rx = 112'500'000;
  std::vector<std::string> later;
  for (int s = 15; s <= 70; s += 5) {
    rx += 56'250'000;
    fake_interface(root.path(), "eth0", rx, 0, "100");
    auto f = monitor.poll(t0 + std::chrono::seconds(s));
    later.insert(later.end(), f.warnings.begin(), f.warnings.end());
  }
  BOOST_TEST(later.size() == 1u);  // a minute after the first
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(nic_throughput_idle)

BOOST_AUTO_TEST_CASE(without_load_running_the_monitor_samples_but_warns_about_nothing_and_keeps_its_minute) {
  TempDir root;
  fake_interface(root.path(), "eth0", 0, 0, "100");
  NicMonitor monitor(root.path());
  const SteadyTime t0{1000s};
  monitor.poll(t0, false);
  fake_interface(root.path(), "eth0", 60'000'000, 0, "100");
  BOOST_TEST(monitor.poll(t0 + 5s, false).warnings.empty());  // someone else's traffic
  fake_interface(root.path(), "eth0", 120'000'000, 0, "100");
  // Load starts: the next window warns at once (the idle one used no warning).
  BOOST_TEST(monitor.poll(t0 + 10s, true).warnings.size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

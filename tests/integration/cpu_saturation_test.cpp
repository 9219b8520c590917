// A saturated agent (issue 8): its engines keep its CPU busy, yet it heartbeats on time
// (heartbeats come from the node thread, never from the engines), so the broker never
// declares it lost. Real broker, agent and target processes; part of suite grid_faults.

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

// CPU time (user + system) the process `pid` has used so far, from /proc/PID/stat.
std::chrono::duration<double> cpu_time_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // After "(comm) ": state, then fields 4..; utime and stime are fields 14 and 15.
  std::istringstream fields(all.substr(all.rfind(')') + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int n = 3; n <= 15 && fields >> field; ++n) {
    if (n == 14) utime = std::stod(field);
    if (n == 15) stime = std::stod(field);
  }
  return std::chrono::duration<double>((utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK)));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(grid_faults)

BOOST_AUTO_TEST_CASE(an_agent_whose_engines_saturate_its_cpu_still_heartbeats_on_time_and_is_never_lost) {
  TargetProcess target;
  TempDir dir;
  // Each response is 64 KiB that a regex without a literal prefix scans from every
  // offset: the agent's one engine thread works far harder than the target serving it,
  // on any machine and in any build.
  const std::string path = dir.path() + "/busy.ini";
  std::ofstream(path) << "[campaign]\nname = busy\nduration = 5s\ninterval = 1s\n[load]\nusers = 8\n"
                      << "[request.scan]\nurl = " << target.url("/bytes/65536")
                      << "\ncheck = regex [a-z]{2}$\ntimeout = 10s\n";
  auto broker = start_broker(path, dir.path(), 1);
  auto agent = start_agent(broker.address, "busy", 1);
  wait_for_summary(dir.path(), *broker, "the run 1 s in",
                   [](nlohmann::json& s) { return s["elapsed_s"].get<double>() >= 1 && requests_of(s, "busy") > 0; });
  const auto wall_1 = std::chrono::steady_clock::now();
  const auto cpu_1 = cpu_time_of(agent->pid());
  wait_for_summary(dir.path(), *broker, "the run 4 s in",
                   [](nlohmann::json& s) { return s["elapsed_s"].get<double>() >= 4; });
  const double busy = (cpu_time_of(agent->pid()) - cpu_1) / (std::chrono::steady_clock::now() - wall_1);
  BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
  const auto summary = read_json(dir.path() + "/summary.json");
  // Never lost, although silent for 3 heartbeats (3 s) would have made it so.
  BOOST_TEST(summary["health"]["lost"].empty(), summary["health"].dump());
  BOOST_TEST(summary["health"]["lost_agents"] == 0);
  BOOST_TEST(agent_named(summary, "busy")["state"] == "finished");
  BOOST_TEST(summary["total"]["requests"].get<uint64_t>() == target.stats()["requests"].get<uint64_t>());
  // The agent said its CPU was saturated, and that reached the summary. A machine too
  // busy to give the agent a whole core cannot saturate it: then only the above holds.
  bool warned = false;
  for (const auto& w : summary["warnings"]) {
    if (w.get<std::string>().find("busy: agent CPU at") != std::string::npos) warned = true;
  }
  if (busy >= 0.95) {
    BOOST_TEST(warned,
               "the agent used " << busy * 100 << "% of its one engine core; warnings: " << summary["warnings"].dump());
  } else {
    BOOST_TEST_MESSAGE("the agent got only " << busy * 100 << "% of a core (a busy machine); CPU warning "
                                             << (warned ? "seen" : "not required"));
  }
}

BOOST_AUTO_TEST_SUITE_END()

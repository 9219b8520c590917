// `loadgrid-swarm --parent tcp://HOST:PORT --agents N`: N simulated agents in one
// process and one thread, speaking the real protocol to a broker or relay, for
// coordination benchmarks (bench/coordination_bench.py). No HTTP is sent.

#include <csignal>
#include <cstdio>
#include <iostream>

#include <boost/program_options.hpp>

#include "bench/swarm.hpp"
#include "protocol/common/units.hpp"

namespace po = boost::program_options;

namespace {

grid::bench::Swarm* volatile g_swarm = nullptr;

extern "C" void handle_stop(int) {
  if (g_swarm) g_swarm->stop();
}

void print_stats(const grid::bench::SwarmStats& s, uint32_t agents) {
  std::printf(
      "swarm-stats agents=%u agents_ran=%u windows=%llu final_windows=%llu min_agent_windows=%llu "
      "max_agent_windows=%llu requests=%llu failures=%llu frames=%llu bytes=%llu send_blocked=%llu "
      "hellos=%llu heartbeats=%llu byes=%llu plans=%llu rejected_plans=%llu cpu_s=%.2f campaign=%s\n",
      agents, s.agents_ran, static_cast<unsigned long long>(s.windows),
      static_cast<unsigned long long>(s.final_windows), static_cast<unsigned long long>(s.min_agent_windows),
      static_cast<unsigned long long>(s.max_agent_windows), static_cast<unsigned long long>(s.requests),
      static_cast<unsigned long long>(s.failures), static_cast<unsigned long long>(s.frames),
      static_cast<unsigned long long>(s.bytes), static_cast<unsigned long long>(s.send_blocked),
      static_cast<unsigned long long>(s.hellos), static_cast<unsigned long long>(s.heartbeats),
      static_cast<unsigned long long>(s.byes), static_cast<unsigned long long>(s.plans),
      static_cast<unsigned long long>(s.rejected_plans), s.cpu_seconds,
      s.campaign_id.empty() ? "-" : s.campaign_id.c_str());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  grid::bench::SwarmOptions o;
  std::string duration = "120s", linger = "20s";
  po::options_description opts("usage: loadgrid-swarm --parent tcp://HOST:PORT [options]\n\noptions");
  // One option per line, as --help lists them.
  // clang-format off
  opts.add_options()
      ("help,h", "this help")
      ("parent", po::value(&o.parent)->required(), "broker or relay: tcp://HOST:PORT (PORT plans, PORT+1 reports)")
      ("agents", po::value(&o.agents)->default_value(o.agents), "simulated agents in this process")
      ("names", po::value(&o.names)->default_value(o.names),
       "request names per window (the plan's names when it has this many, else swarm-req-N)")
      ("prefix", po::value(&o.prefix)->default_value(o.prefix), "agent ids are PREFIX0..PREFIX(N-1); unique grid-wide")
      ("region", po::value(&o.region)->default_value(o.region), "region of every agent")
      ("duration", po::value(&duration)->default_value(duration), "safety bound on the whole run")
      ("linger", po::value(&linger)->default_value(linger),
       "exit this long after the final windows when no finished plan arrives")
      ("rps-per-agent", po::value(&o.rps_per_agent)->default_value(o.rps_per_agent),
       "requests per second each agent claims (sizes the counts)")
      ("variants", po::value(&o.variants)->default_value(o.variants), "pre-built request maps per window fraction")
      ("send-hwm", po::value(&o.send_hwm)->default_value(o.send_hwm), "depth of the shared PUSH queue, messages")
      ("seed", po::value(&o.seed)->default_value(o.seed), "random seed of the request maps")
      ("log-plans", po::bool_switch(&o.log_plans), "log every plan snapshot applied (stderr)")
      ("stats", "print one `swarm-stats key=value ...` line on stdout at the end");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    if (vm.count("help")) {
      std::cout << opts << "\n";
      return 0;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "loadgrid-swarm: " << e.what() << "\n" << opts << "\n";
    return 2;
  }
  for (auto [text, out, name] : {std::tuple{&duration, &o.duration, "--duration"}, {&linger, &o.linger, "--linger"}}) {
    const auto d = grid::common::parse_duration(*text);
    if (!d) {
      std::cerr << "loadgrid-swarm: " << name << ": " << d.error() << "\n";
      return 2;
    }
    *out = d.value();
  }
  try {
    zmq::context_t context(1);
    grid::bench::Swarm swarm(context, o);
    g_swarm = &swarm;
    std::signal(SIGINT, handle_stop);
    std::signal(SIGTERM, handle_stop);
    swarm.run();
    g_swarm = nullptr;
    if (vm.count("stats")) print_stats(swarm.stats(), o.agents);
  } catch (const std::invalid_argument& e) {
    std::cerr << "loadgrid-swarm: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "loadgrid-swarm: " << e.what() << "\n";
    return 3;
  }
  return 0;
}

// `loadgrid agent --parent tcp://HOST:PORT`: a long-lived agent that runs whatever
// campaigns its parent plans, until SIGINT/SIGTERM.

#include <iostream>

#include "agent/agent_node.hpp"
#include "cli/allow_target_option.hpp"
#include "cli/guarded.hpp"
#include "cli/health_file_option.hpp"
#include "cli/option_parsing.hpp"
#include "cli/security_options.hpp"
#include "cli/stop_signal.hpp"
#include "cli/subcommands.hpp"
#include "protocol/common/exit_codes.hpp"
#include "protocol/common/process_limits.hpp"

namespace po = boost::program_options;

namespace grid::cli {

int agent_main(int argc, char** argv) {
  agent::AgentOptions o;
  po::options_description opts("usage: loadgrid agent --parent tcp://HOST:PORT [options]\n\noptions");
  // One option per line, as --help lists them.
  // clang-format off
  opts.add_options()
      ("parent", po::value(&o.parent)->required(),
       "parent broker or relay: tcp://HOST:PORT (PORT plans, PORT+1 reports), or tcp://HOST:PLANS,REPORTS "
       "(as a parent's listening line prints it); a comma-separated list gives fallbacks in order, used when the "
       "current parent stops answering")
      ("id", po::value(&o.id)->notifier(safe_name_notifier("id")), "node id, unique among the parent's children (default agent-HOST-PID)")
      ("region", po::value(&o.region)->default_value("default")->notifier(safe_name_notifier("region")), "region name, for the campaign's [regions] weights")
      ("threads", po::value(&o.threads)->default_value(0), "engine threads (0 = one per core)")
      ("max-users", po::value(&o.max_users)->default_value(0), "most users this agent takes (0 = no cap)")
      ("capacity", po::value(&o.capacity)->default_value(0), "weight in budget splits (0 = engine threads)")
      ("users-per-multi", po::value(&o.users_per_multi)->default_value(32), "users per curl multi handle (tuning)")
      ("deadman", po::value<std::string>()->default_value("15s")->notifier(duration_notifier("deadman", o.deadman)),
       "with no parent answering this long (every fallback tried), stop all load and say so")
      ("retained-windows", po::value(&o.retained_limit)->default_value(agent::RetainedWindows::kDefaultLimit),
       "stats windows kept until the broker acknowledges them; past this the oldest coalesce (exact counts)")
      ("net-sysfs", po::value(&o.net_sysfs)->default_value("/sys/class/net")->value_name("DIR"),
       "where network interfaces' byte counters and speeds are read, for the throughput warning (tests give a fake tree)");
  // clang-format on
  add_allow_target_option(opts, o.allowed_targets);
  add_health_file_option(opts, o.health_file);
  SecurityFlags security;
  add_security_options(opts, security, {.child_side = true});
  po::variables_map vm;
  if (auto code = parse_options(argc, argv, "agent", opts, vm)) return *code;
  common::raise_open_file_limit();
  return guarded("agent", [&] {
    o.security = resolve_security("agent", security, {.child_side = true}, "", o.parent);
    zmq::context_t context(1);
    agent::AgentNode node(context, o);
    install_stop_handler([](void* n) { static_cast<agent::AgentNode*>(n)->stop(); }, &node);
    node.run();
    return common::kExitOk;
  });
}

}  // namespace grid::cli

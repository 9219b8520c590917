// `loadgrid relay --parent tcp://HOST:PORT --listen tcp://HOST:PORT`: a long-lived relay
// (one per datacenter, say), until SIGINT/SIGTERM.

#include <iostream>

#include "cli/guarded.hpp"
#include "cli/health_file_option.hpp"
#include "cli/option_parsing.hpp"
#include "cli/security_options.hpp"
#include "cli/stop_signal.hpp"
#include "cli/subcommands.hpp"
#include "protocol/common/exit_codes.hpp"
#include "relay/relay_node.hpp"

namespace po = boost::program_options;

namespace grid::cli {

int relay_main(int argc, char** argv) {
  relay::RelayOptions o;
  po::options_description opts(
      "usage: loadgrid relay --parent tcp://HOST:PORT [--listen tcp://HOST:PORT] [options]\n\noptions");
  // One option per line, as --help lists them.
  // clang-format off
  opts.add_options()
      ("parent", po::value(&o.parent)->required(),
       "parent broker or relay: tcp://HOST:PORT (PORT plans, PORT+1 reports) or tcp://HOST:PLANS,REPORTS; a "
       "comma-separated list gives fallbacks in order, used when the current parent stops answering")
      ("listen", po::value(&o.listen)->default_value("tcp://127.0.0.1:5567"),
       "where children connect: binds PORT (plans, PUB) and PORT+1 (reports, PULL)")
      ("id", po::value(&o.id)->notifier(safe_name_notifier("id")), "node id, unique among the parent's children (default relay-HOST-PID)")
      ("region", po::value(&o.region)->default_value("default")->notifier(safe_name_notifier("region")), "region name, for the campaign's [regions] weights")
      ("deadman", po::value<std::string>()->default_value("15s")->notifier(duration_notifier("deadman", o.deadman)),
       "with no parent answering this long, tell the children to stop (they stop by themselves too)");
  // clang-format on
  add_health_file_option(opts, o.health_file);
  SecurityFlags security;
  const NodeSides sides{.parent_side = true, .child_side = true};
  add_security_options(opts, security, sides);
  po::variables_map vm;
  if (auto code = parse_options(argc, argv, "relay", opts, vm)) return *code;
  return guarded("relay", [&] {
    o.security = resolve_security("relay", security, sides, o.listen, o.parent);
    zmq::context_t context(1);
    relay::RelayNode node(context, o);
    install_stop_handler([](void* n) { static_cast<relay::RelayNode*>(n)->stop(); }, &node);
    node.run();
    return common::kExitOk;
  });
}

}  // namespace grid::cli

// `loadgrid broker CAMPAIGN.ini`: the root of a distributed grid. Waits for its agents,
// runs the campaign, writes the results and exits when the campaign is done.

#include <iostream>

#include "broker/broker_node.hpp"
#include "broker/campaign.hpp"
#include "cli/guarded.hpp"
#include "cli/health_file_option.hpp"
#include "cli/http_option.hpp"
#include "cli/option_parsing.hpp"
#include "cli/results_dir.hpp"
#include "cli/security_options.hpp"
#include "cli/stop_signal.hpp"
#include "cli/subcommands.hpp"
#include "cli/transport_option.hpp"
#include "protocol/common/exit_codes.hpp"
#include "protocol/common/units.hpp"

namespace po = boost::program_options;

namespace grid::cli {

int broker_main(int argc, char** argv) {
  broker::BrokerOptions o;
  std::string campaign_path, expect_timeout = "60s";
  po::options_description opts("usage: loadgrid broker CAMPAIGN.ini [options]\n\noptions");
  // One option per line, as --help lists them.
  // clang-format off
  opts.add_options()
      ("listen", po::value(&o.listen)->default_value("tcp://127.0.0.1:5557"),
       "where children connect: binds PORT (plans, PUB) and PORT+1 (reports, PULL), or PLANS,REPORTS; "
       "tcp://HOST:0 binds two ephemeral ports (the listening line on stderr names them)")
      ("results", po::value(&o.results_dir)->value_name("DIR"), "results directory (overrides [campaign] results)")
      ("expect-agents", po::value(&o.expect_agents)->default_value(0), "start when this many agents are ready (0: the first)")
      ("expect-timeout", po::value(&expect_timeout)->default_value("60s"),
       "start anyway after this long with the agents there are; exit 3 if none")
      ("max-clock-offset", po::value<std::string>()->default_value("50ms")->notifier(duration_notifier("max-clock-offset", o.max_clock_offset)),
       "warn about a node whose clock is further off the broker's than this (either way)")
      ("quiet,q", "no live progress (log lines follow --log-level)");
  // clang-format on
  std::optional<wire::TransportChoice> transport;
  add_transport_option(opts, transport);
  add_health_file_option(opts, o.health_file);
  SecurityFlags security;
  add_security_options(opts, security, {.parent_side = true});
  HttpFlags http;
  add_http_options(opts, http);
  po::variables_map vm;
  if (auto code = parse_options(argc, argv, "broker", opts, vm, &campaign_path)) return *code;
  if (auto error = resolve_http_options(http, o)) {
    std::cerr << "loadgrid broker: " << *error << "\n";
    return common::kExitUsage;
  }
  const auto timeout = common::parse_duration(expect_timeout);
  if (!timeout) {
    std::cerr << "loadgrid broker: --expect-timeout: " << timeout.error() << "\n";
    return common::kExitUsage;
  }
  o.expect_timeout = timeout.value();
  o.quiet = vm.count("quiet") > 0;
  return guarded("broker", [&] {
    o.security = resolve_security("broker", security, {.parent_side = true}, o.listen, "");
    broker::Campaign campaign = broker::load_campaign(campaign_path);
    if (auto error = apply_transport_option(transport, campaign)) {
      std::cerr << "loadgrid broker: " << *error << "\n";
      return static_cast<int>(common::kExitUsage);
    }
    o.results_dir = choose_results_dir(o.results_dir, campaign);
    zmq::context_t context(1);
    broker::BrokerNode node(context, campaign, o);
    install_stop_handler([](void* n) { static_cast<broker::BrokerNode*>(n)->stop(); }, &node,
                         [](void* n) { static_cast<broker::BrokerNode*>(n)->abort(); });
    return static_cast<int>(node.run());
  });
}

}  // namespace grid::cli

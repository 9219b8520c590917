// `loadgrid run CAMPAIGN.ini`: a whole grid in one process — broker, one relay and N
// local agents over inproc:// — through the same code as a distributed grid. Shows live
// progress, keeps the results directory current and prints the final report.

#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "agent/agent_node.hpp"
#include "broker/broker_node.hpp"
#include "broker/campaign.hpp"
#include "cli/allow_target_option.hpp"
#include "cli/guarded.hpp"
#include "cli/http_option.hpp"
#include "cli/option_parsing.hpp"
#include "cli/results_dir.hpp"
#include "cli/security_options.hpp"
#include "cli/stop_signal.hpp"
#include "cli/subcommands.hpp"
#include "cli/transport_option.hpp"
#include "protocol/common/exit_codes.hpp"
#include "protocol/common/process_limits.hpp"
#include "protocol/common/resource_usage.hpp"
#include "relay/relay_node.hpp"

namespace po = boost::program_options;

namespace grid::cli {
namespace {

struct RunSettings {
  std::string results;
  unsigned threads = 0;
  unsigned agents = 1;
  uint32_t users_per_multi = 32;
  bool quiet = false;
  agent::TargetAllowlist allowed_targets;  // loopback only unless --allow-target says otherwise
  std::optional<wire::TransportChoice> transport;
  broker::BrokerOptions http;  // only its http_* fields
};

int run_grid(const std::string& campaign_path, const RunSettings& settings);

}  // namespace

int run_main(int argc, char** argv) {
  std::string campaign_path;
  RunSettings settings;
  po::options_description opts("usage: loadgrid run CAMPAIGN.ini [options]\n\noptions");
  // One option per line, as --help lists them.
  // clang-format off
  opts.add_options()
      ("results", po::value(&settings.results)->value_name("DIR"), "results directory (overrides [campaign] results)")
      ("threads", po::value(&settings.threads)->default_value(0), "engine threads in all (0 = one per core)")
      ("agents", po::value(&settings.agents)->default_value(1), "local agents (the threads are split among them)")
      ("users-per-multi", po::value(&settings.users_per_multi)->default_value(32), "users per curl multi handle (tuning; docs/adr/0002)")
      ("quiet,q", "no live progress (log lines follow --log-level)");
  // clang-format on
  add_allow_target_option(opts, settings.allowed_targets);
  add_transport_option(opts, settings.transport);
  SecurityFlags security;
  add_insecure_option(opts, security);
  HttpFlags http;
  add_http_options(opts, http);
  po::variables_map vm;
  if (auto code = parse_options(argc, argv, "run", opts, vm, &campaign_path)) return *code;
  if (auto error = resolve_http_options(http, settings.http)) {
    std::cerr << "loadgrid run: " << *error << "\n";
    return common::kExitUsage;
  }
  if (settings.agents == 0 || settings.agents > 1000) {
    std::cerr << "loadgrid run: --agents must be 1 to 1000\n";
    return common::kExitUsage;
  }
  settings.quiet = vm.count("quiet") > 0;
  return guarded("run", [&] { return run_grid(campaign_path, settings); });
}

namespace {

int run_grid(const std::string& campaign_path, const RunSettings& settings) {
  broker::Campaign campaign = broker::load_campaign(campaign_path);
  if (auto error = apply_transport_option(settings.transport, campaign)) {
    std::cerr << "loadgrid run: " << *error << "\n";
    return common::kExitUsage;
  }
  unsigned threads = settings.threads;
  const unsigned agents = settings.agents;
  // Each user holds one socket; leave room for the rest of the process.
  const uint64_t fd_limit = common::raise_open_file_limit();
  if (fd_limit > 0 && campaign.users + 64 > fd_limit) {
    std::cerr << "loadgrid run: warning: " << campaign.users << " users need about " << campaign.users + 64
              << " open files but the limit is " << fd_limit << "; connections beyond it fail as 'connect'\n";
  }
  // Local agents have no regions of their own: one relay, all in the default region.
  campaign.regions.clear();
  if (threads == 0) threads = common::machine_cores();

  broker::BrokerOptions bo;
  bo.id = "broker";
  bo.listen = "inproc://broker";
  bo.expect_agents = agents;
  bo.expect_timeout = std::chrono::seconds(10);
  bo.lead_time = std::chrono::milliseconds(200);
  bo.results_dir = choose_results_dir(settings.results, campaign);
  bo.quiet = settings.quiet;
  bo.http_listen = settings.http.http_listen;
  bo.http_token = settings.http.http_token;
  bo.http_linger = settings.http.http_linger;
  relay::RelayOptions ro;
  ro.id = "local-relay";
  ro.parent = bo.listen;
  ro.listen = "inproc://relay";
  ro.merge_grace = std::chrono::milliseconds(300);
  ro.cpu_pressure = false;  // the local agents share this process: the CPU each reports is not its own

  zmq::context_t context(1);
  broker::BrokerNode broker(context, campaign, bo);
  relay::RelayNode relay(context, ro);
  std::vector<std::unique_ptr<agent::AgentNode>> nodes;
  for (unsigned i = 0; i < agents; ++i) {
    agent::AgentOptions ao;
    ao.id = "local-agent-" + std::to_string(i + 1);
    ao.parent = ro.listen;
    ao.threads = std::max(1u, threads / agents + (i < threads % agents ? 1 : 0));
    ao.users_per_multi = settings.users_per_multi;
    ao.announce = false;                           // up to 1,000 local agents: their start lines are debug
    ao.ack_wait = std::chrono::milliseconds(500);  // the broker has finished: its last acks are out
    ao.allowed_targets = settings.allowed_targets;
    nodes.push_back(std::make_unique<agent::AgentNode>(context, ao));
  }
  std::vector<std::thread> workers;
  // Whatever way the broker ends, the other nodes stop and their threads are joined.
  struct StopAll {
    relay::RelayNode& relay;
    std::vector<std::unique_ptr<agent::AgentNode>>& nodes;
    std::vector<std::thread>& workers;
    ~StopAll() {
      for (auto& n : nodes) n->stop();
      relay.stop();
      for (auto& t : workers) t.join();
    }
  } stop_all{relay, nodes, workers};
  workers.emplace_back([&relay] { relay.run(); });
  for (auto& n : nodes) workers.emplace_back([node = n.get()] { node->run(); });
  install_stop_handler([](void* b) { static_cast<broker::BrokerNode*>(b)->stop(); }, &broker,
                       [](void* b) { static_cast<broker::BrokerNode*>(b)->abort(); });
  return broker.run();
}

}  // namespace
}  // namespace grid::cli

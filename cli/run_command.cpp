// `loadgrid run CAMPAIGN.ini`: runs a campaign on this machine's engine threads, shows
// live progress, keeps the results directory current and prints the final report.

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "agent/engine_pool.hpp"
#include "broker/campaign.hpp"
#include "broker/console_view.hpp"
#include "broker/results_writer.hpp"
#include "broker/run_aggregator.hpp"
#include "cli/exit_codes.hpp"
#include "cli/subcommands.hpp"
#include "protocol/common/clock.hpp"
#include "protocol/common/process_limits.hpp"

namespace po = boost::program_options;

namespace grid::cli {
namespace {

agent::EnginePool* g_pool = nullptr;

extern "C" void on_stop_signal(int) {
  if (g_pool) g_pool->request_stop();  // async-signal-safe: an atomic store and a write()
}

std::string default_results_dir(const std::string& campaign) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return "results/" + campaign + "-" + stamp;
}

}  // namespace

int run_main(int argc, char** argv) {
  po::options_description opts("usage: loadgrid run CAMPAIGN.ini [options]\n\noptions");
  std::string campaign_path, results;
  unsigned threads = 0;
  uint32_t users_per_multi = 32;
  opts.add_options()
      ("help,h", "show this help")
      ("results", po::value(&results), "results directory (overrides [campaign] results)")
      ("threads", po::value(&threads)->default_value(0), "engine threads (0 = one per core)")
      ("users-per-multi", po::value(&users_per_multi)->default_value(32),
       "users per curl multi handle (tuning; see docs/adr/0002)")
      ("quiet,q", "no live progress");
  po::options_description hidden;
  hidden.add_options()("campaign", po::value(&campaign_path));
  po::options_description all;
  all.add(opts).add(hidden);
  po::positional_options_description positional;
  positional.add("campaign", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "loadgrid run: " << e.what() << "\n" << opts;
    return kExitUsage;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return kExitOk;
  }
  if (campaign_path.empty()) {
    std::cerr << "loadgrid run: missing the campaign file\n" << opts;
    return kExitUsage;
  }

  broker::Campaign campaign;
  try {
    campaign = broker::load_campaign(campaign_path);
  } catch (const broker::ConfigError& e) {
    std::cerr << "loadgrid run: " << e.what() << "\n";
    return kExitUsage;
  }
  if (results.empty()) results = campaign.results_dir;
  if (results.empty()) results = default_results_dir(campaign.name);

  std::optional<broker::ResultsWriter> writer;
  try {
    writer.emplace(results);
  } catch (const std::exception& e) {
    std::cerr << "loadgrid run: " << e.what() << "\n";
    return kExitCannotStart;
  }

  agent::LoadPlan plan;
  plan.requests = campaign.requests;
  plan.users = campaign.users;
  plan.spawn_rate = campaign.spawn_rate;
  plan.think_time = campaign.think_time;
  plan.duration = campaign.duration;
  plan.interval_ms = static_cast<uint32_t>(campaign.interval.count());
  plan.users_per_multi = users_per_multi;

  broker::RunInfo info;
  info.campaign = campaign.name;
  info.duration_ms = static_cast<uint64_t>(campaign.duration.count());
  info.users = campaign.users;
  info.interval_ms = plan.interval_ms;
  info.started_unix_ms = common::unix_now_ms();
  const int64_t started_ns = common::steady_now_ns();

  const bool quiet = vm.count("quiet") > 0;
  // Each user holds one socket; leave room for the rest of the process.
  const uint64_t fd_limit = common::raise_open_file_limit();
  if (fd_limit > 0 && campaign.users + 64 > fd_limit) {
    std::fprintf(stderr, "loadgrid run: warning: %u users need about %u open files but the limit is %llu; "
                 "connections beyond it fail as 'connect' (raise it with ulimit -n)\n",
                 campaign.users, campaign.users + 64, static_cast<unsigned long long>(fd_limit));
  }
  const bool tty = isatty(STDERR_FILENO) == 1;
  std::unique_ptr<agent::EnginePool> pool;
  try {
    pool = std::make_unique<agent::EnginePool>(plan, threads);
  } catch (const std::exception& e) {
    std::cerr << "loadgrid run: cannot start the engines: " << e.what() << "\n";
    return kExitCannotStart;
  }
  info.threads = pool->threads();
  g_pool = pool.get();
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  if (!quiet) {
    std::fprintf(stderr, "loadgrid: campaign %s, %u users on %u threads, results in %s\n",
                 campaign.name.c_str(), campaign.users, info.threads, writer->dir().c_str());
  }

  broker::RunAggregator run;
  int exit_code = kExitOk;
  try {
    while (!pool->finished()) {
      for (const auto& window : pool->poll(std::chrono::milliseconds(200))) {
        info.elapsed_s = (common::steady_now_ns() - started_ns) / 1e9;
        run.add(window);
        writer->on_window(info, window, run);
        if (!quiet) {
          const std::string line = broker::progress_line(info, window, tty);
          if (tty) {
            std::fprintf(stderr, "\r\033[K%s", line.c_str());
          } else {
            std::fprintf(stderr, "%s\n", line.c_str());
          }
          std::fflush(stderr);
        }
      }
    }
    info.elapsed_s = (common::steady_now_ns() - started_ns) / 1e9;
    info.state = "finished";
    writer->on_finish(info, run);
  } catch (const std::exception& e) {
    std::cerr << "\nloadgrid run: " << e.what() << "\n";
    exit_code = kExitFailure;
  }
  g_pool = nullptr;
  pool.reset();
  if (!quiet && tty) std::fprintf(stderr, "\n");
  std::cout << broker::final_report(info, run) << "results: " << writer->dir() << "\n";
  return exit_code;
}

}  // namespace grid::cli

// `loadgrid check CAMPAIGN.ini`: validates a campaign as `run` and `broker` would, and
// stops there. Prints a one-line summary and exits 0, or prints every problem (one per
// line, FILE:LINE: [section] key: ...) to stderr and exits 2.

#include <iostream>

#include <fmt/format.h>

#include "broker/campaign.hpp"
#include "cli/option_parsing.hpp"
#include "cli/subcommands.hpp"
#include "protocol/common/exit_codes.hpp"
#include "protocol/common/units.hpp"

namespace po = boost::program_options;

namespace grid::cli {
namespace {

std::string count_of(size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "5 requests, 2 scenarios, closed model with stages up to 50 users, 2m, 1 data feed (20 rows), 4 thresholds"
std::string summary(const broker::Campaign& c) {
  std::string load;
  if (c.model == wire::LoadModel::closed) {
    load = "closed model, " + (c.stages.empty() ? count_of(c.users, "user", "users")
                                                : count_of(c.stages.size(), "stage", "stages") + " up to " +
                                                      count_of(c.users, "user", "users"));
  } else {
    load = "open model, " +
           (c.stages.empty()
                ? fmt::format("{:g} iterations/s", c.rate)
                : count_of(c.stages.size(), "stage", "stages") + fmt::format(" up to {:g} iterations/s", c.rate)) +
           ", at most " + count_of(c.users, "user", "users");
  }
  size_t rows = 0;
  for (const auto& feed : c.data) rows += feed.rows.size();
  std::string text = count_of(c.requests.size(), "request", "requests") + ", " +
                     count_of(c.scenarios.size(), "scenario", "scenarios") + ", " + load + ", " +
                     common::format_duration(c.duration);
  if (!c.data.empty())
    text += ", " + count_of(c.data.size(), "data feed", "data feeds") + " (" + count_of(rows, "row", "rows") + ")";
  text += ", " + count_of(c.thresholds.size(), "threshold", "thresholds");
  if (c.abort_on_fail) text += " (abort on fail)";
  return text;
}

}  // namespace

int check_main(int argc, char** argv) {
  std::string campaign_path;
  po::options_description opts(
      "usage: loadgrid check CAMPAIGN.ini [options]\n\n"
      "Validates the whole campaign as run and broker would (data, body and CA files read,\n"
      "${env.NAME} resolved) and starts nothing. Exit 0 and a summary when it is good;\n"
      "exit 2 and every problem on stderr, one per line, when it is not.\n\noptions");
  po::variables_map vm;
  if (auto code = parse_options(argc, argv, "check", opts, vm, &campaign_path)) return *code;
  try {
    const broker::Campaign campaign = broker::load_campaign(campaign_path);
    std::cout << campaign_path << ": ok (" << summary(campaign) << ")\n";
    return common::kExitOk;
  } catch (const common::ConfigError& e) {
    for (const auto& problem : e.problems) std::cerr << problem << "\n";
    std::cerr << campaign_path << ": " << count_of(e.problems.size(), "problem", "problems") << "\n";
    return common::kExitUsage;
  }
}

}  // namespace grid::cli

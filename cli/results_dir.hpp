#pragma once

#include <ctime>
#include <string>

#include <fmt/chrono.h>

#include "broker/campaign.hpp"

namespace grid::cli {

/// The results directory: the command line's, else the campaign's, else
/// results/<campaign>-<UTC time>.
inline std::string choose_results_dir(const std::string& from_command_line, const broker::Campaign& campaign) {
  if (!from_command_line.empty()) return from_command_line;
  if (!campaign.results_dir.empty()) return campaign.results_dir;
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return fmt::format("results/{}-{:%Y%m%dT%H%M%SZ}", campaign.name, tm);
}

}  // namespace grid::cli

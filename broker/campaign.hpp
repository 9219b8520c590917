#pragma once

#include <chrono>
#include <cstdint>
#include <istream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "protocol/common/config_error.hpp"
#include "protocol/wire/request_spec.hpp"

namespace grid::broker {

using common::ConfigError;

/// A campaign as the INI file defines it (see configs/README.md for every key).
struct Campaign {
  std::string source;  // file name, for messages
  // [campaign]
  std::string name;
  std::chrono::milliseconds duration{0};
  std::chrono::milliseconds interval{1000};  // stats window
  std::string results_dir;                   // empty: results/<name>-<UTC timestamp>
  // [load] closed model
  uint32_t users = 0;
  double spawn_rate = 0;                    // users/s; 0 = all at once
  std::chrono::milliseconds think_time{0};  // pause after each request
  // [regions] weight per region name; empty = every child shares by capacity alone
  std::map<std::string, double> regions;
  // [request.NAME] in file order; with no scenario, users loop over them in this order
  std::vector<wire::RequestSpec> requests;
};

/// Parses and validates a campaign from INI text. `source` names the file in errors.
/// Unknown sections and keys are errors, not ignored. Throws ConfigError.
Campaign parse_campaign(std::istream& ini, const std::string& source);

/// Reads and parses the campaign file at `path`. Throws ConfigError (also when the file
/// cannot be read).
Campaign load_campaign(const std::string& path);

/// Parses an expected-status value: "200", "200-299". Throws ConfigError naming `where`.
wire::StatusRange parse_status_range(const std::string& text, const std::string& where);

}  // namespace grid::broker

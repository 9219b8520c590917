#pragma once

#include <chrono>
#include <cstdint>
#include <istream>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "broker/threshold_spec.hpp"
#include "protocol/common/config_error.hpp"
#include "protocol/wire/request_spec.hpp"
#include "protocol/wire/workload.hpp"

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
  // [load]
  wire::LoadModel model = wire::LoadModel::closed;
  uint32_t users = 0;                       // closed: users (with stages: the peak target);
                                            // open: max_users, the cap on concurrent users
  double spawn_rate = 0;                    // closed: users/s; 0 = all at once
  std::chrono::milliseconds think_time{0};  // with no scenario: pause after each request
  double rate = 0;                          // open: iterations/s (with stages: the peak target)
  std::vector<wire::Stage> stages;          // targets over time: users (closed) or rates (open)
  wire::ConnectionReuse connections = wire::ConnectionReuse::per_user;
  // [regions] weight per region name; empty = every child shares by capacity alone
  std::map<std::string, double> regions;
  // [request.NAME] in file order; with no scenario, users loop over them in this order.
  // body_file and ca_file are read and ${env.NAME} resolved: these are what agents get.
  std::vector<wire::RequestSpec> requests;
  // [scenario.NAME] in file order, repeats unrolled, steps naming requests by index
  std::vector<wire::Scenario> scenarios;
  // [data.NAME] in file order, the CSV read (rows shipped in the plan)
  std::vector<wire::DataFeed> data;
  // [thresholds]
  std::vector<ThresholdSpec> thresholds;
  bool abort_on_fail = false;                // evaluate live and stop the grid on a failure
  std::chrono::milliseconds abort_grace{0};  // not before this long after the start
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

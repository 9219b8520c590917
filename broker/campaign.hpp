#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "broker/threshold_spec.hpp"
#include "protocol/common/config_error.hpp"
#include "protocol/common/result.hpp"
#include "protocol/wire/request_spec.hpp"
#include "protocol/wire/workload.hpp"

namespace grid::broker {

using common::ConfigError;

/// A campaign as the INI file defines it (see configs/README.md for every key).
struct Campaign {
  std::string source;  // file name, for messages
  std::string text;    // the file as read (load_campaign), kept in the results as campaign.ini
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

/// The most a campaign may ship in its plan from files: data files, body_file and ca_file
/// contents together (each reference counts). The plan is republished every second to
/// every node, so this stays small.
inline constexpr size_t kMaxShippedBytes = 1024 * 1024;
/// The most steps a scenario may have once its repeats are unrolled.
inline constexpr size_t kMaxScenarioSteps = 10'000;

/// What a campaign reaches outside its INI text: the broker's environment for
/// `${env.NAME}` and the files it names. Empty members mean the real ones; tests and the
/// fuzzer swap them.
struct CampaignEnvironment {
  /// The value of environment variable `name`; std::nullopt when it is not set.
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  /// The content of the regular file at `path`, at most `max_bytes + 1` bytes of it (so
  /// that a caller can tell a file that is too large), or an Error saying why it cannot
  /// be read.
  std::function<common::Result<std::string>(const std::string& path, size_t max_bytes)> read_file;
};

/// Parses and validates a whole campaign from INI text; every key is in configs/README.md.
/// `source` names the file in messages, and relative file names in the campaign
/// (body_file, ca_file, [data] file) are relative to its directory. `${env.NAME}` is
/// resolved here, and body_file, ca_file and data files are read here: the result is what
/// agents get. Unknown sections and keys are errors, not ignored.
/// Throws one ConfigError listing every problem found, one per line, each
/// "FILE:LINE: [section] key: what is wrong (expected ...)" (ConfigError::problems).
Campaign parse_campaign(std::istream& ini, const std::string& source, const CampaignEnvironment& env = {});

/// Reads and parses the campaign file at `path`. Throws ConfigError (also when the file
/// cannot be read).
Campaign load_campaign(const std::string& path, const CampaignEnvironment& env = {});

/// Parses an expected-status value: "200", "200-299". Throws ConfigError naming `where`.
wire::StatusRange parse_status_range(const std::string& text, const std::string& where);

}  // namespace grid::broker

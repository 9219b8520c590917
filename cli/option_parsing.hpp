#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include <boost/program_options.hpp>

namespace grid::cli {

/// Parses a subcommand's options: the command line first, then the INI file named by
/// `--config` (keys are the long option names, e.g. `listen = tcp://0.0.0.0:5557`), so
/// the command line wins (po::store never overwrites a value already stored). Prints
/// help and returns 0 for --help; prints the error naming the option or the file and
/// returns 2 for bad input; returns std::nullopt when the caller should go on.
/// With `campaign_path`, the subcommand takes a campaign file (or what `positional_what`
/// names) as its one positional argument, and its absence is an error (2).
std::optional<int> parse_options(int argc, char** argv, const std::string& command,
                                 boost::program_options::options_description& visible,
                                 boost::program_options::variables_map& vm, std::string* campaign_path = nullptr,
                                 const std::string& positional_what = "the campaign file");

/// A notifier for an option whose value becomes part of a path or an id (`--id`,
/// `--region`): a value outside common::is_safe_name is a usage error naming the option.
std::function<void(const std::string&)> safe_name_notifier(const std::string& option);

/// A notifier for a duration option ("15s", "500ms", "2m"; see common::parse_duration)
/// that stores it in `out`; a malformed or zero value is a usage error naming the option.
std::function<void(const std::string&)> duration_notifier(const std::string& option, std::chrono::milliseconds& out);

}  // namespace grid::cli

#pragma once

#include <iostream>
#include <stdexcept>
#include <string>

#include "cli/stop_signal.hpp"
#include "protocol/common/config_error.hpp"
#include "protocol/common/exit_codes.hpp"
#include "protocol/common/log.hpp"

namespace grid::cli {

/// Runs a subcommand's body and maps setup errors to exit codes, naming the subcommand:
/// a bad campaign or argument (ConfigError, std::invalid_argument) is 2, anything else
/// that stops it from starting (a port taken, a results directory it cannot write) is 3.
/// Afterwards SIGINT/SIGTERM no longer reach the body's nodes. The error line carries
/// the journal's error priority when stderr is the journal (stderr_priority_prefix).
template <class Body>
int guarded(const std::string& command, Body&& body) {
  // The body's nodes die with it: no signal may reach them afterwards.
  struct ForgetStopHandler {
    ~ForgetStopHandler() { install_stop_handler(nullptr, nullptr); }
  } forget;
  try {
    return body();
  } catch (const common::ConfigError& e) {
    std::cerr << common::stderr_priority_prefix(common::LogLevel::error) << "loadgrid " << command << ": " << e.what()
              << "\n";
    return common::kExitUsage;
  } catch (const std::invalid_argument& e) {
    std::cerr << common::stderr_priority_prefix(common::LogLevel::error) << "loadgrid " << command << ": " << e.what()
              << "\n";
    return common::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << common::stderr_priority_prefix(common::LogLevel::error) << "loadgrid " << command << ": " << e.what()
              << "\n";
    return common::kExitCannotStart;
  }
}

}  // namespace grid::cli

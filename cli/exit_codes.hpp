#pragma once

namespace grid::cli {

/// Process exit codes shared by every subcommand.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      // ran, but something failed at run time
  kExitUsage = 2,        // bad command line, campaign or config file
  kExitCannotStart = 3,  // valid input, but the run could not start (results dir, bind, ...)
};

}  // namespace grid::cli

#pragma once

namespace grid::common {

/// Process exit codes of every subcommand: the one list (README "Exit codes").
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,      // started, but failed while running (e.g. the results could not be written)
  kExitUsage = 2,        // bad command line, campaign or config file
  kExitCannotStart = 3,  // valid input, but the run could not start (results dir, bind, no agent
                         // joined in time, stopped before the start)
  // The campaign ran, but a [thresholds] entry failed or stopped it live (run, broker).
  kExitThresholdsFailed = 4,
};

}  // namespace grid::common

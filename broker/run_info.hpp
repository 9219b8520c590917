#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "broker/thresholds.hpp"

namespace grid::broker {

/// What the outputs say about a run besides its statistics.
struct RunInfo {
  std::string campaign;
  std::string version;            // loadgrid version of the broker
  std::string state = "running";  // "running" while the test goes on, then "finished", or
                                  // "interrupted" when a signal stopped it before its end
  uint64_t started_unix_ms = 0;
  uint64_t ended_unix_ms = 0;  // last request completed, once the load is over; 0 before
  uint64_t duration_ms = 0;    // planned
  double elapsed_s = 0;        // since start
  uint32_t users = 0;          // planned
  unsigned threads = 0;
  uint32_t interval_ms = 0;
  // [thresholds] evaluated on the data so far; on the final data once finished. The one
  // that stopped the run live stays failed whatever the final data say.
  std::vector<ThresholdResult> thresholds;
  std::string aborted_by;  // label of the threshold that stopped the run live; empty: none
};

}  // namespace grid::broker

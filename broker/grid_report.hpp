#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "broker/grid_accounting.hpp"
#include "protocol/wire/latency_histogram.hpp"

namespace grid::broker {

/// Users and counts of one region.
struct RegionFigures {
  uint32_t users = 0;  // budget given to the region's live nodes
  uint64_t requests = 0;
  uint64_t failures = 0;
};

/// What the grid adds to a run's outputs: per region, per agent, health and warnings.
/// Plain data the broker keeps current; the summary and the console read it.
struct GridReport {
  std::map<std::string, RegionFigures> regions;
  std::vector<AgentFigures> agents;
  uint32_t live_agents = 0;
  uint32_t lost_agents = 0;
  uint32_t relays = 0;                // direct children that are relays
  std::vector<std::string> lost;      // "id (at 12.3s)" for every child declared lost
  std::vector<std::string> warnings;  // forwarded warnings, CPU and clock warnings (first 1000)
  uint64_t suppressed_warnings = 0;   // warnings past the first 1000
  uint64_t rejected_frames = 0;       // malformed frames rejected anywhere in the grid, either direction
  uint64_t dropped_frames = 0;        // frames nodes could neither send nor keep for retry, cumulative
  uint64_t retained_frames = 0;       // upstream frames live nodes keep for retry, now
  uint64_t duplicate_windows = 0;     // windows refused because a pair was counted already
  uint64_t unattributed_windows = 0;  // windows refused because they named no agent
  uint64_t counted_pairs = 0;         // (agent, window) pairs counted
  uint64_t unaccounted_requests = 0;  // lost agents' announced start ceilings minus their counted requests
  uint64_t resent_windows = 0;        // windows agents sent again (failovers, missing acknowledgements)
  uint64_t failovers = 0;             // parent switches anywhere in the grid
  uint64_t coalesced_windows = 0;     // retained windows merged into others to bound memory
  uint64_t peak_users = 0;            // the most users running at once, summed over agents per window
  uint64_t dropped_log_records = 0;   // warning and error records rate limits dropped anywhere in the grid
  double first_request_spread_ms = 0;
  wire::LatencyHistogram freshness_us;  // window end -> counted at the broker
};

}  // namespace grid::broker

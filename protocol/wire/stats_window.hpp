#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <msgpack.hpp>

#include "protocol/wire/request_stats.hpp"

namespace grid::wire {

/// The statistics of one stats window: all requests that completed while the wall clock
/// was in [index * interval_ms, (index + 1) * interval_ms) milliseconds since the Unix
/// epoch. Windows are aligned to wall-clock multiples of the interval so that windows cut
/// by different threads and machines line up and merge.
/// One agent's part of a window: which (agent, window) pair a possibly merged window
/// contains, with the few per-agent figures the root reports. No histograms: merged
/// percentiles come from the merged window itself.
struct SourceTotals {
  std::string agent_id;
  std::string region;
  uint64_t requests = 0;                // completed in this window
  uint64_t failures = 0;                // subset of requests
  uint32_t active_users = 0;            // at the cut
  int64_t clock_offset_us = 0;          // the agent's estimate of broker time minus its own
  int64_t first_request_unix_us = 0;    // broker time of the agent's first request, 0 = none yet
  bool final = false;                   // the agent's last window of the campaign
  int64_t last_completion_unix_us = 0;  // broker time of the agent's latest completed request
  // Appended in 0.4: a window the agent coalesced from several of its retained windows
  // (a parent absent for long) covers the pairs (agent, index) .. (agent, last_index).
  // 0 (or the window's index) = the window's own index only.
  uint64_t last_index = 0;
  bool operator==(const SourceTotals&) const = default;
  MSGPACK_DEFINE(agent_id, region, requests, failures, active_users, clock_offset_us, first_request_unix_us, final,
                 last_completion_unix_us, last_index)
  /// The last window index this source covers, given the window's own index.
  uint64_t through(uint64_t window_index) const { return last_index > window_index ? last_index : window_index; }
};

struct StatsWindow {
  uint64_t index = 0;                            // unix_ms / interval_ms at the window's start
  uint32_t interval_ms = 0;                      // window length
  uint32_t active_users = 0;                     // users running when the window was cut (sum over merged sources)
  std::map<std::string, RequestStats> requests;  // by request name
  std::vector<SourceTotals> sources;             // the (agent, window) pairs merged into this window
  // Appended in 0.3: problems the workload met, by message, with how often ("request
  // 'buy': variable 'token' is not set", "data 'accounts': unique rows ran out"). One
  // entry per distinct message, so the report says it once, not once per request.
  std::map<std::string, uint64_t> problems;

  uint64_t start_ms() const { return index * interval_ms; }
  uint64_t end_ms() const { return (index + 1) * interval_ms; }

  /// Sum over every request name.
  RequestStats total() const;

  /// Adds a window of the same index and interval (from another thread or node).
  /// Returns false, changing nothing, when index or interval differ.
  bool merge(const StatsWindow& other);

  /// Names what is inconsistent (failures above requests, unsorted status codes, ...),
  /// or std::nullopt when the window is valid. Decoders call it on untrusted input.
  std::optional<std::string> validate() const;

  MSGPACK_DEFINE(index, interval_ms, active_users, requests, sources, problems)
};

/// Most distinct problem messages a window may carry, and the longest message.
inline constexpr size_t kMaxProblems = 256;
inline constexpr size_t kMaxProblemBytes = 512;
/// Most windows one coalesced source may span (a day of 1 s windows).
inline constexpr uint64_t kMaxCoalescedSpan = 86'400;

/// Index of the window holding wall-clock instant `unix_ms`. Pure; interval must be > 0.
constexpr uint64_t window_index_at(uint64_t unix_ms, uint32_t interval_ms) { return unix_ms / interval_ms; }

}  // namespace grid::wire

#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "protocol/common/clock.hpp"

namespace grid::common {

/// What `loadgrid healthcheck` decides and prints (docs/adr/0024).
struct HealthVerdict {
  bool healthy = false;
  /// One line: "healthy: agent agent-a1 running, updated 0.4 s ago" or
  /// "unhealthy: PATH: <why>".
  std::string line;
};

/// Decides from a health file's content alone. Pure: the caller reads the file and the
/// clock. `content` is std::nullopt when the file does not exist. Healthy when the content
/// decodes and its time is at most `max_age` before `now`. A time ahead of `now` by more
/// than `max_age` (the wall clock stepped back) is unhealthy too; by less it counts as
/// "just updated". A parent that does not answer is said, but is not unhealthy: restarting
/// a node does not bring its parent back (the node fails over and stops its load by
/// itself, docs/adr/0012).
HealthVerdict judge_health(const std::string& path, const std::optional<std::string>& content, WallTime now,
                           std::chrono::milliseconds max_age);

}  // namespace grid::common

#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "protocol/common/clock.hpp"
#include "protocol/common/health_record.hpp"
#include "protocol/common/log.hpp"
#include "protocol/common/ticker.hpp"

namespace grid::common {

/// The health file a node keeps for `loadgrid healthcheck` (--health-file, docs/adr/0024),
/// owned by the node's loop thread. update() rewrites it atomically (temporary file in the
/// same directory, then rename) at most once per kEvery, so a loop that is stuck leaves it
/// to go stale. A write that fails is counted and warned about once (the first time, and
/// once more if writes work again and then fail again); the node goes on. The file is
/// removed by remove() or the destructor, so a node that exits leaves none behind (a node
/// killed with SIGKILL leaves a file that goes stale).
class HealthFile {
public:
  static constexpr std::chrono::seconds kEvery{1};

  /// An empty `path` disables the file: update() and remove() do nothing. The first
  /// update() writes at once.
  HealthFile(std::string path, Logger log, SteadyTime now);
  ~HealthFile();
  HealthFile(const HealthFile&) = delete;
  HealthFile& operator=(const HealthFile&) = delete;

  /// Rewrites the file when due at `now`; `make` (returning a HealthRecord) is called
  /// only then. Cheap when not due: one time comparison.
  template <class Make>
  void update(SteadyTime now, Make&& make) {
    if (path_.empty() || !tick_.due(now)) return;
    write(make());
  }
  /// Writes now, whatever the cadence (a state change worth showing at once).
  void write(const HealthRecord& record);
  /// Removes the file (a clean exit). Idempotent.
  void remove();

  const std::string& path() const { return path_; }
  /// Writes done, cumulative.
  uint64_t writes() const { return writes_; }
  /// Writes that failed, cumulative (a subset of the attempts; writes() counts the others).
  uint64_t failed_writes() const { return failed_; }

private:
  std::string path_;
  Logger log_;
  Ticker tick_;
  uint64_t writes_ = 0;
  uint64_t failed_ = 0;
  bool failing_ = false;  // the last write failed (warned)
  bool written_ = false;  // a write succeeded since the last remove(): there is a file to remove
};

/// A record of this process (its pid) written at `now`.
HealthRecord make_health_record(std::string node, std::string role, std::string_view state,
                                std::optional<bool> parent_connected, WallTime now);

/// The --health-file value when the option was not given: $LOADGRID_HEALTH_FILE, or "".
std::string default_health_file();

}  // namespace grid::common

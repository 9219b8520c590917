#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "protocol/common/clock.hpp"
#include "protocol/common/log.hpp"
#include "protocol/wire/messages.hpp"

namespace grid::common {

/// The rate limits of central logging (docs/adr/0018). Each node sends at most kBurst of
/// its own warnings and errors at once, then kRate a second; a parent that forwards or
/// receives records allows each originating node twice that (a safety net against a
/// child without limits, e.g. an older one: normally the originating node's own bucket
/// is the one that binds). Buckets are per originating node, so one noisy agent never
/// uses its siblings' share; a sender inventing node names ends up in one shared
/// overflow bucket (KeyedTokenBuckets).
struct LogLimits {
  static constexpr double kRate = 10.0;
  static constexpr double kBurst = 50.0;
  static constexpr double kForwardFactor = 2.0;
};

/// One warning or error a node's logger wrote.
struct CapturedLog {
  WallTime time;  // when it was logged (the node's wall clock)
  wire::LogLevel level = wire::LogLevel::warning;
  std::string message;
};

/// Catches what a node's logger writes at warning or above (whatever stderr shows, see
/// set_log_level), for the node's loop to send upstream (LogUplink) or, at the broker,
/// to the central log. Adds a sink to the logger; any thread may log (engine threads
/// do), take() belongs to the node's thread. Bounded: past `max_queued` records not yet
/// taken, the newest are dropped and counted.
class LogCapture {
public:
  static constexpr size_t kMaxQueued = 1000;
  /// Messages longer than this are cut (with "…" appended): a record must stay small.
  static constexpr size_t kMaxMessageBytes = 4096;

  explicit LogCapture(const Logger& logger, size_t max_queued = kMaxQueued);
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  /// The records caught since the last call, oldest first.
  std::vector<CapturedLog> take();
  /// Records dropped because max_queued were waiting, cumulative.
  uint64_t overflowed() const;

  class Sink;

private:
  Logger logger_;
  std::shared_ptr<Sink> sink_;
};

/// `text` cut to at most `max_bytes` bytes, at a UTF-8 character boundary, with "…"
/// appended when cut.
std::string cut_message(std::string text, size_t max_bytes = LogCapture::kMaxMessageBytes);

}  // namespace grid::common

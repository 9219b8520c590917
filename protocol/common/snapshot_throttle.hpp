#pragma once

#include <chrono>
#include <optional>

#include "protocol/common/clock.hpp"

namespace grid::common {

/// When a parent publishes its plan snapshot: after a change, but at most once per
/// `min_gap` (thousands of children joining must not mean thousands of snapshots), and
/// at least once per `max_gap` even without a change (late joiners and children that
/// missed one get the next). Pure: the caller passes time.
class SnapshotThrottle {
public:
  static constexpr std::chrono::milliseconds kMinGap{100};
  static constexpr std::chrono::milliseconds kMaxGap{1000};

  explicit SnapshotThrottle(std::chrono::nanoseconds min_gap = kMinGap, std::chrono::nanoseconds max_gap = kMaxGap)
      : min_gap_(min_gap), max_gap_(max_gap) {}

  /// Something in the snapshot changed: publish soon.
  void changed() { changed_ = true; }
  bool has_change() const { return changed_; }

  /// True when a snapshot should go out at `now` (always before the first publish).
  bool due(SteadyTime now) const {
    if (!last_) return true;
    return (changed_ && now >= *last_ + min_gap_) || now >= *last_ + max_gap_;
  }
  /// A snapshot went out at `now`, with every change so far.
  void published(SteadyTime now) {
    last_ = now;
    changed_ = false;
  }

private:
  std::chrono::nanoseconds min_gap_;
  std::chrono::nanoseconds max_gap_;
  std::optional<SteadyTime> last_;
  bool changed_ = true;
};

}  // namespace grid::common

#pragma once

#include <cstdint>
#include <set>

namespace grid::broker {

/// The window indexes counted for one agent, in constant memory for the usual case: an
/// agent's windows arrive mostly in order and without gaps, so they are kept as one
/// contiguous range [low, high) plus a set of the few indexes that arrived detached from
/// it. An hours-long soak test then costs a few bytes per agent, not a set entry per
/// window.
class WindowIndexSet {
public:
  /// Adds `index`; false when it was already there.
  bool insert(uint64_t index);
  bool contains(uint64_t index) const;
  uint64_t size() const { return (high_ - low_) + detached_.size(); }
  /// The contiguous range [low, high) (empty before the first insert) and the rest.
  uint64_t low() const { return low_; }
  uint64_t high() const { return high_; }
  const std::set<uint64_t>& detached() const { return detached_; }

private:
  void absorb();
  bool any_ = false;
  uint64_t low_ = 0;
  uint64_t high_ = 0;
  std::set<uint64_t> detached_;
};

}  // namespace grid::broker

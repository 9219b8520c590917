#include "broker/window_index_set.hpp"

namespace grid::broker {

bool WindowIndexSet::contains(uint64_t index) const {
  return (any_ && index >= low_ && index < high_) || detached_.count(index) > 0;
}

bool WindowIndexSet::insert(uint64_t index) {
  if (contains(index)) return false;
  if (!any_) {
    any_ = true;
    low_ = index;
    high_ = index + 1;
  } else if (index == high_) {
    ++high_;
  } else if (index + 1 == low_) {
    --low_;
  } else {
    detached_.insert(index);
    return true;
  }
  absorb();
  return true;
}

// Detached indexes that the range has grown to touch join it.
void WindowIndexSet::absorb() {
  for (;;) {
    if (auto it = detached_.find(high_); it != detached_.end()) {
      detached_.erase(it);
      ++high_;
    } else if (low_ > 0 && detached_.count(low_ - 1)) {
      detached_.erase(low_ - 1);
      --low_;
    } else {
      return;
    }
  }
}

}  // namespace grid::broker

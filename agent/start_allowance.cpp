#include "agent/start_allowance.hpp"

#include <algorithm>

namespace grid::agent {

StartAllowance::StartAllowance(size_t engines, uint64_t floor, uint64_t initial)
    : floor_(floor), started_at_apply_(engines, 0), previous_started_(engines, 0), applied_(engines, initial) {
  // Until the first announcements apply, the engines run under `initial`; the first
  // ticks announce from there.
  for (unsigned i = 0; i < kApplyLag; ++i) pending_.push_back(applied_);
}

const std::vector<uint64_t>& StartAllowance::tick(const std::vector<uint64_t>& started) {
  std::vector<uint64_t> next = pending_.empty() ? applied_ : pending_.back();
  for (size_t i = 0; i < next.size() && i < started.size(); ++i) {
    const uint64_t growth = started[i] > previous_started_[i] ? started[i] - previous_started_[i] : 0;
    const uint64_t headroom = std::max(floor_, growth * (kApplyLag + 2));
    next[i] = std::max(next[i], started[i] + headroom);
    previous_started_[i] = started[i];
  }
  pending_.push_back(std::move(next));
  applied_ = std::move(pending_.front());
  pending_.pop_front();
  for (size_t i = 0; i < started_at_apply_.size() && i < started.size(); ++i) started_at_apply_[i] = started[i];
  return applied_;
}

bool StartAllowance::running_low(const std::vector<uint64_t>& started) const {
  for (size_t i = 0; i < applied_.size() && i < started.size(); ++i) {
    const uint64_t base = std::min(started_at_apply_[i], applied_[i]);
    if (started[i] >= applied_[i] || applied_[i] - started[i] < (applied_[i] - base) / 2) return true;
  }
  return false;
}

uint64_t StartAllowance::announced() const {
  const auto& newest = pending_.empty() ? applied_ : pending_.back();
  uint64_t sum = 0;
  for (const uint64_t c : newest) sum += c;
  return sum;
}

}  // namespace grid::agent

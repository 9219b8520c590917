#include "protocol/common/outbox.hpp"

namespace grid::common {

void Outbox::keep(std::string frame) {
  if (frame.size() > max_bytes_) {  // could never fit: it alone is given up
    ++dropped_;
    return;
  }
  // The oldest go first: the newest windows are the ones a live console still needs, and
  // the count of what was given up travels on.
  while (!frames_.empty() && bytes_ + frame.size() > max_bytes_) {
    bytes_ -= frames_.front().size();
    frames_.pop_front();
    ++dropped_;
  }
  bytes_ += frame.size();
  frames_.push_back(std::move(frame));
}

size_t Outbox::abandon() {
  const size_t n = frames_.size();
  dropped_ += n;
  frames_.clear();
  bytes_ = 0;
  return n;
}

}  // namespace grid::common

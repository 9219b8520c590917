#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace grid::common {

/// Upstream frames a socket could not take yet (its queue full: a slow, stalled or
/// absent parent). They are kept in order and retried before anything newer, so stats
/// arrive late rather than never. Only past `max_bytes` are the oldest given up, and
/// every frame given up is counted, so a loss is always visible (heartbeats carry the
/// count up to the broker's summary). Pure apart from the caller's send function.
class Outbox {
public:
  static constexpr size_t kDefaultMaxBytes = size_t{256} << 20;

  explicit Outbox(size_t max_bytes = kDefaultMaxBytes) : max_bytes_(max_bytes) {}

  /// Sends `frame` through `send` (bool(std::string_view): false = would block) when
  /// nothing older waits and the socket takes it; keeps it otherwise.
  template <class Send>
  void submit(std::string frame, Send&& send) {
    if (frames_.empty() && send(std::string_view(frame))) return;
    keep(std::move(frame));
  }

  /// Retries the kept frames in order; stops at the first the socket refuses.
  /// Returns how many went out.
  template <class Send>
  size_t flush(Send&& send) {
    size_t sent = 0;
    while (!frames_.empty() && send(std::string_view(frames_.front()))) {
      bytes_ -= frames_.front().size();
      frames_.pop_front();
      ++sent;
    }
    return sent;
  }

  /// Gives up everything kept (the node is leaving and the parent did not take it):
  /// counted as dropped. Returns how many frames were given up.
  size_t abandon();

  bool empty() const { return frames_.empty(); }
  /// Frames kept now.
  size_t size() const { return frames_.size(); }
  size_t bytes() const { return bytes_; }
  /// Frames given up since the start, cumulative.
  uint64_t dropped() const { return dropped_; }

private:
  void keep(std::string frame);

  size_t max_bytes_;
  std::deque<std::string> frames_;
  size_t bytes_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace grid::common

#include "target/connection.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "target/http_request_parser.hpp"
#include "target/http_response.hpp"

namespace grid::target {
namespace {

constexpr std::size_t kInitialInputBytes = 4096;

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK; }

}  // namespace

void Connection::open(int fd) {
  fd_ = fd;
  ++generation_;
  if (input_.empty()) input_.resize(kInitialInputBytes);
  output_.reserve(kInitialInputBytes);
}

void Connection::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ++generation_;
  input_begin_ = input_end_ = 0;
  output_.clear();
  output_sent_ = 0;
  filler_remaining_ = 0;
  filler_offset_ = 0;
  readable = writable = hangup_reported = peer_closed = close_after_output = draining = false;
  body_remaining = 0;
  wait = Wait::none;
}

bool Connection::input_full() const noexcept { return input_end_ - input_begin_ >= kMaxHeadBytes; }

IoStatus Connection::fill() {
  // Move the unconsumed tail (at most one partial head, usually a few bytes) to the front,
  // then grow the buffer up to the head limit if it is still full.
  if (input_begin_ > 0) {
    std::memmove(input_.data(), input_.data() + input_begin_, input_end_ - input_begin_);
    input_end_ -= input_begin_;
    input_begin_ = 0;
  }
  if (input_end_ == input_.size()) {
    input_.resize(std::min(input_.size() * 2, kMaxHeadBytes));
  }
  const std::size_t space = input_.size() - input_end_;
  for (;;) {
    const ssize_t got = ::recv(fd_, input_.data() + input_end_, space, 0);
    if (got > 0) {
      input_end_ += static_cast<std::size_t>(got);
      // A short read means the socket buffer is empty and new data brings a new edge, except
      // for a FIN that was already reported with this data: read on until recv returns 0.
      if (static_cast<std::size_t>(got) < space && !hangup_reported) readable = false;
      return IoStatus::ok;
    }
    if (got == 0) {
      readable = false;
      return IoStatus::closed;
    }
    if (errno == EINTR) continue;
    if (would_block(errno)) {
      readable = false;
      return IoStatus::retry;
    }
    return IoStatus::error;
  }
}

IoStatus Connection::flush() {
  const std::string_view filler = filler_chunk();
  while (has_output()) {
    iovec parts[2];
    int count = 0;
    const std::size_t buffered = output_.size() - output_sent_;
    if (buffered > 0) {
      parts[count++] = {output_.data() + output_sent_, buffered};
    }
    if (filler_remaining_ > 0) {
      const std::size_t chunk =
          static_cast<std::size_t>(std::min<std::uint64_t>(filler_remaining_, filler.size() - filler_offset_));
      parts[count++] = {const_cast<char*>(filler.data() + filler_offset_), chunk};
    }
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = static_cast<std::size_t>(count);
    const ssize_t sent = ::sendmsg(fd_, &message, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (would_block(errno)) {
        writable = false;
        return IoStatus::retry;
      }
      return IoStatus::error;
    }
    auto left = static_cast<std::size_t>(sent);
    const std::size_t from_buffer = std::min(left, buffered);
    output_sent_ += from_buffer;
    left -= from_buffer;
    filler_remaining_ -= left;
    filler_offset_ = (filler_offset_ + left) % filler.size();
  }
  output_.clear();
  output_sent_ = 0;
  filler_offset_ = 0;
  return IoStatus::ok;
}

}  // namespace grid::target

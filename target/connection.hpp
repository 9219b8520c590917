#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "target/route.hpp"

namespace grid::target {

// Outcome of one non-blocking socket operation (wrk's OK/RETRY/ERROR, plus orderly EOF).
enum class IoStatus {
  ok,      // progress made (bytes read, or all output written)
  retry,   // the socket would block; wait for the next epoll edge
  closed,  // the peer shut down its sending side (read returned 0)
  error,   // the connection is broken; close it
};

// Why a connection may not queue its next response yet.
enum class Wait {
  none,
  timer,  // a delayed (or stalled) response is due when its timer fires
  stats,  // a /__stats answer is being gathered from all workers
  body,   // an /echo request's body is still being read into pending.body
};

// The response a connection owes once its wait ends, copied out of the input buffer.
struct PendingResponse {
  Route route;
  bool keep_alive = true;
  int minor_version = 1;
  bool head_only = false;
  // Request path for the counters; its capacity is reused across requests.
  std::string path;
  // The body of echo and json_token responses, built when the request is dispatched (for
  // /echo: the head as received, then the request body as it arrives) and of /__stall.
  // Capacity reused.
  std::string body;
  // Header lines ("Name: value\r\n") a json_token response adds. Capacity reused.
  std::string extra_headers;
};

// One accepted TCP connection and its buffers, owned by a single WorkerLoop. The slot is
// reused for later connections on the same fd; `generation` tells them apart so stale
// epoll events and timers can be ignored. Buffers keep their capacity across requests and
// connections, so steady-state serving does not allocate.
//
// The I/O helpers do the byte shuffling; the public flags are protocol state that the
// WorkerLoop reads and writes.
class Connection {
public:
  // Output bytes queued beyond which no further pipelined request is parsed until the
  // peer reads (back-pressure against clients that pipeline without reading).
  static constexpr std::size_t kMaxOutputBacklog = 64 * 1024;

  // Starts serving a freshly accepted socket in this slot.
  void open(int fd);
  // Closes the socket and clears protocol state; the slot may then be reopened.
  void close();

  bool is_open() const noexcept { return fd_ >= 0; }
  int fd() const noexcept { return fd_; }
  std::uint32_t generation() const noexcept { return generation_; }

  // Received bytes not yet consumed.
  std::string_view input() const noexcept { return {input_.data() + input_begin_, input_end_ - input_begin_}; }
  void consume(std::size_t bytes) noexcept { input_begin_ += bytes; }
  // True when the buffer holds kMaxHeadBytes unconsumed bytes and cannot take more.
  bool input_full() const noexcept;
  // Reads once into free buffer space (compacting or growing it first). Clears `readable`
  // when the socket is drained, so callers read again only after the next epoll edge.
  IoStatus fill();

  // Response bytes are appended here.
  std::string& output() noexcept { return output_; }
  // Queues `bytes` filler bytes after everything in output(); see filler_chunk().
  void append_filler(std::uint64_t bytes) noexcept { filler_remaining_ += bytes; }
  bool has_output() const noexcept { return output_sent_ < output_.size() || filler_remaining_ > 0; }
  // True when the next response should wait until queued bytes are written.
  bool output_backlogged() const noexcept {
    return filler_remaining_ > 0 || output_.size() - output_sent_ > kMaxOutputBacklog;
  }
  // Writes queued output until done or the socket would block (then clears `writable`).
  IoStatus flush();

  // Epoll reported readability that fill() has not yet exhausted.
  bool readable = false;
  // Epoll reported writability that flush() has not yet exhausted.
  bool writable = false;
  // Epoll reported EPOLLRDHUP/EPOLLHUP: EOF is pending behind any buffered data, and no
  // further edge will announce it.
  bool hangup_reported = false;
  // The peer sent EOF: serve what is buffered, then close.
  bool peer_closed = false;
  // A response asked to close the connection; parse nothing more.
  bool close_after_output = false;
  // Our side is shut down; remaining input is discarded until the peer closes (a
  // lingering close, so unread request bytes do not turn our FIN into a reset).
  bool draining = false;
  // Body bytes of the current request still to be read and discarded.
  std::uint64_t body_remaining = 0;
  Wait wait = Wait::none;
  PendingResponse pending;

private:
  int fd_ = -1;
  std::uint32_t generation_ = 0;
  std::vector<char> input_;
  std::size_t input_begin_ = 0;
  std::size_t input_end_ = 0;
  std::string output_;
  std::size_t output_sent_ = 0;
  std::uint64_t filler_remaining_ = 0;
  // Offset into filler_chunk() where the next filler byte comes from.
  std::size_t filler_offset_ = 0;
};

}  // namespace grid::target

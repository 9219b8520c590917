#include "protocol/wire/request_stats.hpp"

#include <algorithm>

namespace grid::wire {

void RequestStats::count_status(uint16_t code) {
  for (auto& s : status_codes) {
    if (s.code == code) {
      ++s.count;
      return;
    }
  }
  const auto at = std::lower_bound(status_codes.begin(), status_codes.end(), code,
                                   [](const StatusCount& s, uint16_t c) { return s.code < c; });
  status_codes.insert(at, StatusCount{code, 1});
}

void RequestStats::merge(const RequestStats& other) {
  requests += other.requests;
  failures.merge(other.failures);
  for (const auto& theirs : other.status_codes) {
    const auto at = std::lower_bound(status_codes.begin(), status_codes.end(), theirs.code,
                                     [](const StatusCount& s, uint16_t c) { return s.code < c; });
    if (at != status_codes.end() && at->code == theirs.code) {
      at->count += theirs.count;
    } else {
      status_codes.insert(at, theirs);
    }
  }
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  latency_us.merge(other.latency_us);
}

bool RequestStats::operator==(const RequestStats& other) const {
  return requests == other.requests && failures == other.failures && status_codes == other.status_codes &&
         bytes_sent == other.bytes_sent && bytes_received == other.bytes_received && latency_us == other.latency_us;
}

}  // namespace grid::wire

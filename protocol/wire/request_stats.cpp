#include "protocol/wire/request_stats.hpp"

#include <algorithm>

namespace grid::wire {

namespace {

// Counts one `code` in an ascending list of code counts.
void count_code(std::vector<StatusCount>& counts, uint16_t code) {
  for (auto& s : counts) {
    if (s.code == code) {
      ++s.count;
      return;
    }
  }
  const auto at =
      std::lower_bound(counts.begin(), counts.end(), code, [](const StatusCount& s, uint16_t c) { return s.code < c; });
  counts.insert(at, StatusCount{code, 1});
}

void merge_codes(std::vector<StatusCount>& mine, const std::vector<StatusCount>& theirs) {
  for (const auto& t : theirs) {
    const auto at =
        std::lower_bound(mine.begin(), mine.end(), t.code, [](const StatusCount& s, uint16_t c) { return s.code < c; });
    if (at != mine.end() && at->code == t.code) {
      at->count += t.count;
    } else {
      mine.insert(at, t);
    }
  }
}

}  // namespace

void RequestStats::count_status(uint16_t code) { count_code(status_codes, code); }

void RequestStats::count_http_version(uint16_t version) { count_code(http_versions, version); }

std::string served_by(uint8_t transports) {
  std::string out;
  if (transports & kServedCurl) out = "curl";
  if (transports & kServedNative) out += out.empty() ? "native" : "+native";
  return out;
}

void RequestStats::merge(const RequestStats& other) {
  requests += other.requests;
  failures.merge(other.failures);
  merge_codes(status_codes, other.status_codes);
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  latency_us.merge(other.latency_us);
  dropped_iterations += other.dropped_iterations;
  service_us.merge(other.service_us);
  merge_codes(http_versions, other.http_versions);
  transports |= other.transports;
}

bool RequestStats::operator==(const RequestStats& other) const {
  return requests == other.requests && failures == other.failures && status_codes == other.status_codes &&
         bytes_sent == other.bytes_sent && bytes_received == other.bytes_received && latency_us == other.latency_us &&
         dropped_iterations == other.dropped_iterations && service_us == other.service_us &&
         http_versions == other.http_versions && transports == other.transports;
}

}  // namespace grid::wire

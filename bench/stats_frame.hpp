#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <msgpack.hpp>

namespace grid::bench {

/// The request part of a stats window, already msgpack-encoded: the bytes of a
/// `std::map<std::string, wire::RequestStats>` exactly as wire::encode packs it, with the
/// totals the window's SourceTotals must repeat.
struct EncodedRequests {
  std::string map_bytes;
  uint64_t requests = 0;  // completed requests, sum over names
  uint64_t failures = 0;  // failed requests, subset of `requests`
};

/// Everything of one simulated agent's stats window that is not the request map.
struct StatsFrameFields {
  std::string_view agent_id;
  std::string_view region;
  std::string_view campaign_id;
  uint64_t index = 0;  // window index (unix_ms / interval_ms at its start)
  uint32_t interval_ms = 0;
  uint32_t active_users = 0;          // users at the cut
  int64_t first_request_unix_us = 0;  // 0 = none yet
  bool final = false;
};

/// Writes the upstream frame of a StatsReport holding one StatsWindow with one source,
/// splicing a pre-encoded request map in, so a swarm can send thousands of windows a
/// second without building histograms. The bytes are exactly those of
/// `wire::encode(StatsReport{...}, agent_id)`; check_round_trip() proves it for a frame,
/// and the constructor throws std::logic_error when the wire structs gained fields this
/// writer does not know (append-only layouts: the writer must be updated then).
class StatsFrameWriter {
public:
  StatsFrameWriter();

  /// Encodes one frame into an internal buffer. The view is valid until the next call.
  std::string_view write(const StatsFrameFields& fields, const EncodedRequests& requests);

  /// Decodes `frame` with the real codec (envelope, body, validate()), re-encodes it with
  /// wire::encode and compares bytes and totals. Returns an empty string when all agree,
  /// otherwise what differs.
  static std::string check_round_trip(std::string_view frame, const EncodedRequests& requests);

private:
  msgpack::sbuffer buffer_;
};

}  // namespace grid::bench

#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/common/result.hpp"
#include "protocol/wire/plan.hpp"

namespace grid::common {

/// What a node's health file says (docs/adr/0024): who wrote it, in which state, whether
/// its parent answers, and when. One line of JSON, e.g.
/// {"node":"agent-a1","role":"agent","state":"running","parent_connected":true,"time_unix_ms":1767225600000,"pid":42}
/// The file is rewritten by the node's own loop, so its time says the loop is alive.
struct HealthRecord {
  std::string node;                      // node id
  std::string role;                      // broker, relay or agent
  std::string state;                     // idle, waiting, running, stopping, finished, draining
  std::optional<bool> parent_connected;  // relays and agents: the parent echoes our heartbeats; broker: none
  int64_t time_unix_ms = 0;              // wall clock of the write
  int64_t pid = 0;                       // the writing process
};

/// Longest content decode_health_record accepts: a record is ~150 bytes; anything much
/// bigger is not ours, and the bound keeps the parser's work small on any input.
inline constexpr size_t kMaxHealthRecordBytes = 4096;

/// One line of JSON, newline-terminated. Strings are JSON-escaped.
std::string encode_health_record(const HealthRecord& record);

/// Parses what encode_health_record writes. Never throws: content that is not JSON, too
/// long, not an object, or has a required field missing or of the wrong type gives an
/// error naming what was wrong. Unknown fields are ignored (a newer writer may add some).
Result<HealthRecord> decode_health_record(std::string_view content);

/// The state a health file shows for a campaign state (idle, waiting, running, stopping,
/// finished), the same words as GET /api/v1/nodes and the plan.
std::string_view health_state_name(wire::CampaignState state);

}  // namespace grid::common

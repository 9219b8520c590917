#pragma once

// Upstream message bodies (agent/relay -> parent). Plain structs with positional msgpack
// encoding: append-only, never reorder or remove a field (STYLE.md 8). Each names its
// MessageType; the codec wraps it in the versioned envelope.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <msgpack.hpp>

#include "protocol/wire/stats_window.hpp"

namespace grid::wire {

enum class MessageType : uint8_t {
  hello = 1,
  heartbeat = 2,
  stats = 3,
  log = 4,
  bye = 5,
};

/// True for every MessageType this build knows.
constexpr bool is_known(MessageType t) {
  return t >= MessageType::hello && t <= MessageType::bye;
}

enum class NodeKind : uint8_t { agent = 0, relay = 1, broker = 2 };

/// First message a child sends its parent, and again after reconnecting.
struct Hello {
  static constexpr MessageType kType = MessageType::hello;
  uint8_t kind = 0;               // NodeKind
  std::string region;
  std::string hostname;
  uint32_t cores = 0;
  uint64_t memory_bytes = 0;
  uint32_t max_users = 0;         // 0 = no cap
  std::string software_version;
  MSGPACK_DEFINE(kind, region, hostname, cores, memory_bytes, max_users, software_version)
  std::optional<std::string> validate() const {
    if (kind > static_cast<uint8_t>(NodeKind::broker)) return "hello has unknown node kind " + std::to_string(kind);
    return std::nullopt;
  }
};

/// Liveness and load of a child, sent every second.
struct Heartbeat {
  static constexpr MessageType kType = MessageType::heartbeat;
  double cpu_percent = 0;         // process CPU over the last second, 100 = one core
  uint64_t rss_bytes = 0;
  uint32_t active_users = 0;
  uint64_t plan_epoch = 0;        // epoch of the plan the child runs
  int64_t sent_unix_us = 0;       // sender's wall clock at send, for clock-offset probes
  MSGPACK_DEFINE(cpu_percent, rss_bytes, active_users, plan_epoch, sent_unix_us)
  std::optional<std::string> validate() const { return std::nullopt; }
};

/// Stats windows a node has cut and not yet had acknowledged.
struct StatsReport {
  static constexpr MessageType kType = MessageType::stats;
  std::vector<StatsWindow> windows;
  MSGPACK_DEFINE(windows)
  std::optional<std::string> validate() const {
    for (const auto& w : windows) {
      if (auto e = w.validate()) return e;
    }
    return std::nullopt;
  }
};

/// A warning or error forwarded upstream for central logging.
struct LogRecord {
  static constexpr MessageType kType = MessageType::log;
  uint8_t level = 0;              // 0 info, 1 warning, 2 error
  std::string text;
  MSGPACK_DEFINE(level, text)
  std::optional<std::string> validate() const {
    if (level > 2) return "log record has unknown level " + std::to_string(level);
    return std::nullopt;
  }
};

/// Last message of a child that leaves on purpose.
struct Bye {
  static constexpr MessageType kType = MessageType::bye;
  std::string reason;
  MSGPACK_DEFINE(reason)
  std::optional<std::string> validate() const { return std::nullopt; }
};

}  // namespace grid::wire

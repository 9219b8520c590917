#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace grid::broker {

/// One warning or error of the central log (docs/adr/0018), as logs.jsonl and
/// GET /api/v1/logs show it.
struct LogEntry {
  uint64_t seq = 0;          // 1, 2, ... in the order the broker took the records
  int64_t time_unix_ms = 0;  // when it was logged, on the broker's clock (as its node estimated it)
  double elapsed_s = 0;      // time_unix_ms since the campaign's start instant (0 before it)
  std::string node;          // the node that logged it
  std::string level;         // "warning" or "error"
  std::string message;       // valid UTF-8, at most LogCapture::kMaxMessageBytes (+ "…")
};

/// `text` with every byte sequence that is not UTF-8 replaced by U+FFFD, so it can be
/// written as JSON anywhere.
std::string utf8_or_replaced(const std::string& text);

/// The JSON object of an entry: time_unix_ms, elapsed_s, node, level, message, and seq
/// first when `with_seq` (the API's; logs.jsonl has none). Pure.
nlohmann::ordered_json log_entry_json(const LogEntry& entry, bool with_seq);
/// One line of logs.jsonl, without its newline:
/// {"time_unix_ms":1796166749123,"elapsed_s":2.5,"node":"a1","level":"warning","message":"..."}. Pure.
std::string log_jsonl_line(const LogEntry& entry);

/// The recent entries as a snapshot holds them: immutable chunks, shared with the
/// broker's RecentLogs and with other snapshots.
struct LogView {
  std::vector<std::shared_ptr<const std::vector<LogEntry>>> chunks;  // oldest first
  uint64_t total = 0;                                                // entries the broker ever took (the newest seq)
  uint64_t dropped = 0;  // records rate limits dropped anywhere in the grid (health.dropped_log_records)

  /// The entries with a seq above `since`, at most the newest `limit`, oldest first.
  std::vector<const LogEntry*> after(uint64_t since, size_t limit) const;
};

/// The broker's last kKeep entries for the API, cheap to publish every 250 ms: full
/// chunks of kChunk entries are sealed and shared (never copied again); view() copies
/// only the open chunk (fewer than kChunk entries) and the chunk pointers.
class RecentLogs {
public:
  static constexpr size_t kKeep = 1000;
  static constexpr size_t kChunk = 64;

  /// Numbers the entry (seq) and keeps it; returns it as kept.
  const LogEntry& append(LogEntry entry);
  /// The entries kept (at least the last kKeep), for a snapshot.
  LogView view() const;
  uint64_t total() const { return total_; }

private:
  std::vector<std::shared_ptr<const std::vector<LogEntry>>> sealed_;  // oldest first
  std::vector<LogEntry> open_;
  uint64_t total_ = 0;
};

}  // namespace grid::broker

#include "broker/central_log.hpp"

#include <cmath>

namespace grid::broker {

std::string utf8_or_replaced(const std::string& text) {
  // nlohmann's serializer knows UTF-8; its replace mode is the validator.
  const std::string quoted = nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return nlohmann::json::parse(quoted).get<std::string>();
}

nlohmann::ordered_json log_entry_json(const LogEntry& e, bool with_seq) {
  nlohmann::ordered_json out;
  if (with_seq) out["seq"] = e.seq;
  out["time_unix_ms"] = e.time_unix_ms;
  out["elapsed_s"] = std::round(e.elapsed_s * 1000.0) / 1000.0;
  out["node"] = e.node;
  out["level"] = e.level;
  out["message"] = e.message;
  return out;
}

std::string log_jsonl_line(const LogEntry& entry) {
  return log_entry_json(entry, false).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<const LogEntry*> LogView::after(uint64_t since, size_t limit) const {
  std::vector<const LogEntry*> out;
  for (const auto& chunk : chunks) {
    if (chunk->empty() || chunk->back().seq <= since) continue;
    for (const auto& e : *chunk) {
      if (e.seq > since) out.push_back(&e);
    }
  }
  if (out.size() > limit) out.erase(out.begin(), out.end() - static_cast<std::ptrdiff_t>(limit));
  return out;
}

const LogEntry& RecentLogs::append(LogEntry entry) {
  entry.seq = ++total_;
  open_.push_back(std::move(entry));
  if (open_.size() == kChunk) {
    sealed_.push_back(std::make_shared<const std::vector<LogEntry>>(std::move(open_)));
    open_ = {};
    open_.reserve(kChunk);
    // Keep enough sealed chunks that, with the open one, at least kKeep entries remain.
    while ((sealed_.size() - 1) * kChunk >= kKeep) sealed_.erase(sealed_.begin());
    return sealed_.back()->back();
  }
  return open_.back();
}

LogView RecentLogs::view() const {
  LogView v;
  v.chunks = sealed_;
  if (!open_.empty()) v.chunks.push_back(std::make_shared<const std::vector<LogEntry>>(open_));
  v.total = total_;
  return v;
}

}  // namespace grid::broker

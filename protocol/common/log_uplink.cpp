#include "protocol/common/log_uplink.hpp"

namespace grid::common {

LogUplink::LogUplink(const Logger& logger, std::string node_id)
    : capture_(logger),
      node_id_(std::move(node_id)),
      own_(LogLimits::kRate, LogLimits::kBurst),
      per_node_(LogLimits::kRate * LogLimits::kForwardFactor, LogLimits::kBurst * LogLimits::kForwardFactor) {}

void LogUplink::pump(ParentLink& parent, SteadyTime now) {
  auto records = capture_.take();
  if (records.empty()) return;
  const int64_t offset_us = parent.clock_offset().offset_us().value_or(0);
  for (auto& r : records) {
    if (!own_.try_take(now)) {
      ++dropped_;
      continue;
    }
    wire::LogRecord record;
    record.level = r.level;
    record.text = std::move(r.message);
    record.node = node_id_;
    record.time_unix_ms = (to_unix_us(r.time) + offset_us) / 1000;
    parent.send(record);
  }
}

void LogUplink::forward(ParentLink& parent, const std::string& sender, const wire::LogRecord& record,
                        const std::string& frame, SteadyTime now) {
  if (!per_node_.try_take(record.node.empty() ? sender : record.node, now)) {
    ++dropped_;
    return;
  }
  parent.send_frame(frame);  // unchanged: the originating node stays named
}

}  // namespace grid::common

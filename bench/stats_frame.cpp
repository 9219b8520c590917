#include "bench/stats_frame.hpp"

#include <stdexcept>

#include "protocol/wire/codec.hpp"
#include "protocol/wire/messages.hpp"

namespace grid::bench {
namespace {

// The positional layouts this writer spells out by hand (see messages.hpp and
// stats_window.hpp): StatsReport [windows, campaign_id] and StatsWindow [index,
// interval_ms, active_users, requests, sources]. SourceTotals is packed as the struct
// itself, so fields appended there are carried automatically.
constexpr uint32_t kReportFields = 2;
constexpr uint32_t kWindowFields = 5;

// Number of positional fields `value` packs to (its msgpack array header).
template <class T>
uint32_t packed_fields(const T& value) {
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, value);
  const auto handle = msgpack::unpack(buffer.data(), buffer.size());
  return handle.get().type == msgpack::type::ARRAY ? handle.get().via.array.size : 0;
}

}  // namespace

StatsFrameWriter::StatsFrameWriter() {
  const uint32_t report = packed_fields(wire::StatsReport{});
  const uint32_t window = packed_fields(wire::StatsWindow{});
  if (report != kReportFields || window != kWindowFields) {
    throw std::logic_error("wire layout changed: StatsReport has " + std::to_string(report) +
                           " fields and StatsWindow " + std::to_string(window) + ", bench/stats_frame.cpp knows " +
                           std::to_string(kReportFields) + " and " + std::to_string(kWindowFields));
  }
}

std::string_view StatsFrameWriter::write(const StatsFrameFields& f, const EncodedRequests& requests) {
  buffer_.clear();
  msgpack::packer<msgpack::sbuffer> packer(buffer_);
  // Envelope, as wire::encode writes it.
  packer.pack_array(4);
  packer.pack(static_cast<uint8_t>(wire::StatsReport::kType));
  packer.pack(wire::kProtocolVersion);
  packer.pack(f.agent_id);
  // StatsReport [windows, campaign_id] with one StatsWindow.
  packer.pack_array(kReportFields);
  packer.pack_array(1);
  packer.pack_array(kWindowFields);
  packer.pack(f.index);
  packer.pack(f.interval_ms);
  packer.pack(f.active_users);
  buffer_.write(requests.map_bytes.data(), requests.map_bytes.size());
  wire::SourceTotals source;
  source.agent_id = f.agent_id;
  source.region = f.region;
  source.requests = requests.requests;
  source.failures = requests.failures;
  source.active_users = f.active_users;
  source.clock_offset_us = 0;  // the swarm assumes its clock is the broker's
  source.first_request_unix_us = f.first_request_unix_us;
  source.final = f.final;
  packer.pack_array(1);
  packer.pack(source);
  packer.pack(f.campaign_id);
  return {buffer_.data(), buffer_.size()};
}

std::string StatsFrameWriter::check_round_trip(std::string_view frame, const EncodedRequests& requests) {
  auto env = wire::decode_envelope(frame);
  if (!env) return "envelope does not decode: " + env.error();
  auto report = wire::decode_body<wire::StatsReport>(env.value());
  if (!report) return "body does not decode or validate: " + report.error();
  if (report.value().windows.size() != 1) return "expected one window";
  const auto& w = report.value().windows.front();
  const auto total = w.total();
  if (total.requests != requests.requests || total.failed() != requests.failures) {
    return "window totals differ from the template's";
  }
  if (w.sources.size() != 1 || w.sources.front().requests != total.requests ||
      w.sources.front().failures != total.failed()) {
    return "source totals differ from the window's";
  }
  if (wire::encode(report.value(), env.value().node_id) != frame) {
    return "bytes differ from wire::encode of the same report";
  }
  return {};
}

}  // namespace grid::bench

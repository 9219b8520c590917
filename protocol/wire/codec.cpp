#include "protocol/wire/codec.hpp"

#include <algorithm>

namespace grid::wire {
namespace {

// Bounds on what one frame may unpack to, so a hostile frame cannot make us allocate
// without limit (a 5-byte array header may claim 4 billion elements, and msgpack reserves
// room for every claimed element before reading one). Every element takes at least one
// byte, so no honest frame claims more elements than it has bytes.
msgpack::unpack_limit limits_for(size_t frame_bytes) {
  const auto bytes = static_cast<uint32_t>(std::min<size_t>(frame_bytes, UINT32_MAX));
  return msgpack::unpack_limit(/*array=*/std::min(1u << 20, bytes), /*map=*/std::min(1u << 16, bytes),
                               /*str=*/1u << 20, /*bin=*/1u << 20, /*ext=*/0, /*depth=*/16);
}

}  // namespace

Result<Envelope> decode_envelope(std::string_view frame) {
  if (frame.empty()) return Error{"empty frame"};
  Envelope env;
  env.zone = std::make_shared<msgpack::zone>();
  try {
    size_t offset = 0;
    bool referenced = false;
    msgpack::object root = msgpack::unpack(*env.zone, frame.data(), frame.size(), offset, referenced, nullptr, nullptr,
                                           limits_for(frame.size()));
    if (offset != frame.size()) {
      return Error{std::to_string(frame.size() - offset) + " trailing bytes after the message"};
    }
    if (root.type != msgpack::type::ARRAY) return Error{"envelope is not an array"};
    if (root.via.array.size < 4) {
      return Error{"envelope has " + std::to_string(root.via.array.size) +
                   " fields, expected 4 (type, version, node_id, body)"};
    }
    const msgpack::object* f = root.via.array.ptr;
    if (f[0].type != msgpack::type::POSITIVE_INTEGER || f[0].via.u64 > 255) {
      return Error{"envelope type is not a small unsigned integer"};
    }
    env.type = static_cast<MessageType>(f[0].via.u64);
    if (f[1].type != msgpack::type::POSITIVE_INTEGER) {
      return Error{"envelope version is not an unsigned integer"};
    }
    if (f[1].via.u64 != kProtocolVersion) {
      // Names the sender too when it can, so the line says who to upgrade.
      const std::string from =
          f[2].type == msgpack::type::STR
              ? " from node \"" + printable_node_id(std::string_view(f[2].via.str.ptr, f[2].via.str.size)) + "\""
              : "";
      return Error{"unsupported protocol version " + std::to_string(f[1].via.u64) + from + " (this node speaks " +
                   std::to_string(kProtocolVersion) + ")"};
    }
    env.version = static_cast<uint16_t>(f[1].via.u64);
    if (f[2].type != msgpack::type::STR) return Error{"envelope node_id is not a string"};
    env.node_id.assign(f[2].via.str.ptr, f[2].via.str.size);
    if (!is_known(env.type)) {
      return Error{"unknown message type " + std::to_string(f[0].via.u64)};
    }
    env.body = f[3];
  } catch (const msgpack::insufficient_bytes&) {
    return Error{"truncated frame"};
  } catch (const msgpack::depth_size_overflow& e) {
    return Error{std::string("frame nests too deep (") + e.what() + ")"};
  } catch (const msgpack::size_overflow& e) {
    // Above the limits, which are bounded by the frame's own size: the frame cannot hold
    // what it claims, so it is cut short or lying.
    return Error{std::string("truncated frame: a length claims more than the frame holds (") + e.what() + ")"};
  } catch (const std::exception& e) {
    return Error{std::string("malformed frame: ") + e.what()};
  }
  return env;
}

std::string printable_node_id(std::string_view id) {
  std::string out;
  for (const char ch : id.substr(0, 64)) out += (ch >= 0x20 && ch <= 0x7e) ? ch : '?';
  if (id.size() > 64) out += "...";
  return out.empty() ? "(no id)" : out;
}

std::optional<ForeignVersion> foreign_version(std::string_view frame) {
  if (frame.empty()) return std::nullopt;
  try {
    msgpack::zone zone;
    size_t offset = 0;
    bool referenced = false;
    const msgpack::object root = msgpack::unpack(zone, frame.data(), frame.size(), offset, referenced, nullptr, nullptr,
                                                 limits_for(frame.size()));
    if (offset != frame.size() || root.type != msgpack::type::ARRAY || root.via.array.size < 4) return std::nullopt;
    const msgpack::object* f = root.via.array.ptr;
    if (f[1].type != msgpack::type::POSITIVE_INTEGER || f[1].via.u64 == kProtocolVersion) return std::nullopt;
    ForeignVersion out;
    out.version = f[1].via.u64;
    if (f[2].type == msgpack::type::STR) out.node_id.assign(f[2].via.str.ptr, f[2].via.str.size);
    return out;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace grid::wire

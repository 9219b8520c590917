#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <msgpack.hpp>

#include "protocol/wire/messages.hpp"
#include "protocol/wire/result.hpp"

namespace grid::wire {

/// Version of the envelope and of every body layout. It changes only on an incompatible
/// change; within one version, bodies evolve by appending fields, so nodes of adjacent
/// minor releases work together (docs/compatibility.md, docs/adr/0021). A receiver
/// refuses other versions.
inline constexpr uint16_t kProtocolVersion = 1;

/// A decoded envelope whose body has not been converted yet. Owns the unpacked data.
struct Envelope {
  MessageType type{};
  uint16_t version = 0;
  std::string node_id;
  msgpack::object body;                 // points into `zone`
  std::shared_ptr<msgpack::zone> zone;  // keeps `body` alive
};

/// Encodes `message` in the versioned envelope `[type, version, node_id, body]`.
template <class M>
std::string encode(const M& message, std::string_view node_id) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(4);
  packer.pack(static_cast<uint8_t>(M::kType));
  packer.pack(kProtocolVersion);
  packer.pack(node_id);
  packer.pack(message);
  return std::string(buffer.data(), buffer.size());
}

/// Decodes the envelope of an untrusted frame. Never throws: malformed, truncated,
/// oversized, trailing-garbage, wrong-typed, unknown-type and unknown-version input each
/// give an Error naming what was wrong.
Result<Envelope> decode_envelope(std::string_view frame);

/// Who sent a frame of another protocol version, and which: what decode_envelope refused
/// it for, for a message naming the peer and both versions.
struct ForeignVersion {
  uint64_t version = 0;
  std::string node_id;  // as the frame gives it ("" when it is not a string)
};

/// The sender and version of `frame` when it is a well-formed envelope of a protocol
/// version other than kProtocolVersion; std::nullopt otherwise. Unpacks the frame again
/// (under the same bounds): for the path of a frame decode_envelope refused, never the
/// hot path. Never throws.
std::optional<ForeignVersion> foreign_version(std::string_view frame);

/// A node id from the wire, fit for a log line and summary.json: printable ASCII (other
/// bytes as '?'), cut at 64 bytes ("..." appended), "(no id)" when empty.
std::string printable_node_id(std::string_view id);

/// Converts the body of `envelope` to message `M` and validates it. Never throws.
template <class M>
Result<M> decode_body(const Envelope& envelope) {
  if (envelope.type != M::kType) {
    return Error{"expected message type " + std::to_string(static_cast<int>(M::kType)) + ", got " +
                 std::to_string(static_cast<int>(envelope.type))};
  }
  M message;
  try {
    envelope.body.convert(message);
  } catch (const std::exception& e) {
    return Error{"malformed body of message type " + std::to_string(static_cast<int>(M::kType)) + ": " + e.what()};
  }
  if (auto problem = message.validate()) return Error{*problem};
  return message;
}

}  // namespace grid::wire

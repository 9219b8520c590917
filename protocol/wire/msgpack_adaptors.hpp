#pragma once

// msgpack-cxx adaptors for the wire types that are not plain MSGPACK_DEFINE structs.
// Conversions validate what they read and throw grid::wire::InvalidField, which the
// codec turns into a decode error; they never accept inconsistent data silently.

#include <cstdint>
#include <stdexcept>
#include <string>

#include <msgpack.hpp>

#include "protocol/wire/failure_kind.hpp"
#include "protocol/wire/latency_histogram.hpp"

namespace grid::wire {

/// Thrown by adaptors when a field is well-formed msgpack but not a valid value.
struct InvalidField : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace grid::wire

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

// FailureCounts travel as an array of counts in FailureKind order. A newer peer may send
// more kinds than we know: their counts are folded into `other`, so totals never shrink.
template <>
struct convert<grid::wire::FailureCounts> {
  const msgpack::object& operator()(const msgpack::object& o, grid::wire::FailureCounts& v) const {
    if (o.type != msgpack::type::ARRAY) throw grid::wire::InvalidField("failure counts are not an array");
    v = {};
    for (uint32_t i = 0; i < o.via.array.size; ++i) {
      const auto n = o.via.array.ptr[i].as<uint64_t>();
      const size_t slot = i < grid::wire::kFailureKindCount ? i : static_cast<size_t>(grid::wire::FailureKind::other);
      if (v.by_kind[slot] > UINT64_MAX - n) throw grid::wire::InvalidField("failure counts overflow");
      v.by_kind[slot] += n;
    }
    return o;
  }
};

template <>
struct pack<grid::wire::FailureCounts> {
  template <typename Stream>
  packer<Stream>& operator()(msgpack::packer<Stream>& o, const grid::wire::FailureCounts& v) const {
    o.pack_array(static_cast<uint32_t>(v.by_kind.size()));
    for (uint64_t n : v.by_kind) o.pack(n);
    return o;
  }
};

// A LatencyHistogram travels in its sparse HistogramWire form.
template <>
struct convert<grid::wire::LatencyHistogram> {
  const msgpack::object& operator()(const msgpack::object& o, grid::wire::LatencyHistogram& v) const {
    grid::wire::HistogramWire wire;
    o.convert(wire);
    std::string error;
    auto h = grid::wire::LatencyHistogram::from_wire(wire, error);
    if (!h) throw grid::wire::InvalidField(error);
    v = std::move(*h);
    return o;
  }
};

template <>
struct pack<grid::wire::LatencyHistogram> {
  template <typename Stream>
  packer<Stream>& operator()(msgpack::packer<Stream>& o, const grid::wire::LatencyHistogram& v) const {
    o.pack(v.to_wire());
    return o;
  }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack

#pragma once

// How enums travel: as their underlying integer, through one msgpack-cxx adaptor for
// every enum that opts in with `template <> inline constexpr bool kWireEnum<E> = true;`.
// The adaptor reads any integer that fits the underlying type (a newer peer may send a
// value this build does not know); each message's validate() then names unknown values,
// so the error says which field of which message was wrong.

#include <ostream>
#include <type_traits>

#include <msgpack.hpp>

namespace grid::wire {

template <class E>
inline constexpr bool kWireEnum = false;

/// Prints a wire enum as its wire value (logs, test failures).
template <class E, std::enable_if_t<kWireEnum<E>, int> = 0>
std::ostream& operator<<(std::ostream& out, E value) {
  return out << static_cast<int>(value);
}

}  // namespace grid::wire

namespace msgpack {
MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS) {
namespace adaptor {

template <typename E>
struct convert<E, std::enable_if_t<grid::wire::kWireEnum<E>>> {
  const msgpack::object& operator()(const msgpack::object& o, E& v) const {
    v = static_cast<E>(o.as<std::underlying_type_t<E>>());  // type_error when it does not fit
    return o;
  }
};

template <typename E>
struct pack<E, std::enable_if_t<grid::wire::kWireEnum<E>>> {
  template <typename Stream>
  msgpack::packer<Stream>& operator()(msgpack::packer<Stream>& o, const E& v) const {
    o.pack(static_cast<std::underlying_type_t<E>>(v));
    return o;
  }
};

template <typename E>
struct object_with_zone<E, std::enable_if_t<grid::wire::kWireEnum<E>>> {
  void operator()(msgpack::object::with_zone& o, const E& v) const { o << static_cast<std::underlying_type_t<E>>(v); }
};

}  // namespace adaptor
}  // MSGPACK_API_VERSION_NAMESPACE(MSGPACK_DEFAULT_API_NS)
}  // namespace msgpack

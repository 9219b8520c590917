#pragma once

#include <string>
#include <utility>
#include <variant>

namespace grid::wire {

/// A human-readable reason why an operation failed; names what was wrong.
struct Error {
  std::string message;
};

/// Value-or-error for fallible functions on paths where exceptions are not wanted
/// (decoders, the hot path). C++20 has no std::expected; this is the small subset we use.
template <class T>
class Result {
public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  const std::string& error() const { return std::get<Error>(state_).message; }

private:
  std::variant<T, Error> state_;
};

}  // namespace grid::wire

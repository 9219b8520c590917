#pragma once

// The workload as the plan carries it to every agent: the load model and its stages,
// the user journeys (scenarios) and the data feeds. Plain positional msgpack structs,
// append-only (messages.hpp). The broker builds them from the campaign INI
// (broker/campaign.hpp); agents walk them (agent/engine.hpp).

#include <cstdint>
#include <string>
#include <vector>

#include <msgpack.hpp>

#include "protocol/wire/wire_enum.hpp"

namespace grid::wire {

enum class LoadModel : uint8_t {
  closed = 0,  // a number of users, each looping over its scenario
  open = 1,    // iterations arrive at a rate; each takes a free user, or is dropped
};
template <>
inline constexpr bool kWireEnum<LoadModel> = true;

/// One stage: move linearly from the previous stage's target (the first stage starts at
/// 0) to `target` over `duration_ms`. Targets are users (closed) or iterations/s (open).
struct Stage {
  uint64_t duration_ms = 0;
  double target = 0;
  bool operator==(const Stage&) const = default;
  MSGPACK_DEFINE(duration_ms, target)
};

enum class StepKind : uint8_t {
  request = 0,  // run plan.requests[request]
  think = 1,    // pause
};
template <>
inline constexpr bool kWireEnum<StepKind> = true;

enum class ThinkKind : uint8_t {
  fixed = 0,        // exactly min_ms
  uniform = 1,      // uniform in [min_ms, max_ms]
  exponential = 2,  // exponential with mean min_ms
};
template <>
inline constexpr bool kWireEnum<ThinkKind> = true;

/// One step of a scenario. Repeats are unrolled by the broker: agents see a flat list.
struct Step {
  StepKind kind = StepKind::request;
  uint32_t request = 0;  // index into Plan::requests (request steps)
  ThinkKind think = ThinkKind::fixed;
  uint32_t min_ms = 0;  // think: fixed time, lower bound, or mean
  uint32_t max_ms = 0;  // think: upper bound (uniform)
  bool operator==(const Step&) const = default;
  MSGPACK_DEFINE(kind, request, think, min_ms, max_ms)
};

/// A user journey: each user picks one by weight when it starts and walks its steps in
/// order, one walk per iteration.
struct Scenario {
  std::string name;
  double weight = 1;
  std::vector<Step> steps;
  bool operator==(const Scenario&) const = default;
  MSGPACK_DEFINE(name, weight, steps)
};

enum class FeedMode : uint8_t {
  sequential = 0,  // each iteration takes the next row, wrapping around (per agent)
  random = 1,      // each iteration takes a random row
  unique = 2,      // rows partitioned across the grid, each used at most once; when a
                   // user's share runs out it stops, and that is reported
};
template <>
inline constexpr bool kWireEnum<FeedMode> = true;

/// A data feed: a CSV table whose columns become variables of the iteration that took
/// the row. Shipped in the plan (the broker read the file; agents need not have it).
struct DataFeed {
  std::string name;
  FeedMode mode = FeedMode::sequential;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  // each row has columns.size() cells
  bool operator==(const DataFeed&) const = default;
  MSGPACK_DEFINE(name, mode, columns, rows)
};

/// A half-open range [begin, end) of rows of one unique feed, given to one child.
struct RowRange {
  uint64_t begin = 0;
  uint64_t end = 0;
  uint64_t size() const { return end > begin ? end - begin : 0; }
  bool operator==(const RowRange&) const = default;
  MSGPACK_DEFINE(begin, end)
};

/// How users hold connections.
enum class ConnectionReuse : uint8_t {
  per_user = 0,       // a user keeps its connection alive across requests and iterations
  per_iteration = 1,  // each iteration starts on a new connection
};
template <>
inline constexpr bool kWireEnum<ConnectionReuse> = true;

}  // namespace grid::wire

#pragma once

#include <cstdint>

#include <curl/curl.h>

namespace grid::agent {

/// One virtual user: a small state machine that walks its scenario. Today a scenario is
/// the campaign's requests in file order, looped; think time separates requests.
///
///   waiting --spawn--> in_flight --done--> thinking --wake--> in_flight ...
///                          |                                     |
///                          +------ campaign stopping ------> finished
///
/// A user owns one curl easy handle for its whole life, so options set for a request are
/// reused by the next request of the same kind and its connection is kept alive.
struct VirtualUser {
  enum class State : uint8_t { waiting, in_flight, thinking, finished };

  CURL* easy = nullptr;
  uint32_t id = 0;               // index within its engine
  uint32_t multi = 0;            // index of the curl multi handle it runs on
  uint32_t step = 0;             // index of the request it runs next (or now)
  int32_t configured_step = -1;  // request the easy handle is set up for, -1 none
  int64_t started_ns = 0;        // steady clock when the current request started
  State state = State::waiting;
};

/// Index of the step after `step` in a looping scenario of `steps` steps. Pure.
constexpr uint32_t next_step(uint32_t step, uint32_t steps) { return steps == 0 ? 0 : (step + 1) % steps; }

}  // namespace grid::agent

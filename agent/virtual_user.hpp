#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <curl/curl.h>

#include "agent/user_variables.hpp"

namespace grid::agent {

class Engine;

/// One virtual user: a small state machine that walks a scenario, one iteration at a
/// time. In the closed model a user loops over iterations until it retires; in the open
/// model it runs the one iteration an arrival gave it and goes back to the idle pool.
///
///   idle --iteration--> in_flight --done--> (next step) --think--> thinking --wake--> ...
///     ^                     |                                           |
///     +--- end of iteration (open model) ----+   campaign stopping / retired --> finished
///
/// A user owns one curl easy handle for its whole life, so options set for a request are
/// reused by the next request of the same kind and its connection is kept alive.
struct VirtualUser {
  enum class State : uint8_t {
    idle,       // not started, or (open model) waiting for an arrival
    in_flight,  // a request is running
    thinking,   // a think step, or a step due at once, waits on its timer
    finished,   // retired or stopped
  };

  CURL* easy = nullptr;
  Engine* engine = nullptr;         // its engine, for curl callbacks that get only the user
  uint32_t id = 0;                  // index within its engine
  uint32_t multi = 0;               // index of the curl multi handle it runs on
  uint32_t scenario = 0;            // scenario of the current iteration
  uint32_t step = 0;                // index of the step it runs next (or now)
  uint32_t request = 0;             // request of the step in flight
  uint64_t iterations = 0;          // iterations begun
  int32_t configured_request = -1;  // request the easy handle is set up for, -1 none
  bool fresh_connection = false;    // the next request opens a new connection
  int64_t started_ns = 0;           // steady clock when the current request started
  int64_t intended_ns = 0;          // when it was due (open model latency is measured from here)
  // The request in flight: a socket --allow-target refused (why), and whether one it
  // allowed was opened (then a failure to connect is a `connect` failure).
  std::string refused_target;
  bool opened_allowed = false;
  State state = State::idle;
  UserVariables vars;  // extracted variables, data row, iteration
  // Rendered request parts (templated requests only); curl reads them during the transfer.
  std::string url;
  std::string body;
  std::vector<std::string> header_lines;  // "Name: value", rendered
  curl_slist* headers = nullptr;
  // The response, kept only when a check or extraction needs it.
  bool capture_body = false;
  bool capture_headers = false;
  std::string response_body;
  std::string response_headers;
};

}  // namespace grid::agent

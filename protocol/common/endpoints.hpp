#pragma once

#include <string>

#include "protocol/common/result.hpp"

namespace grid::common {

/// The two sockets of a parent: plans (PUB, downstream) and reports (PULL, upstream).
struct ParentEndpoints {
  std::string plans;    // e.g. tcp://127.0.0.1:5557
  std::string reports;  // e.g. tcp://127.0.0.1:5558
};

/// Derives both endpoints from one address: `tcp://HOST:PORT` gives PORT (plans) and
/// PORT+1 (reports); `inproc://NAME` gives inproc://NAME.plans and inproc://NAME.reports.
/// `tcp://HOST:0` is not allowed (the pair must be adjacent). Errors name the text and
/// what was expected. Pure.
Result<ParentEndpoints> parent_endpoints(const std::string& address);

}  // namespace grid::common

#pragma once

#include <string>
#include <vector>

#include "protocol/common/result.hpp"

namespace grid::common {

/// The two sockets of a parent: plans (PUB, downstream) and reports (PULL, upstream).
struct ParentEndpoints {
  std::string plans;    // e.g. tcp://127.0.0.1:5557
  std::string reports;  // e.g. tcp://127.0.0.1:5558
};

/// Derives both endpoints from one address:
/// - `tcp://HOST:PORT` gives PORT (plans) and PORT+1 (reports);
/// - `tcp://HOST:PLANS,REPORTS` gives the two ports as written (they must differ);
/// - `inproc://NAME` gives inproc://NAME.plans and inproc://NAME.reports.
/// Port 0 is not allowed here (a child cannot connect to it; see listen_endpoints).
/// Errors quote the text and say what was expected. Pure.
Result<ParentEndpoints> parent_endpoints(const std::string& address);

/// Splits `--parent`'s ordered, comma-separated list of parents (the first is tried
/// first; the others are fallbacks) and checks each as parent_endpoints does. A comma
/// followed by a bare port number belongs to `tcp://HOST:PLANS,REPORTS`, so
/// "tcp://a:1,2,tcp://b:3" is two parents. Errors name the entry. Pure.
Result<std::vector<std::string>> parent_list(const std::string& addresses);

/// What a parent binds for `--listen`: every form parent_endpoints accepts, plus
/// `tcp://HOST:0` and `tcp://HOST:*`, which bind each socket to its own ephemeral port
/// (both endpoints are then `tcp://HOST:*`; read the ports back after binding, see
/// bound_parent_address). Errors as parent_endpoints. Pure.
Result<ParentEndpoints> listen_endpoints(const std::string& address);

/// The address children pass as `--parent` to reach sockets bound at `plans` and
/// `reports`, as ZeroMQ reports them (sockopt::last_endpoint): two tcp endpoints on the
/// same host give `tcp://HOST:PLANS,REPORTS`, e.g. "tcp://127.0.0.1:41000" and
/// "tcp://127.0.0.1:41007" give "tcp://127.0.0.1:41000,41007". Anything else (inproc,
/// two hosts) gives "". Pure.
std::string bound_parent_address(const std::string& plans, const std::string& reports);

}  // namespace grid::common

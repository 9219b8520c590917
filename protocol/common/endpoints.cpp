#include "protocol/common/endpoints.hpp"

#include <charconv>
#include <optional>

namespace grid::common {
namespace {

constexpr const char* kExpected =
    "expected tcp://HOST:PORT, which uses PORT and PORT+1, tcp://HOST:PLANS,REPORTS or inproc://NAME";

/// A decimal port number written as exactly `text` (no sign, no spaces), if any.
std::optional<unsigned> port_number(const std::string& text) {
  unsigned port = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || ptr != last || first == last) return std::nullopt;
  return port;
}

Result<ParentEndpoints> parse(const std::string& address, bool ephemeral_allowed) {
  const auto bad = [&](const std::string& why) {
    return Error{"'" + address + "' is not a parent address (" + why + "; " + kExpected +
                 (ephemeral_allowed ? "; tcp://HOST:0 binds two ephemeral ports)" : ")")};
  };
  if (address.rfind("inproc://", 0) == 0) {
    if (address.size() == 9) return bad("empty inproc name");
    return ParentEndpoints{address + ".plans", address + ".reports"};
  }
  if (address.rfind("tcp://", 0) != 0) return bad("unknown transport");
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon < 6) return bad("missing port");
  const std::string host = address.substr(6, colon - 6);
  if (host.empty()) return bad("missing host");
  const std::string prefix = "tcp://" + host + ":";
  const std::string ports = address.substr(colon + 1);
  if (ephemeral_allowed && (ports == "0" || ports == "*")) return ParentEndpoints{prefix + "*", prefix + "*"};
  const auto comma = ports.find(',');
  if (comma != std::string::npos) {
    const auto plans = port_number(ports.substr(0, comma));
    const auto reports = port_number(ports.substr(comma + 1));
    if (!plans || !reports) return bad("ports are not numbers");
    if (*plans == 0 || *plans > 65535 || *reports == 0 || *reports > 65535) return bad("ports must be 1 to 65535");
    if (*plans == *reports) return bad("plans and reports need two different ports");
    return ParentEndpoints{prefix + std::to_string(*plans), prefix + std::to_string(*reports)};
  }
  const auto port = port_number(ports);
  if (!port) return bad("port is not a number");
  if (*port == 0 || *port >= 65535) return bad("port must be 1 to 65534");
  return ParentEndpoints{prefix + std::to_string(*port), prefix + std::to_string(*port + 1)};
}

}  // namespace

Result<ParentEndpoints> parent_endpoints(const std::string& address) { return parse(address, false); }

Result<std::vector<std::string>> parent_list(const std::string& addresses) {
  std::vector<std::string> parents;
  size_t from = 0;
  for (;;) {
    const size_t comma = addresses.find(',', from);
    std::string item = addresses.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    // "tcp://HOST:PLANS,REPORTS": a bare number after a comma is the reports port.
    if (!parents.empty() && port_number(item) && parents.back().rfind("tcp://", 0) == 0 &&
        parents.back().find(',') == std::string::npos) {
      parents.back() += "," + item;
    } else {
      parents.push_back(std::move(item));
    }
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  for (size_t i = 0; i < parents.size(); ++i) {
    if (parents[i].empty())
      return Error{"'" + addresses + "' has an empty parent at position " + std::to_string(i + 1)};
    if (auto e = parent_endpoints(parents[i]); !e) return Error{e.error()};
  }
  return parents;
}

Result<ParentEndpoints> listen_endpoints(const std::string& address) { return parse(address, true); }

std::string bound_parent_address(const std::string& plans, const std::string& reports) {
  if (plans.rfind("tcp://", 0) != 0 || reports.rfind("tcp://", 0) != 0) return {};
  const auto plans_colon = plans.rfind(':');
  const auto reports_colon = reports.rfind(':');
  if (plans_colon < 6 || reports_colon < 6) return {};
  if (plans.compare(0, plans_colon, reports, 0, reports_colon) != 0) return {};  // hosts differ
  const std::string reports_port = reports.substr(reports_colon + 1);
  if (!port_number(plans.substr(plans_colon + 1)) || !port_number(reports_port)) return {};
  return plans + "," + reports_port;
}

}  // namespace grid::common

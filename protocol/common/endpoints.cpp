#include "protocol/common/endpoints.hpp"

#include <charconv>

namespace grid::common {

Result<ParentEndpoints> parent_endpoints(const std::string& address) {
  const auto bad = [&](const std::string& why) {
    return Error{"'" + address + "' is not a parent address (" + why +
                 "; expected tcp://HOST:PORT, which uses PORT and PORT+1, or inproc://NAME)"};
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
  unsigned port = 0;
  const char* first = address.data() + colon + 1;
  const char* last = address.data() + address.size();
  const auto [ptr, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || ptr != last || first == last) return bad("port is not a number");
  if (port == 0 || port >= 65535) return bad("port must be 1 to 65534");
  const std::string prefix = "tcp://" + host + ":";
  return ParentEndpoints{prefix + std::to_string(port), prefix + std::to_string(port + 1)};
}

}  // namespace grid::common

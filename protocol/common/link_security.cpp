#include "protocol/common/link_security.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace grid::common {
namespace {

constexpr std::string_view kTcp = "tcp://";

/// Where the endpoint starting at `from` ends: at the next transport prefix (a list's
/// next entry) or at the end.
size_t endpoint_end(const std::string& address, size_t from) {
  size_t end = address.size();
  for (const char* prefix : {"tcp://", "inproc://", "ipc://"}) {
    end = std::min(end, address.find(prefix, from));
  }
  return end;
}

std::string host_of(std::string endpoint) {
  while (!endpoint.empty() && (endpoint.back() == ',' || endpoint.back() == ' ')) endpoint.pop_back();
  // ZeroMQ's "tcp://SOURCE;HOST:PORT" connects from SOURCE: the peer is HOST.
  if (const auto semicolon = endpoint.rfind(';'); semicolon != std::string::npos) endpoint.erase(0, semicolon + 1);
  if (!endpoint.empty() && endpoint.front() == '[') {
    const auto close = endpoint.find(']');
    return endpoint.substr(1, close == std::string::npos ? std::string::npos : close - 1);
  }
  const auto colon = endpoint.rfind(':');
  return colon == std::string::npos ? endpoint : endpoint.substr(0, colon);
}

}  // namespace

void secure_server(zmq::socket_t& socket, const LinkSecurity& security) {
  if (!security.server()) return;
  socket.set(zmq::sockopt::zap_domain, kZapDomain);
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, security.key->secret_key);
}

void secure_client(zmq::socket_t& socket, const LinkSecurity& security) {
  if (!security.client()) return;
  socket.set(zmq::sockopt::curve_serverkey, *security.parent_key);
  socket.set(zmq::sockopt::curve_publickey, security.key->public_key);
  socket.set(zmq::sockopt::curve_secretkey, security.key->secret_key);
}

std::vector<std::string> tcp_hosts(const std::string& address) {
  std::vector<std::string> hosts;
  for (size_t at = address.find(kTcp); at != std::string::npos; at = address.find(kTcp, at + 1)) {
    const size_t begin = at + kTcp.size();
    hosts.push_back(host_of(address.substr(begin, endpoint_end(address, begin) - begin)));
  }
  return hosts;
}

bool is_loopback_host(const std::string& host) {
  std::string lower = host;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "localhost") return true;
  unsigned char bytes[16];
  if (inet_pton(AF_INET, host.c_str(), bytes) == 1) return bytes[0] == 127;
  if (inet_pton(AF_INET6, host.c_str(), bytes) == 1) {
    static const unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes, kLoopback6, 16) == 0) return true;
    return std::memcmp(bytes, kMappedPrefix, 12) == 0 && bytes[12] == 127;
  }
  return false;
}

SecurityCheck plain_tcp_check(const std::string& option, const std::string& address, bool secured, bool insecure,
                              const std::string& how_to_secure) {
  if (secured) return {};
  std::string outside;
  for (const auto& host : tcp_hosts(address)) {
    if (!is_loopback_host(host)) outside = host;
  }
  if (outside.empty()) return {};
  if (!insecure) {
    return {option + " " + address + ": '" + outside +
                "' is not a loopback address, and plain TCP there lets anyone who reaches it join the grid or "
                "read its plans. Secure the link with " +
                how_to_secure +
                " (keys from `loadgrid keygen`; see README, Security), or give --insecure to use "
                "plain TCP anyway",
            {}};
  }
  return {{},
          "--insecure: " + option + " " + address +
              " is plain TCP beyond loopback: anyone who reaches it can join the grid or read its plans"};
}

}  // namespace grid::common

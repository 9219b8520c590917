#include "agent/target_guard.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <memory>

#include "protocol/workload/template.hpp"

namespace grid::agent {
namespace {

constexpr size_t kMaxNamedHosts = 5;

// `host:port`, `[v6]:port`; names in lower case (as they are compared).
std::string host_port(std::string_view host, uint16_t port) {
  std::string h(host);
  std::transform(h.begin(), h.end(), h.begin(), [](char c) { return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c; });
  const bool v6 = h.find(':') != std::string::npos;
  return (v6 ? "[" + h + "]" : h) + ":" + std::to_string(port);
}

// The part of a URL template that is written out up to the end of its authority (host
// and port), or "" when a ${...} variable comes before that end: then its host is only
// known once rendered, and each connection is checked instead.
std::string literal_authority_prefix(const std::string& url) {
  const auto parsed = workload::parse_template(url);
  if (!parsed) return "";  // the workload will not compile either: the engines never start
  const auto& parts = parsed.value().parts;
  if (parts.empty()) return "";
  if (parts.front().kind != workload::TemplatePart::Kind::literal) return "";
  const std::string& prefix = parts.front().text;
  if (parts.size() == 1) return prefix;  // all of it is written out
  const size_t sep = prefix.find("://");
  if (sep == std::string::npos || prefix.find_first_of("/?#", sep + 3) == std::string::npos) return "";
  return prefix;
}

struct CurlUrl {
  CURLU* handle = curl_url();
  ~CurlUrl() { curl_url_cleanup(handle); }
};

// The host of the URL curl is fetching for `easy` (after redirects, with variables
// rendered), as curl's own URL parser reads it; "" when it cannot tell.
std::string current_host(CURL* easy) {
  char* url = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url) != CURLE_OK || !url || !*url) return "";
  CurlUrl parsed;
  if (!parsed.handle) return "";
  if (curl_url_set(parsed.handle, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) return "";
  char* host = nullptr;
  if (curl_url_get(parsed.handle, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host) return "";
  std::string out(host);
  curl_free(host);
  return out;
}

}  // namespace

std::optional<std::string> refuse_targets(const std::vector<wire::RequestSpec>& requests,
                                          const TargetAllowlist& allowed) {
  std::map<std::string, std::string> refused;  // host:port -> the requests that target it
  std::vector<std::string> order;
  for (const auto& r : requests) {
    const std::string prefix = literal_authority_prefix(r.url);
    if (prefix.empty()) continue;
    const auto target = url_target(prefix);
    const std::string key = target ? host_port(target->host, target->port) : "'" + r.url + "' (no host)";
    if (target && allowed.allows_host(target->host, target->port)) continue;
    auto [it, inserted] = refused.try_emplace(key, "");
    if (inserted) order.push_back(key);
    it->second += (it->second.empty() ? "'" : ", '") + r.name + "'";
  }
  if (order.empty()) return std::nullopt;
  std::string text = "targets outside this agent's --allow-target list (" + allowed.describe() + "): ";
  for (size_t i = 0; i < order.size() && i < kMaxNamedHosts; ++i) {
    if (i > 0) text += ", ";
    const std::string& names = refused[order[i]];
    text += order[i] + (names.find(',') == std::string::npos ? " (request " : " (requests ") + names + ")";
  }
  if (order.size() > kMaxNamedHosts) text += " and " + std::to_string(order.size() - kMaxNamedHosts) + " more";
  return text;
}

std::optional<std::string> refuse_address(const TargetAllowlist& allowed, std::string_view host,
                                          const sockaddr* address, socklen_t size) {
  IpAddress ip;
  uint16_t port = 0;
  const int family = address ? address->sa_family : AF_UNSPEC;
  if (family == AF_INET && size >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(address);
    ip = IpAddress::from_v4(reinterpret_cast<const uint8_t*>(&in->sin_addr));
    port = ntohs(in->sin_port);
  } else if (family == AF_INET6 && size >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
    ip = IpAddress::from_v6(reinterpret_cast<const uint8_t*>(&in6->sin6_addr));
    port = ntohs(in6->sin6_port);
  } else {
    return "a socket of address family " + std::to_string(family) + " is not in --allow-target";
  }
  if (allowed.allows_connection(host, ip, port)) return std::nullopt;
  const std::string shown = host_port(ip.to_string(), port);
  std::string text = "connection to " + shown;
  std::string_view bare = host;
  if (bare.size() >= 2 && bare.front() == '[') bare = bare.substr(1, bare.size() - 2);
  if (!bare.empty() && bare != ip.to_string()) text += " (host " + std::string(host) + ")";
  return text + " is not in --allow-target (" + allowed.describe() + ")";
}

std::optional<std::string> refuse_connection(const TargetAllowlist& allowed, CURL* easy, curlsocktype,
                                             const curl_sockaddr& address) {
  if (address.family != AF_INET && address.family != AF_INET6) {
    return "a socket of address family " + std::to_string(address.family) + " is not in --allow-target";
  }
  return refuse_address(allowed, current_host(easy), &address.addr, static_cast<socklen_t>(address.addrlen));
}

}  // namespace grid::agent

#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <curl/curl.h>

#include "agent/target_allowlist.hpp"
#include "protocol/wire/plan.hpp"
#include "protocol/wire/request_spec.hpp"

namespace grid::agent {

/// Where an agent enforces its `--allow-target` list (docs/adr/0013):
///
/// 1. When a plan arrives, before any engine starts: every request whose URL has its
///    host (and port) written out is checked with TargetAllowlist::allows_host. A URL
///    whose host comes from a `${...}` variable cannot be checked then; its connections
///    are (2). One refused host refuses the whole plan.
/// 2. When the engine opens a socket (CURLOPT_OPENSOCKETFUNCTION), for every connection:
///    the address curl resolved and the host of the URL it is fetching are checked with
///    TargetAllowlist::allows_connection. A refused socket is never opened, so nothing is
///    sent; the transfer fails and is counted as `not_allowed`.

/// Why the agent refuses a plan with these requests: the hosts the list does not allow
/// (up to 5, with their requests) and the list. std::nullopt when every host whose URL
/// writes it out is allowed.
std::optional<std::string> refuse_targets(const std::vector<wire::RequestSpec>& requests,
                                          const TargetAllowlist& allowed);

inline std::optional<std::string> refuse_targets(const wire::Plan& plan, const TargetAllowlist& allowed) {
  return refuse_targets(plan.requests, allowed);
}

/// Why the socket curl asks to open for `easy` is refused, e.g. "connection to
/// 127.0.0.3:8080 (host 127.0.0.3) is not in --allow-target (127.0.0.1:8080)"; std::nullopt
/// when it is allowed. Call from a CURLOPT_OPENSOCKETFUNCTION; only CURLSOCKTYPE_IPCXN
/// sockets are checked (there are no others for HTTP).
std::optional<std::string> refuse_connection(const TargetAllowlist& allowed, CURL* easy, curlsocktype purpose,
                                             const curl_sockaddr& address);

/// The same check for any transport: a connection to `address` (`size` bytes of an
/// AF_INET or AF_INET6 sockaddr) made for a URL whose host is `host` ("" when unknown).
/// The native transport calls it for every address it would connect to; the text is the
/// one refuse_connection gives.
std::optional<std::string> refuse_address(const TargetAllowlist& allowed, std::string_view host,
                                          const sockaddr* address, socklen_t size);

}  // namespace grid::agent

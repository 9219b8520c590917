#pragma once

#include <optional>
#include <string>
#include <vector>

#include "protocol/wire/request_spec.hpp"

namespace grid::workload {

/// Why the native HTTP/1.1 transport cannot serve `spec`, e.g. "its URL is https:// (TLS
/// is libcurl's)"; std::nullopt when it can: a URL that starts with a literal `http://`
/// and has no user name or password in it, HTTP/1.1. Pure (docs/adr/0016).
std::optional<std::string> needs_curl(const wire::RequestSpec& spec);

/// True when the native transport serves `spec`: `transport = native`, or `auto` and
/// nothing in it needs libcurl. Pure.
bool served_natively(const wire::RequestSpec& spec);

/// Reads `auto`, `curl` or `native`; std::nullopt for anything else.
std::optional<wire::TransportChoice> parse_transport_choice(const std::string& text);

/// `--transport`: gives every request `choice`. Returns why it cannot (native forced onto
/// requests that need libcurl, each named with its reason), leaving `requests` unchanged.
std::optional<std::string> force_transport(std::vector<wire::RequestSpec>& requests, wire::TransportChoice choice);

}  // namespace grid::workload

#include "protocol/workload/transport_choice.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace grid::workload {
namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  // `prefix` is lower case.
  return text.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), text.begin(), [](char p, char t) {
           return std::tolower(static_cast<unsigned char>(t)) == p;
         });
}

}  // namespace

std::optional<std::string> needs_curl(const wire::RequestSpec& spec) {
  const std::string_view url = spec.url;
  if (starts_with_ci(url, "https://")) return "its URL is https:// (TLS is libcurl's)";
  if (!starts_with_ci(url, "http://")) return "its URL does not start with http:// as written";
  if (spec.http == wire::HttpVersion::http2) return "it asks for HTTP/2 (http = 2)";
  // The authority as written, up to the path: a user name or password is libcurl's
  // (it turns them into Basic authentication).
  const std::string_view rest = url.substr(7);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return "its URL carries a user name or password";
  return std::nullopt;
}

bool served_natively(const wire::RequestSpec& spec) {
  switch (spec.transport) {
    case wire::TransportChoice::native:
      return true;
    case wire::TransportChoice::curl:
      return false;
    case wire::TransportChoice::automatic:
      break;
  }
  return !needs_curl(spec);
}

std::optional<wire::TransportChoice> parse_transport_choice(const std::string& text) {
  if (text == "auto") return wire::TransportChoice::automatic;
  if (text == "curl") return wire::TransportChoice::curl;
  if (text == "native") return wire::TransportChoice::native;
  return std::nullopt;
}

std::optional<std::string> force_transport(std::vector<wire::RequestSpec>& requests, wire::TransportChoice choice) {
  if (choice == wire::TransportChoice::native) {
    std::string refused;
    for (const auto& r : requests) {
      if (auto why = needs_curl(r)) refused += (refused.empty() ? "" : "; ") + ("request '" + r.name + "': " + *why);
    }
    if (!refused.empty()) return "the native transport cannot serve " + refused + " (expected auto or curl)";
  }
  for (auto& r : requests) r.transport = choice;
  return std::nullopt;
}

}  // namespace grid::workload

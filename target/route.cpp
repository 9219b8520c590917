#include "target/route.hpp"

#include <optional>

#include "target/http_status.hpp"

namespace grid::target {
namespace {

constexpr std::string_view kHello =
    "loadgrid target: hello from the built-in HTTP test server. "
    "Try /delay/<ms> /status/<code> /bytes/<n>\n";

// Parses a non-empty run of decimal digits no larger than `max`.
std::optional<std::uint64_t> parse_bounded(std::string_view digits, std::uint64_t max) {
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

Route bad_parameter(std::string_view reason) {
  Route route;
  route.kind = RouteKind::bad_parameter;
  route.status = 400;
  route.body = reason;
  return route;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// A /json/token/<value> value: 1..kMaxTokenBytes of [A-Za-z0-9_-], safe in JSON and in a
// header without escaping.
bool is_token_value(std::string_view value) {
  if (value.empty() || value.size() > kMaxTokenBytes) return false;
  for (char c : value) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string_view hello_body() { return kHello; }

std::string_view path_of(std::string_view target) { return target.substr(0, target.find_first_of("?#")); }

Route route_request(std::string_view method, std::string_view path) {
  Route route;
  if (path == "/") {
    route.kind = RouteKind::hello;
    route.status = 200;
    route.body = kHello;
    return route;
  }
  if (starts_with(path, "/delay/")) {
    const auto max_ms = static_cast<std::uint64_t>(kMaxRouteDelay.count());
    const auto ms = parse_bounded(path.substr(7), max_ms);
    if (!ms) return bad_parameter("400 Bad Request: /delay/<ms> wants 0..600000\n");
    route.kind = RouteKind::delay;
    route.status = 200;
    route.body = kHello;
    route.delay = std::chrono::milliseconds(static_cast<std::int64_t>(*ms));
    return route;
  }
  if (starts_with(path, "/status/")) {
    const auto code = parse_bounded(path.substr(8), 599);
    if (!code || *code < 200) {
      return bad_parameter("400 Bad Request: /status/<code> wants 200..599\n");
    }
    route.kind = RouteKind::status;
    route.status = static_cast<int>(*code);
    // 204 and 304 never carry a body (RFC 9110 15.3.5, 15.4.5).
    const bool no_body = route.status == 204 || route.status == 304;
    route.body = no_body ? std::string_view{} : status_body(route.status);
    return route;
  }
  if (starts_with(path, "/bytes/")) {
    const auto n = parse_bounded(path.substr(7), kMaxBytesBody);
    if (!n) return bad_parameter("400 Bad Request: /bytes/<n> wants 0..16777216\n");
    route.kind = RouteKind::bytes;
    route.status = 200;
    route.body_bytes = *n;
    return route;
  }
  if (path == "/echo") {
    route.kind = RouteKind::echo;
    route.status = 200;
    return route;
  }
  if (starts_with(path, "/json/token/")) {
    const std::string_view value = path.substr(12);
    if (!is_token_value(value)) {
      return bad_parameter("400 Bad Request: /json/token/<value> wants 1..256 of [A-Za-z0-9_-]\n");
    }
    route.kind = RouteKind::json_token;
    route.status = 200;
    route.token = value;
    return route;
  }
  if (starts_with(path, "/__stall/")) {
    const auto max_ms = static_cast<std::uint64_t>(kMaxRouteDelay.count());
    const auto ms = parse_bounded(path.substr(9), max_ms);
    if (!ms) return bad_parameter("400 Bad Request: /__stall/<ms> wants 0..600000\n");
    route.kind = RouteKind::stall;
    route.status = 200;
    route.stall = std::chrono::milliseconds(static_cast<std::int64_t>(*ms));
    return route;
  }
  if (path == "/__reset" || (path == "/__stats" && method == "DELETE")) {
    route.kind = RouteKind::reset;
    route.status = 200;
    return route;
  }
  if (path == "/__stats") {
    route.kind = RouteKind::stats;
    route.status = 200;
    return route;
  }
  route.body = status_body(404);
  return route;
}

Route echo_too_large() {
  Route route;
  route.kind = RouteKind::too_large;
  route.status = 413;
  route.body = "413 Content Too Large: /echo takes bodies up to 1048576 bytes\n";
  return route;
}

bool is_control(RouteKind kind) {
  return kind == RouteKind::stats || kind == RouteKind::reset || kind == RouteKind::stall;
}

void append_token_json(std::string& out, std::string_view token) {
  out.append(R"({"token":")").append(token).append(R"(","n":42,"ok":true,"items":[1,2,3]})");
}

}  // namespace grid::target

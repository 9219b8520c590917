#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace grid::target {

// Largest body /bytes/<n> serves; larger n is a 400.
inline constexpr std::uint64_t kMaxBytesBody = 16 * 1024 * 1024;
// Longest delay /delay/<ms> accepts (10 minutes); longer is a 400.
inline constexpr std::chrono::milliseconds kMaxRouteDelay{600'000};

enum class RouteKind {
  // "/": 200 with the fixed hello body.
  hello,
  // "/delay/<ms>": 200 with the hello body after `delay`.
  delay,
  // "/status/<code>": `status` with a "<code> <reason>" body.
  status,
  // "/bytes/<n>": 200 with `body_bytes` filler bytes.
  bytes,
  // GET (or any method but DELETE) "/__stats": the counters as JSON; not counted.
  stats,
  // DELETE "/__stats" or any method on "/__reset": the counters as JSON, then zeroed.
  reset,
  // Any other path: 404.
  not_found,
  // A known route with an invalid parameter (e.g. "/status/42"): 400.
  bad_parameter,
};

// What to answer for one request, decided from its method and path alone.
struct Route {
  RouteKind kind = RouteKind::not_found;
  int status = 404;
  // Filler body size for RouteKind::bytes; other kinds carry their body in `body`.
  std::uint64_t body_bytes = 0;
  // Delay requested by the path itself (RouteKind::delay); options add to it.
  std::chrono::milliseconds delay{0};
  // Fixed body text (static storage); empty for bytes, stats and reset.
  std::string_view body;
};

// The body "/" answers with: about 100 bytes of text.
std::string_view hello_body();

// Strips the query string ("?...") and fragment ("#...") from a request target.
std::string_view path_of(std::string_view target);

// Decides the response for a request. `path` must already be stripped by path_of.
// Never fails: unknown paths are not_found and bad parameters are bad_parameter.
Route route_request(std::string_view method, std::string_view path);

}  // namespace grid::target

#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace grid::target {

// Largest body /bytes/<n> serves; larger n is a 400.
inline constexpr std::uint64_t kMaxBytesBody = 16 * 1024 * 1024;
// Longest delay /delay/<ms> and stall /__stall/<ms> accept (10 minutes); longer is a 400.
inline constexpr std::chrono::milliseconds kMaxRouteDelay{600'000};
// Largest request body /echo sends back (1 MiB); a longer Content-Length is a 413.
inline constexpr std::uint64_t kMaxEchoBody = 1024 * 1024;
// Longest <value> /json/token/<value> accepts; longer is a 400.
inline constexpr std::size_t kMaxTokenBytes = 256;

enum class RouteKind {
  // "/": 200 with the fixed hello body.
  hello,
  // "/delay/<ms>": 200 with the hello body after `delay`.
  delay,
  // "/status/<code>": `status` with a "<code> <reason>" body.
  status,
  // "/bytes/<n>": 200 with `body_bytes` filler bytes.
  bytes,
  // "/echo": 200 text/plain whose body is the request as received (head, then body).
  echo,
  // "/json/token/<value>": 200 application/json naming `token`, with an X-Token header.
  json_token,
  // "/__stall/<ms>": holds every request (on every worker) until `stall` from now; the
  // stall request itself is answered at once and not counted.
  stall,
  // GET (or any method but DELETE) "/__stats": the counters as JSON; not counted.
  stats,
  // DELETE "/__stats" or any method on "/__reset": the counters as JSON, then zeroed.
  reset,
  // Any other path: 404.
  not_found,
  // A known route with an invalid parameter (e.g. "/status/42"): 400.
  bad_parameter,
  // An /echo request whose body is longer than kMaxEchoBody: 413 (decided by the worker,
  // which knows the Content-Length; route_request never returns it).
  too_large,
};

// What to answer for one request, decided from its method and path alone.
struct Route {
  RouteKind kind = RouteKind::not_found;
  int status = 404;
  // Filler body size for RouteKind::bytes; other kinds carry their body in `body`.
  std::uint64_t body_bytes = 0;
  // Delay requested by the path itself (RouteKind::delay); options add to it.
  std::chrono::milliseconds delay{0};
  // How long RouteKind::stall holds every request from now.
  std::chrono::milliseconds stall{0};
  // Fixed body text (static storage); empty for bytes, echo, json_token, stats and reset.
  std::string_view body;
  // RouteKind::json_token: the <value>, a view into the path given to route_request.
  std::string_view token;
};

// The body "/" answers with: about 100 bytes of text.
std::string_view hello_body();

// Strips the query string ("?...") and fragment ("#...") from a request target.
std::string_view path_of(std::string_view target);

// Decides the response for a request. `path` must already be stripped by path_of.
// Never fails: unknown paths are not_found and bad parameters are bad_parameter.
Route route_request(std::string_view method, std::string_view path);

// The 413 answer to an /echo request whose Content-Length exceeds kMaxEchoBody.
Route echo_too_large();

// True for the control routes (/__stats, /__reset, /__stall): they are answered at once,
// without --delay, --jitter or a stall, and are not counted.
bool is_control(RouteKind kind);

// Appends the body of /json/token/<token>:
// {"token":"<token>","n":42,"ok":true,"items":[1,2,3]}. `token` must be [A-Za-z0-9_-]
// (route_request checks), so it needs no JSON escaping.
void append_token_json(std::string& out, std::string_view token);

}  // namespace grid::target

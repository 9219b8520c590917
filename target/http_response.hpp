#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace grid::target {

// Which Connection header a response carries. HTTP/1.1 keep-alive is the default and needs
// none; HTTP/1.0 keep-alive must be confirmed; a closing response always says so.
enum class ConnectionHeader { omit, keep_alive, close };

// Appends a complete response head (status line, Content-Type, Content-Length, then
// `extra_headers`, optional Connection, blank line) to `out`. `extra_headers` is zero or
// more complete "Name: value\r\n" lines. Reuses out's capacity: no allocation once warm.
void append_response_head(std::string& out, int status, std::uint64_t content_length, std::string_view content_type,
                          ConnectionHeader connection, std::string_view extra_headers = {});

// A fixed block of printable filler bytes for /bytes/<n> bodies; large bodies are sent as
// repeated chunks of it instead of being copied into the connection's buffer.
std::string_view filler_chunk();

}  // namespace grid::target

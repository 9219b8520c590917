#include "target/http_request_parser.hpp"

#include <array>

namespace grid::target {
namespace {

// RFC 9110 token characters: the only ones allowed in methods and header names.
constexpr std::array<bool, 256> make_tchar_table() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kTchar = make_tchar_table();

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!kTchar[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

// Visible ASCII only: no spaces, controls or bytes >= 0x80 in a request target.
bool is_target(std::string_view s) {
  if (s.empty() || s.front() != '/') return false;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) return false;
  }
  return true;
}

bool is_field_value(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
  }
  return true;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

ParseResult fail(int status, std::string_view reason) {
  ParseResult result;
  result.status = ParseStatus::error;
  result.error_status = status;
  result.error_reason = reason;
  return result;
}

// Returns the offset just past the blank line that ends the head starting at `start`,
// or npos when the input holds no blank line yet.
std::size_t find_head_end(std::string_view input, std::size_t start) {
  std::size_t line = start;
  for (;;) {
    const std::size_t newline = input.find('\n', line);
    if (newline == std::string_view::npos) return newline;
    const std::size_t length = newline - line;
    if (length == 0 || (length == 1 && input[line] == '\r')) return newline + 1;
    line = newline + 1;
  }
}

// Splits off the next line of `rest` (which must contain a '\n'), dropping "\r\n" or "\n".
std::string_view next_line(std::string_view& rest) {
  const std::size_t newline = rest.find('\n');
  std::string_view line = rest.substr(0, newline);
  rest.remove_prefix(newline + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Parses "HTTP/1.x" into head.minor_version; on failure returns the error to send.
bool parse_version(std::string_view version, HttpRequestHead& head, ParseResult& error) {
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !is_digit(version[5]) || version[6] != '.' ||
      !is_digit(version[7])) {
    error = fail(400, "malformed HTTP version");
    return false;
  }
  if (version[5] != '1') {
    error = fail(505, "only HTTP/1.x is supported");
    return false;
  }
  head.minor_version = version[7] == '0' ? 0 : 1;
  return true;
}

bool parse_request_line(std::string_view line, HttpRequestHead& head, ParseResult& error) {
  const std::size_t first_space = line.find(' ');
  if (first_space == std::string_view::npos) {
    error = fail(400, "malformed request line");
    return false;
  }
  const std::size_t second_space = line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) {
    error = fail(400, "malformed request line");
    return false;
  }
  head.method = line.substr(0, first_space);
  head.target = line.substr(first_space + 1, second_space - first_space - 1);
  if (!is_token(head.method) || !is_target(head.target)) {
    error = fail(400, "malformed request line");
    return false;
  }
  return parse_version(line.substr(second_space + 1), head, error);
}

bool parse_content_length(std::string_view value, bool& seen, HttpRequestHead& head, ParseResult& error) {
  std::uint64_t length = 0;
  if (value.empty() || value.size() > 15) {
    error = fail(400, "invalid Content-Length");
    return false;
  }
  for (char c : value) {
    if (c < '0' || c > '9') {
      error = fail(400, "invalid Content-Length");
      return false;
    }
    length = length * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (length > kMaxContentLength || (seen && length != head.content_length)) {
    error = fail(400, "invalid Content-Length");
    return false;
  }
  seen = true;
  head.content_length = length;
  return true;
}

// Scans a comma-separated Connection header for the close and keep-alive options.
void scan_connection_options(std::string_view value, bool& close, bool& keep_alive) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    const std::string_view option = trim_ows(value.substr(0, comma));
    if (iequals(option, "close")) close = true;
    if (iequals(option, "keep-alive")) keep_alive = true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

}  // namespace

ParseResult parse_request_head(std::string_view input, std::size_t max_head_bytes) {
  // RFC 9112 2.2: a server SHOULD ignore blank lines received before the request line.
  std::size_t start = 0;
  while (start < input.size() && (input[start] == '\n' || input[start] == '\r')) {
    if (input[start] == '\r' && start + 1 < input.size() && input[start + 1] != '\n') {
      return fail(400, "malformed request line");
    }
    ++start;
  }

  const std::size_t end = find_head_end(input, start);
  if (end == std::string_view::npos) {
    if (input.size() >= max_head_bytes) return fail(431, "request header fields too large");
    return ParseResult{};
  }
  if (end > max_head_bytes) return fail(431, "request header fields too large");

  ParseResult result;
  HttpRequestHead& head = result.head;
  std::string_view rest = input.substr(start, end - start);
  if (!parse_request_line(next_line(rest), head, result)) return result;

  bool close = false;
  bool keep_alive_option = false;
  bool seen_length = false;
  for (;;) {
    const std::string_view line = next_line(rest);
    if (line.empty()) break;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
      return fail(400, "malformed header field");
    }
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim_ows(line.substr(colon + 1));
    if (!is_field_value(value)) return fail(400, "malformed header field");
    if (iequals(name, "content-length")) {
      if (!parse_content_length(value, seen_length, head, result)) return result;
    } else if (iequals(name, "transfer-encoding")) {
      return fail(411, "Transfer-Encoding is not supported; send Content-Length");
    } else if (iequals(name, "connection")) {
      scan_connection_options(value, close, keep_alive_option);
    } else if (iequals(name, "expect") && iequals(value, "100-continue")) {
      head.expect_continue = head.minor_version >= 1;
    }
  }

  head.keep_alive = !close && (head.minor_version >= 1 || keep_alive_option);
  head.raw = input.substr(start, end - start);
  result.status = ParseStatus::complete;
  result.head_bytes = end;
  return result;
}

}  // namespace grid::target

#include "protocol/common/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>

namespace grid::common {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  const std::string_view s = trim(text);
  const auto bad = [&](std::string_view why) {
    return Error{"'" + std::string(text) + "' is not a duration (" + std::string(why) +
                 "; expected e.g. 500ms, 30s, 5m, 2h, 1h30m)"};
  };
  if (s.empty()) return bad("empty");
  double total_ms = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
    if (j == i) return bad("a number must come first");
    double number = 0;
    const auto [ptr, ec] = std::from_chars(s.data() + i, s.data() + j, number);
    if (ec != std::errc() || ptr != s.data() + j) return bad("malformed number");
    size_t k = j;
    while (k < s.size() && std::isalpha(static_cast<unsigned char>(s[k]))) ++k;
    const std::string_view unit = s.substr(j, k - j);
    double scale = 0;
    if (unit.empty()) {
      if (i != 0 || k != s.size()) return bad("missing unit");
      scale = 1000;  // a bare number is seconds
    } else if (unit == "ms") {
      scale = 1;
    } else if (unit == "s") {
      scale = 1000;
    } else if (unit == "m" || unit == "min") {
      scale = 60'000;
    } else if (unit == "h") {
      scale = 3'600'000;
    } else if (unit == "d") {
      scale = 86'400'000;
    } else {
      return bad("unknown unit '" + std::string(unit) + "'");
    }
    total_ms += number * scale;
    i = k;
  }
  if (total_ms > 1e15) return bad("too long");
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(total_ms)));
}

Result<uint64_t> parse_count(std::string_view text) {
  const std::string_view s = trim(text);
  const auto bad = [&](std::string_view why) {
    return Error{"'" + std::string(text) + "' is not a count (" + std::string(why) +
                 "; expected a whole number such as 50, 10k or 2M)"};
  };
  if (s.empty()) return bad("empty");
  uint64_t value = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec == std::errc::result_out_of_range) return bad("too large");
  if (ec != std::errc() || ptr == s.data()) return bad("not a number");
  const std::string_view suffix = s.substr(static_cast<size_t>(ptr - s.data()));
  uint64_t scale = 1;
  if (suffix == "k" || suffix == "K") {
    scale = 1000;
  } else if (suffix == "M") {
    scale = 1000'000;
  } else if (!suffix.empty()) {
    return bad("unexpected '" + std::string(suffix) + "'");
  }
  if (value > UINT64_MAX / scale) return bad("too large");
  return value * scale;
}

std::string format_duration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0s";
  std::string out;
  if (ms < 0) {
    out = "-";
    ms = -ms;
  }
  const int64_t h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60, rest = ms % 1000;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s) out += std::to_string(s) + "s";
  if (rest) out += std::to_string(rest) + "ms";
  return out;
}

}  // namespace grid::common

// Small value parsers shared by the campaign parser's files (broker/campaign_parser.hpp).

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <regex>

#include "broker/campaign_parser.hpp"

namespace grid::broker::detail {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> pieces;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(sep, start);
    pieces.emplace_back(trim(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start)));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return pieces;
}

std::optional<double> parse_number(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.front() == '+') return std::nullopt;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool is_variable_name(std::string_view s) {
  const auto start = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  const auto rest = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  return !s.empty() && start(s.front()) && std::all_of(s.begin() + 1, s.end(), rest);
}

bool is_section_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

std::optional<bool> parse_bool(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string check_regex(const std::string& pattern) {
  constexpr size_t kMaxLength = 1000;
  constexpr size_t kMaxDepth = 100;
  constexpr double kMaxStates = 100'000;
  if (pattern.empty()) return "empty (expected a pattern)";
  if (pattern.size() > kMaxLength) return "longer than 1000 characters";
  // Estimate the compiled size: atoms add up, a counted repeat {n,m} copies what it
  // repeats max(n, m) times (and nested repeats multiply).
  struct Frame {
    double total = 0;  // states so far
    double last = 0;   // states of the last atom, for a quantifier after it
  };
  std::vector<Frame> frames(1);
  const size_t n = pattern.size();
  // libstdc++'s regex parser reads the number of a back-reference or of a {n,m} count
  // into a long without checking for overflow (undefined behaviour from 19 digits on,
  // found by campaign_fuzz). No such number needs that many digits: fewer than 1000
  // groups fit in 1000 characters, and counts above 100,000 are refused below anyway.
  const auto digits_at = [&](size_t at) {
    size_t end = at;
    while (end < n && std::isdigit(static_cast<unsigned char>(pattern[end]))) ++end;
    return end - at;
  };
  constexpr size_t kMaxDigits = 9;
  for (size_t i = 0; i < n; ++i) {
    const char c = pattern[i];
    Frame& f = frames.back();
    if (c == '\\') {
      if (i + 1 < n && pattern[i + 1] != '0' && digits_at(i + 1) > 3)
        return "refers back to a group numbered above 999 (\\N), which cannot exist";
      ++i;
      f.total += 1;
      f.last = 1;
    } else if (c == '[') {
      size_t j = i + 1;
      if (j < n && pattern[j] == '^') ++j;
      if (j < n && pattern[j] == ']') ++j;
      while (j < n && pattern[j] != ']') j += pattern[j] == '\\' ? 2 : 1;
      i = std::min(j, n);
      f.total += 1;
      f.last = 1;
    } else if (c == '(') {
      if (frames.size() > kMaxDepth) return "nests groups more than 100 deep";
      frames.emplace_back();
    } else if (c == ')' && frames.size() > 1) {
      const double size = frames.back().total + 2;
      frames.pop_back();
      frames.back().total += size;
      frames.back().last = size;
    } else if (c == '|') {
      f.total += 1;
      f.last = 0;
    } else if (c == '*' || c == '+' || c == '?') {
      f.total += f.last + 1;
      f.last = 0;
    } else if (c == '{') {
      // {n}, {n,} or {n,m}; anything else is a literal '{'.
      size_t j = i + 1;
      if (digits_at(j) > kMaxDigits ||
          (j + digits_at(j) < n && pattern[j + digits_at(j)] == ',' && digits_at(j + digits_at(j) + 1) > kMaxDigits)) {
        return "has a count in {n,m} of more than 9 digits (expected at most 100000)";
      }
      double low = 0, high = -1;
      bool digits = false, comma = false;
      while (j < n && std::isdigit(static_cast<unsigned char>(pattern[j]))) {
        low = std::min(low * 10 + (pattern[j++] - '0'), 1e12);
        digits = true;
      }
      if (j < n && pattern[j] == ',') {
        comma = true;
        ++j;
        while (j < n && std::isdigit(static_cast<unsigned char>(pattern[j]))) {
          high = std::min(std::max(high, 0.0) * 10 + (pattern[j++] - '0'), 1e12);
        }
      }
      if (digits && j < n && pattern[j] == '}') {
        const double count = std::max(low, comma ? (high < 0 ? low + 1 : high) : low);
        f.total += f.last * std::max(count - 1, 0.0) + 1;
        f.last *= count;
        i = j;
      } else {
        f.total += 1;
        f.last = 1;
      }
    } else {
      f.total += 1;
      f.last = 1;
    }
    if (frames.back().total > kMaxStates || frames.back().last > kMaxStates) {
      return "repeats too much: counted repeats ({n,m}) would expand it beyond 100,000 states (expected smaller "
             "counts)";
    }
  }
  try {
    const std::regex compiled(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    return std::string("is not a valid regex (") + e.what() + ")";
  }
  return "";
}

}  // namespace grid::broker::detail

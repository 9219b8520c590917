#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace grid::broker {

/// Every problem found while validating one campaign file, so that all of them can be
/// reported at once. Each reads "FILE:LINE: [section] key: what is wrong (expected ...)";
/// parts that do not apply are left out ("FILE: no [request.NAME] section ...").
class Problems {
public:
  explicit Problems(std::string source) : source_(std::move(source)) {}

  /// Adds a problem. `line` 0 means the file as a whole; an empty `section` leaves out
  /// "[section] " and an empty `key` leaves out "key".
  void add(size_t line, std::string_view section, std::string_view key, std::string_view what);
  bool empty() const { return problems_.empty(); }
  size_t size() const { return problems_.size(); }

  /// The problems sorted by line (stable; whole-file problems last), one line each.
  std::vector<std::string> sorted() const;
  /// Throws one common::ConfigError holding sorted() when there is any problem.
  void throw_if_any() const;

private:
  struct Problem {
    size_t line;
    std::string text;
  };
  std::string source_;
  std::vector<Problem> problems_;
};

/// Levenshtein distance between `a` and `b` (insertions, deletions, substitutions).
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` within edit distance 2 (the first of equals), as
/// "did you mean 'X'?"; empty when none is that close or `word` is one of them.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace grid::broker

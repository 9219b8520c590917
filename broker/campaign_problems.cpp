#include "broker/campaign_problems.hpp"

#include <algorithm>
#include <set>

#include "protocol/common/config_error.hpp"

namespace grid::broker {

void Problems::add(size_t line, std::string_view section, std::string_view key, std::string_view what) {
  std::string text = source_;
  if (line > 0) text += ":" + std::to_string(line);
  text += ": ";
  if (!section.empty()) {
    text += "[";
    text += section;
    text += "]";
    text += key.empty() ? ": " : " ";
  }
  if (!key.empty()) {
    text += key;
    text += ": ";
  }
  text += what;
  // One problem per line: a value with a line break in it must not split the report.
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  problems_.push_back({line, std::move(text)});
}

std::vector<std::string> Problems::sorted() const {
  std::vector<const Problem*> order;
  for (const auto& p : problems_) order.push_back(&p);
  const auto rank = [](const Problem* p) { return p->line == 0 ? SIZE_MAX : p->line; };
  std::stable_sort(order.begin(), order.end(), [&](const Problem* a, const Problem* b) { return rank(a) < rank(b); });
  std::vector<std::string> lines;
  std::set<std::string_view> seen;
  for (const auto* p : order) {
    // The same problem found twice (e.g. through two references) is listed once.
    if (seen.insert(p->text).second) lines.push_back(p->text);
  }
  return lines;
}

void Problems::throw_if_any() const {
  if (!problems_.empty()) throw common::ConfigError(sorted());
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  constexpr size_t kMaxDistance = 2;
  // Words far longer than any candidate cannot be within the distance: skip the work.
  const std::string* best = nullptr;
  size_t best_distance = kMaxDistance + 1;
  for (const auto& c : candidates) {
    if (c == word) return "";
    const size_t longer = std::max(c.size(), word.size()), shorter = std::min(c.size(), word.size());
    if (longer - shorter > kMaxDistance) continue;
    const size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = &c;
    }
  }
  return best ? "did you mean '" + *best + "'?" : "";
}

}  // namespace grid::broker

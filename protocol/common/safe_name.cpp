#include "protocol/common/safe_name.hpp"

#include <algorithm>

namespace grid::common {
namespace {

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

}  // namespace

bool is_safe_name(std::string_view name) {
  if (name.empty() || name.size() > 128 || !alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return alnum(c) || c == '.' || c == '_' || c == '-'; });
}

std::string safe_name_problem(std::string_view name) {
  if (is_safe_name(name)) return {};
  return "'" + std::string(name.substr(0, 200)) +
         "' is not a safe name (expected 1 to 128 of letters, digits, '.', '_' and '-', starting with a letter or "
         "digit: names become parts of paths)";
}

}  // namespace grid::common

#include "protocol/workload/template.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace grid::workload {
namespace {

bool name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool is_name(std::string_view s) {
  return !s.empty() && name_start(s.front()) && std::all_of(s.begin() + 1, s.end(), name_char);
}

bool parse_int(std::string_view s, int64_t& out) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

void add_literal(Template& t, std::string_view text) {
  if (text.empty()) return;
  if (!t.parts.empty() && t.parts.back().kind == TemplatePart::Kind::literal) {
    t.parts.back().text.append(text);
  } else {
    t.parts.push_back({TemplatePart::Kind::literal, std::string(text), 0, 0});
  }
}

}  // namespace

bool Template::is_literal() const {
  return std::all_of(parts.begin(), parts.end(), [](const auto& p) { return p.kind == TemplatePart::Kind::literal; });
}

std::vector<std::string> Template::variables() const {
  std::vector<std::string> names;
  for (const auto& p : parts) {
    if (p.kind == TemplatePart::Kind::variable && std::find(names.begin(), names.end(), p.text) == names.end()) {
      names.push_back(p.text);
    }
  }
  return names;
}

wire::Result<Template> parse_template(std::string_view text) {
  Template t;
  size_t i = 0;
  while (i < text.size()) {
    const size_t dollar = text.find('$', i);
    if (dollar == std::string_view::npos) {
      add_literal(t, text.substr(i));
      break;
    }
    add_literal(t, text.substr(i, dollar - i));
    if (text.compare(dollar, 3, "$${") == 0) {  // escaped: a literal "${"
      add_literal(t, "${");
      i = dollar + 3;
      continue;
    }
    if (text.compare(dollar, 2, "${") != 0) {
      add_literal(t, "$");
      i = dollar + 1;
      continue;
    }
    const size_t close = text.find('}', dollar + 2);
    const std::string at = " at offset " + std::to_string(dollar);
    if (close == std::string_view::npos) return wire::Error{"unterminated '${'" + at + " (expected '}')"};
    const std::string_view inner = text.substr(dollar + 2, close - dollar - 2);
    const std::string shown = "'${" + std::string(inner) + "}'";
    if (inner.rfind("random(", 0) == 0) {
      if (inner.back() != ')') return wire::Error{shown + at + " is not random(LO,HI)"};
      const std::string_view args = inner.substr(7, inner.size() - 8);
      const size_t comma = args.find(',');
      TemplatePart p{TemplatePart::Kind::random, "random", 0, 0};
      if (comma == std::string_view::npos || !parse_int(args.substr(0, comma), p.low) ||
          !parse_int(args.substr(comma + 1), p.high)) {
        return wire::Error{shown + at + " is not random(LO,HI) with two integers"};
      }
      if (p.low > p.high) return wire::Error{shown + at + ": LO is above HI"};
      t.parts.push_back(std::move(p));
    } else if (inner.rfind("env.", 0) == 0 ? is_name(inner.substr(4)) : is_name(inner)) {
      t.parts.push_back({TemplatePart::Kind::variable, std::string(inner), 0, 0});
    } else {
      return wire::Error{shown + at +
                         " is not a variable (expected ${name}, ${env.NAME} or ${random(LO,HI)}; a name is letters, "
                         "digits and '_', not starting with a digit; write $${ for a literal '${')"};
    }
    i = close + 1;
  }
  return t;
}

std::string escape_template(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') out += '$';
    out += text[i];
  }
  return out;
}

const std::vector<std::string>& builtin_variables() {
  static const std::vector<std::string> names = {"user", "iteration", "agent", "uuid", "unix_time", "unix_ms"};
  return names;
}

}  // namespace grid::workload

#include "agent/response_checks.hpp"

#include <string.h>  // memmem (glibc): much faster than std::string_view::find on bodies

#include <charconv>
#include <regex>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>

namespace grid::agent {
namespace {

using nlohmann::json;

// libstdc++'s polynomial (Thompson NFA) regex engine; see the header's "Safety".
#if defined(__GLIBCXX__)
constexpr auto kPolynomial = std::regex_constants::__polynomial;
constexpr bool kHavePolynomial = true;
#else
constexpr auto kPolynomial = std::regex_constants::syntax_option_type{};
constexpr bool kHavePolynomial = false;
#endif

// Shortens text shown in a message.
std::string shown(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

// Where `needle` first occurs in `text` at or after `from`; npos when it does not.
size_t find_text(std::string_view text, std::string_view needle, size_t from = 0) {
  if (from > text.size()) return std::string_view::npos;
  if (needle.empty()) return from;
  const void* hit = memmem(text.data() + from, text.size() - from, needle.data(), needle.size());
  return hit == nullptr ? std::string_view::npos : static_cast<size_t>(static_cast<const char*>(hit) - text.data());
}

bool is_syntax_char(char c) {
  switch (c) {
    case '^':
    case '$':
    case '\\':
    case '.':
    case '*':
    case '+':
    case '?':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case '|':
      return true;
    default:
      return false;
  }
}

}  // namespace

/// The literal text every match of ECMAScript `pattern` starts with ("" when there is
/// none or the pattern has a top-level alternative), and whether the pattern is nothing
/// but that text. Conservative: stopping early is always correct.
std::string regex_literal_prefix(std::string_view pattern, bool* whole) {
  *whole = false;
  int depth = 0;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      if (c == ']') in_class = false;
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|' && depth <= 0) {
      return {};
    }
  }
  std::string prefix;
  size_t i = 0;
  while (i < pattern.size()) {
    char c = pattern[i];
    size_t length = 1;
    if (c == '\\') {
      if (i + 1 >= pattern.size() || !(is_syntax_char(pattern[i + 1]) || pattern[i + 1] == '/')) break;
      c = pattern[i + 1];
      length = 2;
    } else if (is_syntax_char(c)) {
      break;
    }
    const size_t next = i + length;
    if (next < pattern.size()) {
      const char q = pattern[next];
      if (q == '*' || q == '+' || q == '?' || q == '{') break;  // this character repeats: not fixed
    }
    prefix += c;
    i = next;
  }
  *whole = i == pattern.size() && !prefix.empty();
  return prefix;
}

namespace {

// A compiled pattern and how to search with it.
struct Pattern {
  std::regex re;
  std::string prefix;         // every match starts with it
  bool literal = false;       // the pattern is just `prefix`: no regex needed
  bool backtracking = false;  // needs the backtracking engine (back-references)
  bool groups = false;        // has a capture group

  enum class Found { yes, no, too_large };

  // Searches `body`; on a match, `*capture` (when not null) gets group 1 if the pattern
  // has groups (empty when it did not take part), else the whole match.
  Found search(std::string_view body, std::string_view* capture) const {
    if (literal) {
      const size_t at = find_text(body, prefix);
      if (at == std::string_view::npos) return Found::no;
      if (capture != nullptr) *capture = body.substr(at, prefix.size());
      return Found::yes;
    }
    if (backtracking && body.size() > CompiledChecks::kMaxBacktrackingBytes) return Found::too_large;
    const char* const begin = body.data();
    const char* const end = begin + body.size();
    std::cmatch m;
    bool found = false;
    if (prefix.empty()) {
      found = std::regex_search(begin, end, m, re);
    } else {
      // Only where the prefix occurs, anchored there, in order: the first hit is the
      // leftmost match, the one regex_search over the whole body would find.
      for (size_t at = find_text(body, prefix); at != std::string_view::npos; at = find_text(body, prefix, at + 1)) {
        auto flags = std::regex_constants::match_continuous;
        if (at > 0) flags |= std::regex_constants::match_prev_avail;
        if (std::regex_search(begin + at, end, m, re, flags)) {
          found = true;
          break;
        }
      }
    }
    if (!found) return Found::no;
    if (capture != nullptr) {
      const auto& sub = groups && m.size() > 1 ? m[1] : m[0];
      *capture =
          sub.matched ? std::string_view(sub.first, static_cast<size_t>(sub.second - sub.first)) : std::string_view();
    }
    return Found::yes;
  }
};

// Compiles `source`; throws std::invalid_argument starting with `what` when it is invalid.
Pattern compile_pattern(const std::string& source, bool need_groups, const std::string& what) {
  Pattern p;
  p.prefix = regex_literal_prefix(source, &p.literal);
  auto flags = std::regex::ECMAScript | std::regex::optimize;
  if (!need_groups) flags |= std::regex::nosubs;
  try {
    try {
      p.re = std::regex(source, flags | kPolynomial);
      p.backtracking = !kHavePolynomial;
    } catch (const std::regex_error&) {  // back-references (which need groups), or simply invalid
      p.re = std::regex(source, std::regex::ECMAScript | std::regex::optimize);
      p.backtracking = true;
    }
  } catch (const std::regex_error& e) {
    throw std::invalid_argument(what + ": invalid regex '" + source + "': " + e.what());
  }
  p.groups = need_groups && p.re.mark_count() > 0;
  if (p.groups) p.literal = false;  // a literal pattern has no group; belt and braces
  return p;
}

// A JSON pointer as reference tokens, unescaped. False when `text` is not a pointer.
bool parse_pointer(std::string_view text, std::vector<std::string>& tokens) {
  tokens.clear();
  if (text.empty()) return true;
  if (text.front() != '/') return false;
  size_t i = 1;
  tokens.emplace_back();
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '/') {
      tokens.emplace_back();
    } else if (c == '~') {
      if (i + 1 >= text.size() || (text[i + 1] != '0' && text[i + 1] != '1')) return false;
      tokens.back() += text[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      tokens.back() += c;
    }
  }
  return true;
}

std::vector<std::string> compile_pointer(const std::string& source, const std::string& what) {
  std::vector<std::string> tokens;
  bool ok = parse_pointer(source, tokens);
  try {
    json::json_pointer check(source);  // the same grammar, as the broker may check it
  } catch (const json::exception&) {
    ok = false;
  }
  if (!ok) {
    throw std::invalid_argument(what + ": invalid JSON pointer '" + source +
                                "' (expected \"\" or /token/token..., with ~0 for '~' and ~1 for '/')");
  }
  return tokens;
}

// The value at `tokens` in `root`, or nullptr. Never throws.
const json* at_pointer(const json& root, const std::vector<std::string>& tokens) {
  const json* cur = &root;
  for (const auto& token : tokens) {
    if (cur->is_object()) {
      const auto it = cur->find(token);
      if (it == cur->end()) return nullptr;
      cur = &*it;
    } else if (cur->is_array()) {
      // Decimal index without leading zeros ("-", past the end, is never a value).
      if (token.empty() || (token.size() > 1 && token[0] == '0')) return nullptr;
      size_t index = 0;
      const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), index);
      if (ec != std::errc() || end != token.data() + token.size() || index >= cur->size()) return nullptr;
      cur = &(*cur)[index];
    } else {
      return nullptr;
    }
  }
  return cur;
}

// True when `v` nests deeper than `limit` levels (counted without recursion).
bool deeper_than(const json& v, size_t limit) {
  std::vector<std::pair<const json*, size_t>> stack{{&v, 1}};
  while (!stack.empty()) {
    const auto [j, depth] = stack.back();
    stack.pop_back();
    if (depth > limit) return true;
    if (j->is_structured()) {
      for (const auto& child : *j) stack.emplace_back(&child, depth + 1);
    }
  }
  return false;
}

// Parses a body, or gives a discarded value. Never throws.
json parse_body(std::string_view body) { return json::parse(body.begin(), body.end(), nullptr, false); }

struct CheckItem {
  wire::CheckKind kind = wire::CheckKind::contains;
  std::string text;
  std::vector<std::string> pointer;
  std::optional<json> expected;  // json_equals: VALUE as JSON, when it parses as JSON
  Pattern pattern;               // regex
  std::string failed;            // "check '...' failed"
};

struct ExtractItem {
  wire::ExtractKind kind = wire::ExtractKind::regex;
  std::string variable;
  std::string source;
  std::vector<std::string> pointer;
  Pattern pattern;
};

}  // namespace

struct CompiledChecks::Impl {
  std::vector<CheckItem> checks;
  std::vector<ExtractItem> extracts;
};

CompiledChecks::CompiledChecks(const std::vector<wire::Check>& checks, const std::vector<wire::Extract>& extracts) {
  auto impl = std::make_unique<Impl>();
  for (size_t i = 0; i < checks.size(); ++i) {
    const auto& c = checks[i];
    CheckItem item;
    item.kind = c.kind;
    item.text = c.text;
    std::string description;
    switch (c.kind) {
      case wire::CheckKind::contains:
        description = "contains " + c.text;
        break;
      case wire::CheckKind::regex:
        description = "regex " + c.text;
        item.pattern =
            compile_pattern(c.text, false, "check " + std::to_string(i + 1) + " (" + shown(description) + ")");
        break;
      case wire::CheckKind::json_equals: {
        description = "json " + c.path + " == " + c.text;
        item.pointer = compile_pointer(c.path, "check " + std::to_string(i + 1) + " (" + shown(description) + ")");
        json expected = json::parse(c.text, nullptr, false);
        if (!expected.is_discarded()) item.expected = std::move(expected);
        break;
      }
      default:
        throw std::invalid_argument("check " + std::to_string(i + 1) + " has unknown kind " +
                                    std::to_string(static_cast<int>(c.kind)));
    }
    item.failed = "check '" + shown(description) + "' failed";
    impl->checks.push_back(std::move(item));
  }
  for (size_t i = 0; i < extracts.size(); ++i) {
    const auto& e = extracts[i];
    ExtractItem item;
    item.kind = e.kind;
    item.variable = e.variable;
    item.source = e.source;
    const std::string what = "extract " + std::to_string(i + 1) + " (" + e.variable + ")";
    switch (e.kind) {
      case wire::ExtractKind::regex:
        item.pattern = compile_pattern(e.source, true, what);
        break;
      case wire::ExtractKind::json:
        item.pointer = compile_pointer(e.source, what);
        break;
      case wire::ExtractKind::header:
        if (e.source.empty()) throw std::invalid_argument(what + ": empty header name");
        break;
      default:
        throw std::invalid_argument(what + " has unknown kind " + std::to_string(static_cast<int>(e.kind)));
    }
    impl->extracts.push_back(std::move(item));
  }
  impl_ = std::move(impl);
}

CompiledChecks::CompiledChecks() = default;
CompiledChecks::CompiledChecks(CompiledChecks&&) noexcept = default;
CompiledChecks& CompiledChecks::operator=(CompiledChecks&&) noexcept = default;
CompiledChecks::~CompiledChecks() = default;

bool CompiledChecks::has_checks() const { return impl_ && !impl_->checks.empty(); }
bool CompiledChecks::has_extracts() const { return impl_ && !impl_->extracts.empty(); }

std::optional<std::string> CompiledChecks::run_checks(std::string_view body) const {
  if (!impl_) return std::nullopt;
  std::optional<json> doc;  // parsed at the first JSON check
  try {
    for (const auto& c : impl_->checks) {
      switch (c.kind) {
        case wire::CheckKind::contains:
          if (find_text(body, c.text) == std::string_view::npos) return c.failed;
          break;
        case wire::CheckKind::regex:
          switch (c.pattern.search(body, nullptr)) {
            case Pattern::Found::yes:
              break;
            case Pattern::Found::no:
              return c.failed;
            case Pattern::Found::too_large:
              return c.failed + ": body too large for a regex with back-references";
          }
          break;
        case wire::CheckKind::json_equals: {
          if (!doc) doc = parse_body(body);
          if (doc->is_discarded()) return c.failed + ": body is not JSON";
          const json* v = at_pointer(*doc, c.pointer);
          if (v == nullptr) return c.failed + ": no value at the pointer";
          const bool equal =
              c.expected ? *v == *c.expected : v->is_string() && v->get_ref<const std::string&>() == c.text;
          if (!equal) return c.failed;
          break;
        }
      }
    }
  } catch (const std::exception& e) {  // std::bad_alloc, or a regex engine's complexity limit
    return std::string("checks could not run: ") + e.what();
  }
  return std::nullopt;
}

bool CompiledChecks::extract(std::string_view body, const Headers& headers, UserVariables& vars,
                             std::string* missing) const {
  if (!impl_) return true;
  std::optional<json> doc;  // parsed at the first JSON extraction
  const ExtractItem* current = nullptr;
  try {
    std::string dumped;
    for (const auto& e : impl_->extracts) {
      current = &e;
      bool found = false;
      switch (e.kind) {
        case wire::ExtractKind::regex: {
          std::string_view value;
          if (e.pattern.search(body, &value) == Pattern::Found::yes) {
            vars.set(e.variable, value);
            found = true;
          }
          break;
        }
        case wire::ExtractKind::json: {
          if (!doc) doc = parse_body(body);
          if (doc->is_discarded()) break;
          const json* v = at_pointer(*doc, e.pointer);
          if (v == nullptr) break;
          if (v->is_string()) {
            vars.set(e.variable, v->get_ref<const std::string&>());
            found = true;
          } else if (!deeper_than(*v, kMaxExtractDepth)) {
            dumped = v->dump(-1, ' ', false, json::error_handler_t::replace);
            vars.set(e.variable, dumped);
            found = true;
          }
          break;
        }
        case wire::ExtractKind::header:
          if (const auto value = headers.find(e.source)) {
            vars.set(e.variable, *value);
            found = true;
          }
          break;
      }
      if (!found) {
        if (missing != nullptr) missing->assign(e.variable);
        return false;
      }
    }
  } catch (const std::exception&) {  // std::bad_alloc, or a regex engine's complexity limit
    if (missing != nullptr && current != nullptr) missing->assign(current->variable);
    return false;
  }
  return true;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string_view> Headers::find(std::string_view name) const {
  std::optional<std::string_view> found;
  std::string_view rest = raw;
  while (!rest.empty()) {
    const size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.substr(0, 5) == "HTTP/") {  // a new response starts: forget the previous one
      found.reset();
      continue;
    }
    if (found) continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    if (iequals(trim(line.substr(0, colon)), name)) found = trim(line.substr(colon + 1));
  }
  return found;
}

}  // namespace grid::agent

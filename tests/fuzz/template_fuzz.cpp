// libFuzzer harness for the ${...} template parser (not part of the default build; see
// README.md). Promises checked, else abort with a reason:
//   - parse_template never throws and gives every error a message;
//   - a parsed template is well formed: no empty or adjacent literals, variables are
//     names (or env.NAME), random() has LO <= HI;
//   - written back (literals escaped), it parses to the same parts;
//   - escape_template(x) parses back to the one literal x.

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "protocol/workload/template.hpp"

namespace {

using grid::workload::Template;
using grid::workload::TemplatePart;

[[noreturn]] void fail(const char* what, std::string_view detail) {
  std::fprintf(stderr, "template_fuzz: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

bool is_name(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

// The template as text again: what the broker does after resolving ${env.NAME}.
std::string write_back(const Template& t, std::string_view input) {
  std::string out;
  for (size_t i = 0; i < t.parts.size(); ++i) {
    const auto& p = t.parts[i];
    switch (p.kind) {
      case TemplatePart::Kind::literal: {
        const std::string escaped = grid::workload::escape_template(p.text);
        // A parsed literal never ends in '$' before a placeholder ("$${" is the escape).
        if (!escaped.empty() && escaped.back() == '$' && i + 1 < t.parts.size()) {
          fail("a literal ending in '$' before a placeholder", input);
        }
        out += escaped;
        break;
      }
      case TemplatePart::Kind::variable:
        out += "${" + p.text + "}";
        break;
      case TemplatePart::Kind::random:
        out += "${random(" + std::to_string(p.low) + "," + std::to_string(p.high) + ")}";
        break;
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto parsed = grid::workload::parse_template(text);
    if (!parsed.ok()) {
      if (parsed.error().empty()) fail("error without a message", text);
    } else {
      const Template& t = parsed.value();
      for (size_t i = 0; i < t.parts.size(); ++i) {
        const auto& p = t.parts[i];
        if (p.kind == TemplatePart::Kind::literal) {
          if (p.text.empty()) fail("empty literal", text);
          if (i > 0 && t.parts[i - 1].kind == TemplatePart::Kind::literal) fail("adjacent literals", text);
        } else if (p.kind == TemplatePart::Kind::variable) {
          const std::string_view name = std::string_view(p.text).substr(p.text.rfind("env.", 0) == 0 ? 4 : 0);
          if (!is_name(name)) fail("variable that is not a name", p.text);
        } else if (p.low > p.high) {
          fail("random with LO above HI", text);
        }
      }
      const std::string again = write_back(t, text);
      const auto reparsed = grid::workload::parse_template(again);
      if (!reparsed.ok()) fail("written-back template does not parse", again);
      if (!(reparsed.value() == t)) fail("written-back template parses differently", again);
    }
    // Escaping: any text is one literal afterwards.
    const std::string escaped = grid::workload::escape_template(text);
    const auto literal = grid::workload::parse_template(escaped);
    if (!literal.ok()) fail("escaped text does not parse", escaped);
    const auto& parts = literal.value().parts;
    if (text.empty() ? !parts.empty()
                     : parts.size() != 1 || parts[0].kind != TemplatePart::Kind::literal || parts[0].text != text) {
      fail("escaped text does not parse back to itself", text);
    }
  } catch (const std::exception& e) {
    fail("threw", e.what());
  }
  return 0;
}

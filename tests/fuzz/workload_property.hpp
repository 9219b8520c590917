#pragma once

// The properties the template and CSV fuzzers (template_fuzz.cpp, csv_fuzz.cpp) and their
// deterministic replay (tests/protocol/workload_fuzz_replay_test.cpp) share.
//
// parse_template never throws and gives every error a message; a parsed template is well
// formed (no empty or adjacent literals, variables are names or env.NAME, random() has
// LO <= HI); written back (literals escaped, as the broker does after resolving
// ${env.NAME}) it parses to the same parts; escape_template(x) parses back to the one
// literal x.
//
// parse_csv never throws; every error names a line (or the empty file); a parsed table
// has a header and rows exactly as wide; written back with every field quoted, it parses
// to the same table.

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/workload/csv_table.hpp"
#include "protocol/workload/template.hpp"

namespace grid::fuzz {

/// Thrown (by the properties, never by the code under test) when a promise is broken.
struct WorkloadPromiseBroken : std::logic_error {
  using std::logic_error::logic_error;
};

namespace detail {

inline bool is_template_name(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

// The template as text again.
inline std::string write_template(const workload::Template& t) {
  using Kind = workload::TemplatePart::Kind;
  std::string out;
  for (size_t i = 0; i < t.parts.size(); ++i) {
    const auto& p = t.parts[i];
    if (p.kind == Kind::literal) {
      const std::string escaped = workload::escape_template(p.text);
      // A parsed literal never ends in '$' before a placeholder ("$${" is the escape).
      if (!escaped.empty() && escaped.back() == '$' && i + 1 < t.parts.size()) {
        throw WorkloadPromiseBroken("a literal ending in '$' right before a placeholder");
      }
      out += escaped;
    } else if (p.kind == Kind::variable) {
      out += "${" + p.text + "}";
    } else {
      out += "${random(" + std::to_string(p.low) + "," + std::to_string(p.high) + ")}";
    }
  }
  return out;
}

inline std::string write_csv_record(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : fields[i]) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += '"';
  }
  return out + "\r\n";
}

}  // namespace detail

inline void check_template_text(const uint8_t* data, size_t size) {
  using Kind = workload::TemplatePart::Kind;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = workload::parse_template(text);
  if (!parsed.ok()) {
    if (parsed.error().empty()) throw WorkloadPromiseBroken("a template error without a message");
  } else {
    const workload::Template& t = parsed.value();
    for (size_t i = 0; i < t.parts.size(); ++i) {
      const auto& p = t.parts[i];
      if (p.kind == Kind::literal) {
        if (p.text.empty()) throw WorkloadPromiseBroken("an empty literal");
        if (i > 0 && t.parts[i - 1].kind == Kind::literal) throw WorkloadPromiseBroken("adjacent literals");
      } else if (p.kind == Kind::variable) {
        const std::string_view name = std::string_view(p.text).substr(p.text.rfind("env.", 0) == 0 ? 4 : 0);
        if (!detail::is_template_name(name)) throw WorkloadPromiseBroken("a variable that is not a name: " + p.text);
      } else if (p.low > p.high) {
        throw WorkloadPromiseBroken("random() with LO above HI");
      }
    }
    const std::string again = detail::write_template(t);
    const auto reparsed = workload::parse_template(again);
    if (!reparsed.ok()) throw WorkloadPromiseBroken("a written-back template does not parse: " + again);
    if (!(reparsed.value() == t)) throw WorkloadPromiseBroken("a written-back template parses differently: " + again);
  }
  // Escaped, any text is one literal.
  const std::string escaped = workload::escape_template(text);
  const auto literal = workload::parse_template(escaped);
  if (!literal.ok()) throw WorkloadPromiseBroken("escaped text does not parse: " + escaped);
  const auto& parts = literal.value().parts;
  const bool same =
      text.empty() ? parts.empty() : parts.size() == 1 && parts[0].kind == Kind::literal && parts[0].text == text;
  if (!same) throw WorkloadPromiseBroken("escaped text does not parse back to itself");
}

inline void check_csv_text(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = workload::parse_csv(text);
  if (!parsed.ok()) {
    const std::string& e = parsed.error();
    if (e.rfind("line ", 0) != 0 && e.rfind("empty file", 0) != 0)
      throw WorkloadPromiseBroken("a CSV error naming no line: " + e);
    return;
  }
  const workload::CsvTable& t = parsed.value();
  if (t.header.empty()) throw WorkloadPromiseBroken("a CSV table without a header");
  for (const auto& row : t.rows) {
    if (row.size() != t.header.size()) throw WorkloadPromiseBroken("a CSV row of another width");
  }
  std::string again = detail::write_csv_record(t.header);
  for (const auto& row : t.rows) again += detail::write_csv_record(row);
  const auto reparsed = workload::parse_csv(again);
  if (!reparsed.ok()) throw WorkloadPromiseBroken("a written-back CSV table does not parse: " + reparsed.error());
  if (!(reparsed.value() == t)) throw WorkloadPromiseBroken("a written-back CSV table parses differently");
}

}  // namespace grid::fuzz

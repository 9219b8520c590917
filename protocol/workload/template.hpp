#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/wire/result.hpp"

namespace grid::workload {

/// One piece of a parsed template: literal text, or a variable to substitute.
struct TemplatePart {
  enum class Kind : uint8_t {
    literal,   // `text` as is
    variable,  // the value of variable `text` (a data column, an extracted variable, a
               // built-in: user, iteration, agent, uuid, unix_time, unix_ms; or env.NAME)
    random,    // a uniform random integer in [low, high]
  };
  Kind kind = Kind::literal;
  std::string text;
  int64_t low = 0;
  int64_t high = 0;
  bool operator==(const TemplatePart&) const = default;
};

/// A URL, header or body with `${...}` placeholders, parsed once. Syntax:
///   ${name}            a variable; name is [A-Za-z_][A-Za-z0-9_]* or env.NAME
///   ${random(LO,HI)}   a random integer, LO <= HI, both in int64 range
///   $${                a literal "${"
/// Any other `$` is literal text.
struct Template {
  std::vector<TemplatePart> parts;  // adjacent literals merged; empty for ""

  /// True when there is nothing to substitute.
  bool is_literal() const;
  /// The names of the variables it uses, in order of first use, each once.
  std::vector<std::string> variables() const;
  bool operator==(const Template&) const = default;
};

/// Parses `text`. Never throws: an unterminated `${`, an empty or malformed name, or a
/// bad random() gives an Error naming the offending placeholder and its offset.
wire::Result<Template> parse_template(std::string_view text);

/// Escapes `text` so that parse_template gives it back as one literal ("${" -> "$${").
std::string escape_template(std::string_view text);

/// The built-in variable names (user, iteration, agent, uuid, unix_time, unix_ms).
const std::vector<std::string>& builtin_variables();

}  // namespace grid::workload

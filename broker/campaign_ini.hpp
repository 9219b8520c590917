#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/campaign_problems.hpp"

namespace grid::broker {

/// One `key = value` line of a campaign file and where it is.
struct IniEntry {
  size_t line = 0;      // 1-based
  std::string section;  // as written between the brackets ("request.home"); empty before any header
  std::string key;      // trimmed ("headers", "p99.9", "request.home.p95")
  std::string value;    // trimmed, with any '#' comment removed
  bool operator==(const IniEntry&) const = default;
};

/// A section header and its line.
struct IniSection {
  size_t line = 0;
  std::string name;
  bool operator==(const IniSection&) const = default;
};

/// An INI text split into lines the way Boost.Program_options' parse_config_file reads
/// it: '#' starts a comment anywhere on a line (so no value can hold '#'); lines are
/// trimmed of spaces, tabs, CR and LF; `[NAME]` starts a section; `key = value` splits at
/// the first '='; anything else is a line Program_options refuses. Program_options does
/// not tell where a key was; this index does, entry for entry in the same order.
struct IniIndex {
  std::vector<IniEntry> entries;
  std::vector<IniSection> sections;                     // every header, in file order (repeats too)
  std::vector<std::pair<size_t, std::string>> refused;  // line, text: not a header nor `key = value`
};
IniIndex index_ini(std::string_view text);

/// The key = value entries of a campaign file in file order, read with Program_options
/// (the project's INI reader) and located with index_ini. Lines it would refuse (and
/// `[]`) are reported to `problems` and left out, so that the rest is still validated.
/// `sections` receives every section header.
std::vector<IniEntry> read_ini(std::string_view text, Problems& problems, std::vector<IniSection>& sections);

}  // namespace grid::broker

#pragma once

// Man pages in roff (man(7) macros), rendered from the same data --help prints: pure
// functions, so the output depends on their arguments only (no clock, no environment).

#include <string>
#include <string_view>
#include <vector>

#include "cli/command_doc.hpp"

namespace grid::cli {

/// The header fields every page shares.
struct PageMeta {
  std::string version;  // "0.2.0"
  std::string date;     // "2026-12-02" (YYYY-MM-DD, put in as is: SOURCE_DATE_EPOCH's), or empty
};

/// `text` safe as roff text: `\` becomes `\e`, `-` becomes `\-` (a literal hyphen-minus,
/// what a user types), and a line starting with `.` or `'` (a control line) gets `\&`.
std::string roff_escape(std::string_view text);

/// loadgrid-NAME(1): NAME, SYNOPSIS, DESCRIPTION, OPTIONS (every option with its
/// argument and default), SEE ALSO loadgrid(1).
std::string render_command_page(const CommandDoc& command, const PageMeta& meta);

/// loadgrid(1): the subcommands (each with its page), EXIT STATUS, FILES, SEE ALSO.
std::string render_main_page(const std::vector<CommandDoc>& commands, const std::vector<ExitStatusDoc>& exit_codes,
                             const PageMeta& meta);

}  // namespace grid::cli

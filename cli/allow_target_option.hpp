#pragma once

#include <boost/program_options.hpp>

#include "agent/target_allowlist.hpp"

namespace grid::cli {

/// Adds `--allow-target PATTERN` (repeatable; `allow-target = PATTERN` lines in the INI
/// file, replaced as a whole by any on the command line) to `opts`. After parsing, `into`
/// holds the patterns given, or stays loopback only when none is; a malformed pattern is
/// a usage error naming it (exit 2). See agent/target_allowlist.hpp and docs/adr/0013.
void add_allow_target_option(boost::program_options::options_description& opts, agent::TargetAllowlist& into);

}  // namespace grid::cli

#pragma once

// The bash completion script for `loadgrid`, rendered from the same data --help prints
// (a pure function). What a value completes to comes from its value name (see
// value_kind): the option definitions carry it, so nothing is listed twice.

#include <string>
#include <string_view>
#include <vector>

#include "cli/command_doc.hpp"

namespace grid::cli {

/// What an option's value (or a positional argument) completes to.
enum class ValueKind {
  none,       // a switch: no value
  anything,   // "arg", "HOST:PORT", ...: nothing to offer
  choices,    // "a|b|c": one of these words
  ini_file,   // "CAMPAIGN.ini", "FILE.ini": *.ini files (and directories to descend into)
  file,       // "FILE", "PREFIX", "PREFIX.key", "KEYS.pub": any file
  directory,  // "DIR", "RESULTS_DIR": directories
};

/// The kind a value name asks for (the rules above, in that order).
ValueKind value_kind(std::string_view value_name);

/// The script: defines _loadgrid and registers it with `complete -F _loadgrid loadgrid`.
/// It needs bash only (not the bash-completion package's helpers).
std::string render_bash_completion(const std::vector<CommandDoc>& commands);

}  // namespace grid::cli

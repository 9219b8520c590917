#pragma once

#include <stdexcept>

namespace grid::common {

/// A bad campaign, node file or option value. The message names the file, the section
/// and key (or the option), and what was expected, e.g. "demo.ini: [load] users: 'ten'
/// is not a count (...)". Subcommands map it to kExitUsage.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace grid::common

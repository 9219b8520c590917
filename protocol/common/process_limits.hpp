#pragma once

#include <cstdint>

namespace grid::common {

/// Raises this process's soft limit on open files to its hard limit (each virtual user
/// holds a socket) and returns the limit now in force.
uint64_t raise_open_file_limit();

}  // namespace grid::common

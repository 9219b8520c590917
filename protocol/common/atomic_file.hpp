#pragma once

#include <string>

namespace grid::common {

/// Writes `content` to `path` atomically (temporary file `path.tmp` + rename), so a reader
/// or a crash never sees half a file. Throws std::runtime_error naming the path on failure.
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace grid::common

#pragma once

#include <string_view>

namespace grid::common {

/// The loadgrid version, defined once (CMake's project version): `--version`, hellos and
/// summary.json all report this.
std::string_view software_version();

}  // namespace grid::common

#include "protocol/common/version.hpp"

// LOADGRID_VERSION comes from CMake's project(VERSION) for this file alone, so a new
// version recompiles one file.
namespace grid::common {

std::string_view software_version() { return LOADGRID_VERSION; }

}  // namespace grid::common

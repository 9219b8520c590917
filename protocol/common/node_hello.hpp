#pragma once

#include <cstdint>
#include <string>

#include "protocol/wire/messages.hpp"

namespace grid::common {

/// The hello a child sends its parent on start: its kind and region, this machine's
/// host name, cores and memory, its user cap and the loadgrid version.
wire::Hello make_hello(wire::NodeKind kind, const std::string& region, uint32_t cores, uint32_t max_users = 0);

}  // namespace grid::common

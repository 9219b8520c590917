#pragma once

#include <string>

namespace grid::common {

/// This machine's host name ("localhost" when it cannot be read).
std::string host_name();

/// A default node id: "<kind>-<host>-<pid>", plus "-<n>" when n > 0 (several nodes of one
/// kind in one process). Ids only need to be unique among a parent's children.
std::string default_node_id(const std::string& kind, unsigned n = 0);

}  // namespace grid::common

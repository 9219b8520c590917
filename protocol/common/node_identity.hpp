#pragma once

#include <string>

namespace grid::common {

/// This machine's host name ("localhost" when it cannot be read).
std::string host_name();

/// A default node id: "<kind>-<host>-<pid>", plus "-<n>" when n > 0 (several nodes of one
/// kind in one process). Ids only need to be unique among a parent's children.
std::string default_node_id(const std::string& kind, unsigned n = 0);

/// A node's options with its `id` filled in by default_node_id(kind) when empty.
template <class Options>
Options with_node_id(Options options, const std::string& kind) {
  if (options.id.empty()) options.id = default_node_id(kind);
  return options;
}

}  // namespace grid::common

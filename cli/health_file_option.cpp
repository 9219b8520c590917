#include "cli/health_file_option.hpp"

#include "protocol/common/health_file.hpp"

namespace po = boost::program_options;

namespace grid::cli {

void add_health_file_option(po::options_description& opts, std::string& into) {
  // A default value, not a fallback after parsing: po::store lets the INI file replace a
  // defaulted value, so the order is command line, INI file, environment.
  opts.add_options()(
      "health-file",
      po::value(&into)->value_name("PATH")->default_value(common::default_health_file(), "$LOADGRID_HEALTH_FILE"),
      "rewrite this file every second with the node's state, for `loadgrid healthcheck` (container "
      "health checks, liveness probes); removed at exit. Its directory must exist");
}

}  // namespace grid::cli

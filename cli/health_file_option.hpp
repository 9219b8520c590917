#pragma once

#include <string>

#include <boost/program_options.hpp>

namespace grid::cli {

/// Adds `--health-file PATH` (broker, relay, agent; `health-file = PATH` in the INI file)
/// to `opts`. When neither gives it, `into` is $LOADGRID_HEALTH_FILE, or "" (no file).
/// The node rewrites the file every second for `loadgrid healthcheck` (docs/adr/0024).
void add_health_file_option(boost::program_options::options_description& opts, std::string& into);

}  // namespace grid::cli

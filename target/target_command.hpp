#pragma once

#include <boost/program_options/options_description.hpp>

namespace grid::target {

/// The options `loadgrid target --help` prints (and its man page documents).
boost::program_options::options_description target_options();

// `loadgrid target [--listen HOST:PORT] [--threads N] [--delay MS] [--jitter MS]`.
// argv[0] is the subcommand name ("target"). Prints "listening HOST:PORT" (the bound port)
// once serving, runs until SIGINT or SIGTERM, then prints "served N requests".
// @return 0 after a clean stop or --help; 2 for a bad command line (message on stderr);
//         1 when the server cannot start or fails while running.
int target_main(int argc, char** argv);

}  // namespace grid::target

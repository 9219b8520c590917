#pragma once

// Entry points of the `loadgrid` subcommands. Each takes the arguments after the
// subcommand name (argv[0] is the subcommand) and returns the process exit code.

namespace grid::cli {

int run_main(int argc, char** argv);
int broker_main(int argc, char** argv);
int relay_main(int argc, char** argv);
int agent_main(int argc, char** argv);
int check_main(int argc, char** argv);
int keygen_main(int argc, char** argv);
int report_main(int argc, char** argv);
int healthcheck_main(int argc, char** argv);

}  // namespace grid::cli

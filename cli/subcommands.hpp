#pragma once

// Entry points of the `loadgrid` subcommands. Each takes the arguments after the
// subcommand name (argv[0] is the subcommand) and returns the process exit code.

#include <span>
#include <string_view>

namespace grid::cli {

/// One row of main.cpp's table: what `loadgrid --help` lists, and what `loadgrid man`
/// and `loadgrid completion` document (each row gets a page and completion).
struct Subcommand {
  std::string_view name;
  std::string_view summary;
  int (*entry)(int, char**);
};

int run_main(int argc, char** argv);
int broker_main(int argc, char** argv);
int relay_main(int argc, char** argv);
int agent_main(int argc, char** argv);
int check_main(int argc, char** argv);
int keygen_main(int argc, char** argv);
int report_main(int argc, char** argv);
int healthcheck_main(int argc, char** argv);
/// target::target_main, described from target::target_options() for `loadgrid man`.
int target_entry(int argc, char** argv);

/// Hidden: `loadgrid man [SUBCOMMAND]` prints loadgrid(1) or loadgrid-SUBCOMMAND(1) in
/// roff; `loadgrid man --output-dir DIR` writes all of them there. Built from `table`.
int man_main(int argc, char** argv, std::span<const Subcommand> table);
/// Hidden: `loadgrid completion bash [--output FILE]`: the bash completion script.
int completion_main(int argc, char** argv, std::span<const Subcommand> table);

}  // namespace grid::cli

// The `loadgrid` executable: dispatches to one subcommand. Kept thin on purpose: each
// subcommand parses its own options and maps its errors to exit codes.

#include <cstdio>
#include <string_view>

#include <fmt/format.h>

#include "cli/subcommands.hpp"
#include "protocol/common/exit_codes.hpp"
#include "protocol/common/version.hpp"

namespace {

using grid::cli::Subcommand;

// Each row also gets a man page and bash completion (cli/docs_command.cpp).
constexpr Subcommand kSubcommands[] = {
    {"run", "run a campaign on a whole grid in this process and print the report", &grid::cli::run_main},
    {"broker", "run a campaign as the root of a distributed grid", &grid::cli::broker_main},
    {"relay", "relay plans and stats between a parent and its children", &grid::cli::relay_main},
    {"agent", "run virtual users for whatever campaign the parent plans", &grid::cli::agent_main},
    {"target", "serve the built-in HTTP test target", &grid::cli::target_entry},
    {"check", "validate a campaign file, list every problem, start nothing", &grid::cli::check_main},
    {"report", "rebuild report.html from a results directory, optionally against a baseline run",
     &grid::cli::report_main},
    {"healthcheck", "exit 0 when a node's --health-file is fresh, 1 when missing or stale (container probes)",
     &grid::cli::healthcheck_main},
    {"keygen", "write a CurveZMQ key pair for a node (PREFIX.key, PREFIX.pub)", &grid::cli::keygen_main},
};

void usage(std::FILE* out) {
  fmt::print(out,
             "usage: loadgrid <subcommand> [options]   (loadgrid <subcommand> --help for its options)\n\n"
             "subcommands:\n");
  for (const auto& s : kSubcommands) fmt::print(out, "  {:<11} {}\n", s.name, s.summary);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(stderr);
    return grid::common::kExitUsage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    usage(stdout);
    return grid::common::kExitOk;
  }
  if (name == "--version") {
    fmt::print("loadgrid {}\n", grid::common::software_version());
    return grid::common::kExitOk;
  }
  for (const auto& s : kSubcommands) {
    if (s.name == name) return s.entry(argc - 1, argv + 1);
  }
  // Hidden (not in the table): the build generates the man pages and completion with them.
  if (name == "man") return grid::cli::man_main(argc - 1, argv + 1, kSubcommands);
  if (name == "completion") return grid::cli::completion_main(argc - 1, argv + 1, kSubcommands);
  fmt::print(stderr, "loadgrid: unknown subcommand '{}'\n\n", argv[1]);
  usage(stderr);
  return grid::common::kExitUsage;
}

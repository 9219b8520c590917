#pragma once

// Helpers shared by the man_pages and bash_completion suites: what `loadgrid --help` and
// `loadgrid SUB --help` list, read from the real binary's output.

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "grid_fixture.hpp"

namespace grid::test {

/// Runs `loadgrid ARGS...` to the end; requires exit 0 and returns stdout.
inline std::string loadgrid_output(const std::vector<std::string>& args) {
  std::vector<std::string> argv{kBinary};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess p(argv);
  const int code = run_to_end(p);
  BOOST_REQUIRE_MESSAGE(code == 0, "loadgrid exited " << code << ": " << p.err());
  return p.out();
}

/// The subcommands `loadgrid --help` lists ("  NAME     summary" lines).
inline std::vector<std::string> listed_subcommands() {
  const std::string help = loadgrid_output({"--help"});
  std::vector<std::string> names;
  const std::regex line(R"(\n  ([a-z]+) +\S)");
  for (std::sregex_iterator it(help.begin(), help.end(), line), end; it != end; ++it) names.push_back((*it)[1]);
  BOOST_REQUIRE_MESSAGE(names.size() >= 8u, "loadgrid --help lists too few subcommands:\n" << help);
  return names;
}

/// The long options a --help text lists (each option line starts with "  -").
inline std::set<std::string> help_options(const std::string& help) {
  std::set<std::string> options;
  const std::regex line(R"((^|\n)  (-[a-z] \[ )?--([a-z0-9-]+))");
  for (std::sregex_iterator it(help.begin(), help.end(), line), end; it != end; ++it) options.insert((*it)[3]);
  return options;
}

}  // namespace grid::test

#pragma once

// What a subcommand's --help says, as plain data: the input of the man page and bash
// completion renderers (man_page.*, bash_completion.*), which therefore cannot drift from
// --help. command_docs.* builds it from the Boost options_description --help prints.

#include <string>
#include <vector>

namespace grid::cli {

/// One option as --help lists it.
struct OptionDoc {
  std::string long_name;      // "log-level"
  std::string short_name;     // "h", or empty
  std::string value_name;     // "arg", "DIR", "debug|info|warning|error|off"; empty for a switch
  std::string default_value;  // "info", or empty for none
  std::string description;
};

/// One subcommand: its table entry (name, summary) and its --help text.
struct CommandDoc {
  std::string name;         // "run"
  std::string summary;      // the one line `loadgrid --help` shows
  std::string synopsis;     // "loadgrid run CAMPAIGN.ini [options]"
  std::string description;  // the paragraphs between the usage line and the options, maybe empty
  std::string positional;   // the positional argument's name ("CAMPAIGN.ini", "RESULTS_DIR"), or empty
  std::vector<OptionDoc> options;
};

/// An exit status and what it means, for loadgrid(1).
struct ExitStatusDoc {
  int code = 0;
  std::string meaning;
};

}  // namespace grid::cli

#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace grid::common {

/// A bad campaign, node file or option value. The message names the file, the section
/// and key (or the option), and what was expected, e.g. "demo.ini:7: [load] users: 'ten'
/// is not a count (...)". Subcommands map it to kExitUsage.
///
/// A campaign is validated as a whole: then `problems` holds every problem found, one
/// line each, and what() is all of them joined by newlines.
struct ConfigError : std::runtime_error {
  explicit ConfigError(const std::string& message) : std::runtime_error(message), problems{message} {}
  explicit ConfigError(const char* message) : ConfigError(std::string(message)) {}
  explicit ConfigError(std::vector<std::string> all) : std::runtime_error(join(all)), problems(std::move(all)) {}

  std::vector<std::string> problems;  // one entry per problem (a single message: just that one)

private:
  static std::string join(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& line : lines) {
      if (!text.empty()) text += '\n';
      text += line;
    }
    return text;
  }
};

}  // namespace grid::common

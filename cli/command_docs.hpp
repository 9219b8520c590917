#pragma once

// Turns the options_description a subcommand's --help prints into a CommandDoc, and lets
// `loadgrid man` / `loadgrid completion` collect them: while a DescribeScope lives,
// parse_options (and keygen, target) hand their finished options_description to it and
// return 0 without parsing or running anything. So every subcommand in main.cpp's table
// is documented from the very object --help prints, with no list kept anywhere else.

#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "cli/command_doc.hpp"

namespace grid::cli {

/// `options` as CommandDoc: the caption's first line ("usage: loadgrid run CAMPAIGN.ini
/// [options]") is the synopsis, the paragraphs after it the description (a last line
/// "options" dropped), the synopsis word after "loadgrid NAME" the positional argument
/// unless it starts with '-' or '['.
CommandDoc command_doc(const std::string& name, const std::string& summary,
                       const boost::program_options::options_description& options);

/// Collects one subcommand's options. One at a time, on the main thread (the generators
/// run nothing else).
class DescribeScope {
public:
  /// For the subcommand `name` with its table `summary`.
  DescribeScope(std::string name, std::string summary);
  ~DescribeScope();
  DescribeScope(const DescribeScope&) = delete;
  DescribeScope& operator=(const DescribeScope&) = delete;

  /// What the subcommand handed over, if it did.
  const std::optional<CommandDoc>& described() const { return described_; }

private:
  friend bool describe_options(const boost::program_options::options_description& options);
  std::string name_;
  std::string summary_;
  std::optional<CommandDoc> described_;
};

/// Inside a DescribeScope: records `options` (the object --help prints) and returns true,
/// and the caller returns 0 at once. Outside one: false, the caller goes on.
bool describe_options(const boost::program_options::options_description& options);

}  // namespace grid::cli

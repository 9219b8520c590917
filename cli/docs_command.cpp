// Hidden subcommands `loadgrid man` and `loadgrid completion`: the man pages and the bash
// completion, rendered from the options_description each subcommand's --help prints
// (collected through DescribeScope, see command_docs.hpp). The build runs them (cli/
// CMakeLists.txt), so a new row in main.cpp's table gets its page and completion.

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/bash_completion.hpp"
#include "cli/command_docs.hpp"
#include "cli/man_page.hpp"
#include "cli/subcommands.hpp"
#include "protocol/common/exit_codes.hpp"
#include "protocol/common/version.hpp"
#include "target/target_command.hpp"

namespace grid::cli {
namespace {

// README "Exit codes", the one list in protocol/common/exit_codes.hpp.
const std::vector<ExitStatusDoc> kExitStatus = {
    {common::kExitOk, "ok"},
    {common::kExitFailure, "failed while running (e.g. the results could not be written: the campaign stops)"},
    {common::kExitUsage, "bad command line, campaign or config file (the message names what and where)"},
    {common::kExitCannotStart,
     "could not start: results directory, a port to listen on, engines, no agent joined within --expect-timeout, "
     "or a stop before the campaign started"},
    {common::kExitThresholdsFailed,
     "run, broker: the campaign ran, but a [thresholds] entry failed or stopped it early (abort_on_fail); a failed "
     "results write (1) wins"},
};

// Runs the subcommand inside a DescribeScope: it hands over its options and returns.
CommandDoc describe(const Subcommand& subcommand) {
  DescribeScope scope{std::string(subcommand.name), std::string(subcommand.summary)};
  std::string name(subcommand.name);
  char* argv[] = {name.data(), nullptr};
  subcommand.entry(1, argv);
  if (!scope.described()) {
    throw std::logic_error("loadgrid " + name +
                           " did not describe its options: it must call parse_options (cli/option_parsing.hpp) "
                           "or describe_options (cli/command_docs.hpp) before parsing");
  }
  return *scope.described();
}

std::vector<CommandDoc> describe_all(std::span<const Subcommand> table) {
  std::vector<CommandDoc> docs;
  for (const auto& s : table) docs.push_back(describe(s));
  return docs;
}

// The date in the pages: SOURCE_DATE_EPOCH's (reproducible builds), or none; never today's.
PageMeta page_meta() {
  PageMeta meta;
  meta.version = std::string(common::software_version());
  if (const char* epoch = std::getenv("SOURCE_DATE_EPOCH")) {
    char* end = nullptr;
    const long long seconds = std::strtoll(epoch, &end, 10);
    if (end != epoch && *end == '\0' && seconds >= 0) {
      const std::time_t t = static_cast<std::time_t>(seconds);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char text[16];
      if (std::strftime(text, sizeof text, "%Y-%m-%d", &tm) > 0) meta.date = text;
    }
  }
  return meta;
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error(path.string() + ": cannot write");
}

int usage_error(const std::string& command, const std::string& text) {
  std::cerr << "loadgrid " << command << ": " << text << "\n";
  return common::kExitUsage;
}

}  // namespace

int target_entry(int argc, char** argv) {
  if (describe_options(target::target_options())) return common::kExitOk;
  return target::target_main(argc, argv);
}

int man_main(int argc, char** argv, std::span<const Subcommand> table) {
  const std::string kUsage = "usage: loadgrid man [SUBCOMMAND] | loadgrid man --output-dir DIR";
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    const PageMeta meta = page_meta();
    if (args.empty()) {
      std::cout << render_main_page(describe_all(table), kExitStatus, meta);
      return common::kExitOk;
    }
    if (args[0] == "--output-dir") {
      if (args.size() != 2) return usage_error("man", kUsage);
      const std::filesystem::path dir = args[1];
      std::filesystem::create_directories(dir);
      // Pages of subcommands that no longer exist must not linger (and get installed).
      for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        const std::string file = entry.path().filename().string();
        if (file.rfind("loadgrid", 0) == 0 && entry.path().extension() == ".1") std::filesystem::remove(entry.path());
      }
      const auto docs = describe_all(table);
      write_file(dir / "loadgrid.1", render_main_page(docs, kExitStatus, meta));
      for (const auto& doc : docs) write_file(dir / ("loadgrid-" + doc.name + ".1"), render_command_page(doc, meta));
      return common::kExitOk;
    }
    if (args.size() != 1 || args[0].starts_with("-")) return usage_error("man", kUsage);
    for (const auto& s : table) {
      if (s.name == args[0]) {
        std::cout << render_command_page(describe(s), meta);
        return common::kExitOk;
      }
    }
    return usage_error("man", "unknown subcommand '" + args[0] + "'");
  } catch (const std::exception& e) {
    std::cerr << "loadgrid man: " << e.what() << "\n";
    return common::kExitFailure;
  }
}

int completion_main(int argc, char** argv, std::span<const Subcommand> table) {
  const std::string kUsage = "usage: loadgrid completion bash [--output FILE]";
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] != "bash") return usage_error("completion", kUsage);
  if (args.size() != 1 && !(args.size() == 3 && args[1] == "--output")) return usage_error("completion", kUsage);
  try {
    const std::string script = render_bash_completion(describe_all(table));
    if (args.size() == 3) {
      const std::filesystem::path path = args[2];
      if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
      write_file(path, script);
    } else {
      std::cout << script;
    }
    return common::kExitOk;
  } catch (const std::exception& e) {
    std::cerr << "loadgrid completion: " << e.what() << "\n";
    return common::kExitFailure;
  }
}

}  // namespace grid::cli

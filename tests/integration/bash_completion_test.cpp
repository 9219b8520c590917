// The bash completion `loadgrid completion bash` generates, run in a real bash (no
// bash-completion package needed): COMP_WORDS/COMP_CWORD set as readline would, the
// completion function called, COMPREPLY read back.

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "cli_docs.hpp"

using namespace grid::test;

namespace {

// `word` quoted for bash.
std::string bash_quoted(const std::string& word) {
  std::string out = "'";
  for (const char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Completion {
  TempDir dir;
  std::string script = dir.path() + "/loadgrid";
  Completion() { loadgrid_output({"completion", "bash", "--output", script}); }

  // COMPREPLY, sorted, for the command line `words` completing its last word, in `cwd`.
  std::vector<std::string> complete(const std::vector<std::string>& words, const std::string& cwd = "/") const {
    std::string line, array;
    for (const auto& w : words) {
      line += (line.empty() ? "" : " ") + w;
      array += " " + bash_quoted(w);
    }
    const std::string program = "cd " + bash_quoted(cwd) + " && source " + bash_quoted(script) + " && COMP_WORDS=(" +
                                array + ") && COMP_CWORD=" + std::to_string(words.size() - 1) +
                                " && COMP_LINE=" + bash_quoted(line) +
                                " && COMP_POINT=${#COMP_LINE} && _loadgrid && "
                                "printf '%s\\n' \"${COMPREPLY[@]}\"";
    ChildProcess bash({"/bin/bash", "--norc", "--noprofile", "-c", program});
    const int code = run_to_end(bash);
    BOOST_REQUIRE_MESSAGE(code == 0, "bash exited " << code << ": " << bash.err());
    BOOST_REQUIRE_MESSAGE(bash.err().empty(), bash.err());
    std::vector<std::string> reply;
    std::istringstream in(bash.out());
    for (std::string l; std::getline(in, l);) {
      if (!l.empty()) reply.push_back(l);
    }
    std::sort(reply.begin(), reply.end());
    return reply;
  }
};

bool has(const std::vector<std::string>& reply, const std::string& word) {
  return std::find(reply.begin(), reply.end(), word) != reply.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(bash_completion)

BOOST_AUTO_TEST_CASE(completes_every_subcommand_after_loadgrid) {
  const Completion c;
  const auto reply = c.complete({"loadgrid", ""});
  for (const auto& sub : listed_subcommands()) BOOST_TEST(has(reply, sub), sub);
  BOOST_TEST(!has(reply, "man"));  // hidden
  BOOST_TEST(c.complete({"loadgrid", "re"}) == (std::vector<std::string>{"relay", "report"}));
}

BOOST_AUTO_TEST_CASE(completes_par_to_parent_for_agent) {
  const Completion c;
  const auto reply = c.complete({"loadgrid", "agent", "--par"});
  BOOST_TEST(has(reply, "--parent"));
  BOOST_TEST(std::all_of(reply.begin(), reply.end(), [](const std::string& w) { return w.rfind("--par", 0) == 0; }));
}

BOOST_AUTO_TEST_CASE(completes_log_level_to_the_levels_with_or_without_equals) {
  const Completion c;
  const std::vector<std::string> levels{"debug", "error", "info", "off", "warning"};
  BOOST_TEST(c.complete({"loadgrid", "relay", "--log-level", ""}) == levels);
  BOOST_TEST(c.complete({"loadgrid", "target", "--log-level", ""}) == levels);
  BOOST_TEST(c.complete({"loadgrid", "run", "--log-level", "=", ""}) == levels);
  BOOST_TEST(c.complete({"loadgrid", "run", "--log-level", "=", "w"}) == std::vector<std::string>{"warning"});
}

BOOST_AUTO_TEST_CASE(completes_transport_to_its_choices) {
  const Completion c;
  BOOST_TEST(c.complete({"loadgrid", "run", "--transport", ""}) ==
             (std::vector<std::string>{"auto", "curl", "native"}));
}

BOOST_AUTO_TEST_CASE(completes_ini_files_for_the_campaign_and_config_arguments) {
  const Completion c;
  TempDir cwd;
  std::ofstream(cwd.path() + "/smoke.ini") << "[campaign]\n";
  std::ofstream(cwd.path() + "/notes.txt") << "x\n";
  std::filesystem::create_directory(cwd.path() + "/configs");
  const std::vector<std::string> expected{"configs", "smoke.ini"};
  BOOST_TEST(c.complete({"loadgrid", "run", ""}, cwd.path()) == expected);
  BOOST_TEST(c.complete({"loadgrid", "check", "sm"}, cwd.path()) == std::vector<std::string>{"smoke.ini"});
  BOOST_TEST(c.complete({"loadgrid", "agent", "--config", ""}, cwd.path()) == expected);
}

BOOST_AUTO_TEST_CASE(completes_directories_for_results_options) {
  const Completion c;
  TempDir cwd;
  std::filesystem::create_directory(cwd.path() + "/results");
  std::ofstream(cwd.path() + "/run.ini") << "[campaign]\n";
  BOOST_TEST(c.complete({"loadgrid", "broker", "--results", ""}, cwd.path()) == std::vector<std::string>{"results"});
  BOOST_TEST(c.complete({"loadgrid", "report", ""}, cwd.path()) == std::vector<std::string>{"results"});
}

BOOST_AUTO_TEST_CASE(completes_every_option_help_lists) {
  const Completion c;
  for (const auto& sub : listed_subcommands()) {
    BOOST_TEST_CONTEXT("loadgrid " << sub) {
      const auto reply = c.complete({"loadgrid", sub, "--"});
      for (const auto& option : help_options(loadgrid_output({sub, "--help"}))) BOOST_TEST(has(reply, "--" + option));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

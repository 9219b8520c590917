// The man pages `loadgrid man` generates (and the build installs): every option each
// subcommand's --help lists is in its page, every page renders without a warning from
// man (what lintian runs), and loadgrid(1) names every subcommand and exit code.

#include <filesystem>
#include <fstream>
#include <regex>

#include <boost/test/unit_test.hpp>

#include "cli_docs.hpp"

using namespace grid::test;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// The options of `help` that `page` has no OPTIONS entry for (".TP" then the option in
// bold, maybe after its short form).
std::vector<std::string> missing_from_page(const std::string& help, const std::string& page) {
  std::vector<std::string> missing;
  for (const auto& option : help_options(help)) {
    std::string escaped = "\\fB\\-\\-";
    for (const char c : option) escaped += c == '-' ? std::string("\\-") : std::string(1, c);
    escaped += "\\fR";
    const size_t at = page.find(escaped);
    const bool entry = at != std::string::npos && page.rfind(".TP\n", at) != std::string::npos &&
                       page.find('\n', page.rfind(".TP\n", at) + 4) >= at;
    if (!entry) missing.push_back(option);
  }
  return missing;
}

// Runs man as lintian does; returns its complaints (stderr), or why it failed.
std::string man_warnings(const std::string& page) {
  BOOST_REQUIRE_MESSAGE(std::filesystem::exists("/usr/bin/man"),
                        "man is missing: install Debian's man-db and groff-base (scripts/install-deps.sh does)");
  ChildProcess man({"/usr/bin/man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", page});
  const int code = run_to_end(man);
  return code == 0 ? man.err() : "exit " + std::to_string(code) + ": " + man.err();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(man_pages)

BOOST_AUTO_TEST_CASE(every_option_help_lists_is_in_the_subcommands_man_page) {
  for (const auto& sub : listed_subcommands()) {
    BOOST_TEST_CONTEXT("loadgrid " << sub) {
      const std::string help = loadgrid_output({sub, "--help"});
      BOOST_TEST(help_options(help).count("help") == 1u, help);
      const std::string page = loadgrid_output({"man", sub});
      const auto missing = missing_from_page(help, page);
      BOOST_TEST(missing.empty(), "missing from loadgrid-" << sub << "(1): " << (missing.empty() ? "" : missing[0]));
    }
  }
}

BOOST_AUTO_TEST_CASE(the_drift_check_fails_when_an_option_is_removed_from_a_page) {
  const std::string help = loadgrid_output({"agent", "--help"});
  std::string page = loadgrid_output({"man", "agent"});
  BOOST_REQUIRE(missing_from_page(help, page).empty());
  const size_t at = page.find(".TP\n\\fB\\-\\-parent\\fR");
  BOOST_REQUIRE(at != std::string::npos);
  page.erase(at, page.find(".TP", at + 1) - at);  // the --parent entry, as if the page had drifted
  BOOST_TEST(missing_from_page(help, page) == std::vector<std::string>{"parent"});
  // Named in the text but not as an entry of its own does not count either.
  BOOST_TEST(page.find("\\-\\-parent") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_generated_page_renders_without_man_warnings) {
  TempDir dir;
  loadgrid_output({"man", "--output-dir", dir.path()});
  std::set<std::string> pages;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) pages.insert(entry.path().string());
  const auto subs = listed_subcommands();
  BOOST_TEST(pages.size() == subs.size() + 1);
  BOOST_TEST(pages.count(dir.path() + "/loadgrid.1") == 1u);
  for (const auto& sub : subs) BOOST_TEST(pages.count(dir.path() + "/loadgrid-" + sub + ".1") == 1u, sub);
  for (const auto& page : pages) {
    BOOST_TEST_CONTEXT(page) { BOOST_TEST(man_warnings(page) == ""); }
  }
}

BOOST_AUTO_TEST_CASE(the_loadgrid_page_names_every_subcommand_and_exit_code) {
  const std::string page = loadgrid_output({"man"});
  for (const auto& sub : listed_subcommands()) {
    BOOST_TEST(page.find(".TP\n\\fB" + sub + "\\fR\n") != std::string::npos, sub);
    BOOST_TEST(page.find("\\fBloadgrid\\-" + sub + "\\fR(1)") != std::string::npos, sub);
  }
  // The README's exit code table, row by row.
  const std::string readme = read_file(std::string(LOADGRID_SOURCE_DIR) + "/README.md");
  const std::regex row(R"(\n  \| (\d) \| )");
  int rows = 0;
  for (std::sregex_iterator it(readme.begin(), readme.end(), row), end; it != end; ++it, ++rows) {
    BOOST_TEST(page.find(".TP\n\\fB" + (*it)[1].str() + "\\fR\n") != std::string::npos, "exit code " << (*it)[1]);
  }
  BOOST_TEST(rows >= 5);
  BOOST_TEST(page.find("/etc/loadgrid/*.ini") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pages_are_reproducible_and_dated_by_source_date_epoch) {
  ::setenv("SOURCE_DATE_EPOCH", "1764633600", 1);  // 2025-12-02 00:00 UTC
  const std::string first = loadgrid_output({"man", "run"});
  const std::string second = loadgrid_output({"man", "run"});
  ::unsetenv("SOURCE_DATE_EPOCH");
  BOOST_TEST(first == second);
  BOOST_TEST(first.find(".TH LOADGRID\\-RUN 1 \"2025-12-02\" \"loadgrid ") != std::string::npos, first);
  const std::string undated = loadgrid_output({"man", "run"});
  BOOST_TEST(undated.find(".TH LOADGRID\\-RUN 1 \"\" \"loadgrid ") != std::string::npos, undated);
}

BOOST_AUTO_TEST_CASE(man_for_an_unknown_subcommand_exits_2_naming_it) {
  ChildProcess p({kBinary, "man", "frobnicate"});
  BOOST_TEST(run_to_end(p) == 2);
  BOOST_TEST(p.err().find("unknown subcommand 'frobnicate'") != std::string::npos, p.err());
  BOOST_TEST(p.out() == "");
}

BOOST_AUTO_TEST_SUITE_END()

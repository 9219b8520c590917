// The man page renderer (cli/man_page.*): roff escaping, every option with its argument
// and default, and output that depends on its input only.

#include <boost/test/unit_test.hpp>

#include "cli/man_page.hpp"

using namespace grid::cli;

namespace {

CommandDoc sample() {
  CommandDoc doc;
  doc.name = "run";
  doc.summary = "run a campaign";
  doc.synopsis = "loadgrid run CAMPAIGN.ini [options]";
  doc.description = "First paragraph,\ntwo lines.\n\n.Second paragraph starts with a dot.";
  doc.positional = "CAMPAIGN.ini";
  doc.options = {
      {"log-level", "", "debug|info|warning|error|off", "info", "lowest level of log lines"},
      {"results", "", "DIR", "", "results directory"},
      {"quiet", "q", "", "", "no live progress"},
      {"net-sysfs", "", "DIR", "/sys/class/net", "where C:\\path is read"},
  };
  return doc;
}

const PageMeta kMeta{"0.2.0", "2026-12-02"};

}  // namespace

BOOST_AUTO_TEST_SUITE(man_page)

BOOST_AUTO_TEST_CASE(roff_escape_turns_hyphens_into_minus_escapes) {
  BOOST_TEST(roff_escape("--log-level") == "\\-\\-log\\-level");
}

BOOST_AUTO_TEST_CASE(roff_escape_protects_backslashes) { BOOST_TEST(roff_escape("a\\b") == "a\\eb"); }

BOOST_AUTO_TEST_CASE(roff_escape_protects_lines_starting_with_a_dot_or_quote) {
  BOOST_TEST(roff_escape(".SH x") == "\\&.SH x");
  BOOST_TEST(roff_escape("'quoted") == "\\&'quoted");
  BOOST_TEST(roff_escape("one\n.two") == "one\n\\&.two");
  BOOST_TEST(roff_escape("a.b 'c'") == "a.b 'c'");  // only at the start of a line
}

BOOST_AUTO_TEST_CASE(command_page_lists_every_option_with_its_argument_and_default) {
  const std::string page = render_command_page(sample(), kMeta);
  BOOST_TEST(page.find(".TP\n\\fB\\-\\-log\\-level\\fR \\fIdebug|info|warning|error|off\\fR\n"
                       "lowest level of log lines\n(default: \\fBinfo\\fR)\n") != std::string::npos,
             page);
  BOOST_TEST(page.find(".TP\n\\fB\\-\\-results\\fR \\fIDIR\\fR\nresults directory\n.TP") != std::string::npos, page);
  BOOST_TEST(page.find(".TP\n\\fB\\-q\\fR, \\fB\\-\\-quiet\\fR\nno live progress\n") != std::string::npos, page);
  BOOST_TEST(page.find("(default: \\fB/sys/class/net\\fR)") != std::string::npos, page);
  BOOST_TEST(page.find("where C:\\epath is read") != std::string::npos, page);
}

BOOST_AUTO_TEST_CASE(command_page_has_the_debian_name_and_sections) {
  const std::string page = render_command_page(sample(), kMeta);
  BOOST_TEST(page.find(".TH LOADGRID\\-RUN 1 \"2026-12-02\" \"loadgrid 0.2.0\" \"User Commands\"\n") !=
             std::string::npos);
  BOOST_TEST(page.find(".SH NAME\nloadgrid\\-run \\- run a campaign\n") != std::string::npos);
  BOOST_TEST(page.find(".SH SYNOPSIS\n\\fBloadgrid run\\fR CAMPAIGN.ini [options]\n") != std::string::npos);
  BOOST_TEST(page.find("two lines.\n.PP\n\\&.Second paragraph") != std::string::npos, page);
  BOOST_TEST(page.find(".SH SEE ALSO\n\\fBloadgrid\\fR(1)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(pages_depend_on_their_input_only) {
  BOOST_TEST(render_command_page(sample(), kMeta) == render_command_page(sample(), kMeta));
  const std::vector<CommandDoc> docs{sample()};
  const std::vector<ExitStatusDoc> codes{{0, "ok"}, {2, "bad input"}};
  BOOST_TEST(render_main_page(docs, codes, kMeta) == render_main_page(docs, codes, kMeta));
  BOOST_TEST(render_command_page(sample(), {"0.2.0", ""}).find(".TH LOADGRID\\-RUN 1 \"\" \"loadgrid 0.2.0\"") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(main_page_lists_subcommands_exit_codes_files_and_pages) {
  CommandDoc other = sample();
  other.name = "agent";
  other.summary = "run virtual users";
  const std::string page = render_main_page({sample(), other}, {{0, "ok"}, {2, "bad input"}}, kMeta);
  BOOST_TEST(page.find(".TP\n\\fBrun\\fR\nrun a campaign; see \\fBloadgrid\\-run\\fR(1).\n") != std::string::npos,
             page);
  BOOST_TEST(page.find(".TP\n\\fBagent\\fR\n") != std::string::npos);
  BOOST_TEST(page.find(".SH EXIT STATUS\n.TP\n\\fB0\\fR\nok\n.TP\n\\fB2\\fR\nbad input\n") != std::string::npos, page);
  BOOST_TEST(page.find(".SH FILES\n.TP\n\\fI/etc/loadgrid/*.ini\\fR\n") != std::string::npos);
  BOOST_TEST(page.find(".SH SEE ALSO\n\\fBloadgrid\\-run\\fR(1),\n\\fBloadgrid\\-agent\\fR(1)\n") != std::string::npos,
             page);
}

BOOST_AUTO_TEST_SUITE_END()

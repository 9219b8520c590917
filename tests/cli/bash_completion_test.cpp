// The bash completion renderer (cli/bash_completion.*): what each value name completes
// to, and every option in the script. tests/integration/bash_completion_test.cpp runs
// the script in a real bash.

#include <boost/test/unit_test.hpp>

#include "cli/bash_completion.hpp"

using namespace grid::cli;

BOOST_AUTO_TEST_SUITE(bash_completion)

BOOST_AUTO_TEST_CASE(value_names_choose_what_a_value_completes_to) {
  BOOST_TEST((value_kind("") == ValueKind::none));
  BOOST_TEST((value_kind("arg") == ValueKind::anything));
  BOOST_TEST((value_kind("HOST:PORT") == ValueKind::anything));
  BOOST_TEST((value_kind("auto|curl|native") == ValueKind::choices));
  BOOST_TEST((value_kind("CAMPAIGN.ini") == ValueKind::ini_file));
  BOOST_TEST((value_kind("FILE.ini") == ValueKind::ini_file));
  BOOST_TEST((value_kind("DIR") == ValueKind::directory));
  BOOST_TEST((value_kind("RESULTS_DIR") == ValueKind::directory));
  BOOST_TEST((value_kind("FILE") == ValueKind::file));
  BOOST_TEST((value_kind("PREFIX") == ValueKind::file));
  BOOST_TEST((value_kind("PREFIX.key") == ValueKind::file));
  BOOST_TEST((value_kind("PARENT.pub") == ValueKind::file));
}

BOOST_AUTO_TEST_CASE(script_lists_every_option_and_its_values) {
  CommandDoc doc;
  doc.name = "agent";
  doc.options = {{"parent", "", "arg", "", ""},
                 {"log-level", "", "debug|info|warning|error|off", "info", ""},
                 {"listen", "l", "HOST:PORT", "", ""},
                 {"quiet", "q", "", "", ""}};
  const std::string script = render_bash_completion({doc});
  BOOST_TEST(script.find("options='--parent --log-level --listen --quiet'") != std::string::npos, script);
  BOOST_TEST(script.find("--log-level) _loadgrid_value choices \"$cur\" 'debug info warning error off'") !=
             std::string::npos);
  BOOST_TEST(script.find("--listen|-l) _loadgrid_value anything") != std::string::npos);
  BOOST_TEST(script.find("--quiet)") == std::string::npos);  // a switch takes no value
  BOOST_TEST(script.find("compgen -W 'agent --help --version'") != std::string::npos);
  BOOST_TEST(script.find("complete -F _loadgrid loadgrid\n") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

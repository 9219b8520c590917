// `loadgrid check CAMPAIGN.ini` as a real process: 0 and a summary for a good file, 2 and
// every problem for a bad one; `run` and `broker` refuse a bad campaign the same way.

#include <algorithm>
#include <csignal>  // grid_fixture.hpp uses SIGTERM
#include <filesystem>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

// Three problems on known lines, and an unknown key with a suggestion.
const char* kBad =
    "[campaign]\n"
    "name = bad\n"
    "duration = soon\n"
    "[load]\n"
    "usres = 5\n"
    "[request.home]\n"
    "url = ftp://x/\n";

int exit_of(ChildProcess& p) {
  const auto code = p.wait_for_exit(30s);
  BOOST_REQUIRE_MESSAGE(code.has_value(), "loadgrid did not exit in 30 s");
  return *code;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(check_command)

BOOST_AUTO_TEST_CASE(check_accepts_every_shipped_campaign) {
  size_t campaigns = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(LOADGRID_SOURCE_DIR) + "/configs")) {
    if (entry.path().extension() != ".ini") continue;
    std::ifstream in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    if (text.find("\n[campaign]\n") == std::string::npos) continue;  // node settings, not campaigns
    ++campaigns;
    BOOST_TEST_CONTEXT(entry.path().filename()) {
      ChildProcess check({kBinary, "check", entry.path().string()});
      BOOST_TEST(exit_of(check) == 0, check.err());
      BOOST_TEST(check.out().rfind(entry.path().string() + ": ok (", 0) == 0u, check.out());
      BOOST_TEST(check.err() == "");
    }
  }
  BOOST_TEST(campaigns >= 4u);
}

BOOST_AUTO_TEST_CASE(check_summarises_the_journeys_example) {
  const std::string path = std::string(LOADGRID_SOURCE_DIR) + "/configs/journeys.ini";
  ChildProcess check({kBinary, "check", path});
  BOOST_REQUIRE_EQUAL(exit_of(check), 0);
  BOOST_TEST(check.out() ==
             path +
                 ": ok (5 requests, 2 scenarios, closed model, 3 stages up to 20 users, 35s, 1 data feed "
                 "(8 rows), 5 thresholds)\n");
}

BOOST_AUTO_TEST_CASE(check_lists_every_problem_on_stderr_and_exits_2) {
  TempDir dir;
  const std::string path = dir.path() + "/bad.ini";
  std::ofstream(path) << kBad;
  ChildProcess check({kBinary, "check", path});
  BOOST_TEST(exit_of(check) == 2);
  BOOST_TEST(check.out() == "");
  const std::string err = check.err();
  BOOST_TEST(err.find(path + ":3: [campaign] duration: 'soon' is not a duration") != std::string::npos, err);
  BOOST_TEST(err.find(path + ":4: [load] users: missing") != std::string::npos, err);
  BOOST_TEST(err.find(path + ":5: [load] usres: unknown key, did you mean 'users'?") != std::string::npos, err);
  BOOST_TEST(
      err.find(path + ":7: [request.home] url: 'ftp://x/' is not an http:// or https:// URL") != std::string::npos,
      err);
  BOOST_TEST(err.find(path + ": 4 problems\n") != std::string::npos, err);
  // One line per problem, then the count.
  BOOST_TEST(std::count(err.begin(), err.end(), '\n') == 5);
}

BOOST_AUTO_TEST_CASE(check_of_a_missing_file_exits_2_naming_it) {
  ChildProcess check({kBinary, "check", "/nonexistent/campaign.ini"});
  BOOST_TEST(exit_of(check) == 2);
  BOOST_TEST(check.err().find("/nonexistent/campaign.ini: cannot open the campaign file") != std::string::npos,
             check.err());
}

BOOST_AUTO_TEST_CASE(check_help_exits_0_and_without_a_file_exits_2) {
  ChildProcess help({kBinary, "check", "--help"});
  BOOST_TEST(exit_of(help) == 0);
  BOOST_TEST(help.out().find("usage: loadgrid check CAMPAIGN.ini") != std::string::npos, help.out());
  ChildProcess none({kBinary, "check"});
  BOOST_TEST(exit_of(none) == 2);
  BOOST_TEST(none.err().find("missing the campaign file") != std::string::npos, none.err());
}

BOOST_AUTO_TEST_CASE(run_and_broker_refuse_a_bad_campaign_with_every_problem) {
  TempDir dir;
  const std::string path = dir.path() + "/bad.ini";
  std::ofstream(path) << kBad;
  ChildProcess run({kBinary, "run", path, "--results", dir.path() + "/out"});
  BOOST_TEST(exit_of(run) == 2);
  BOOST_TEST(run.err().find(path + ":5: [load] usres") != std::string::npos, run.err());
  BOOST_TEST(run.err().find(path + ":7: [request.home] url") != std::string::npos, run.err());
  ChildProcess broker({kBinary, "broker", path, "--listen", "tcp://127.0.0.1:0", "--results", dir.path() + "/out"});
  BOOST_TEST(exit_of(broker) == 2);
  BOOST_TEST(broker.err().find(path + ":3: [campaign] duration") != std::string::npos, broker.err());
  BOOST_TEST(!std::filesystem::exists(dir.path() + "/out"));
}

BOOST_AUTO_TEST_SUITE_END()

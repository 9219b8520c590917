// Logs under systemd: when stderr is the journal (JOURNAL_STREAM names fd 2's device and
// inode, as systemd sets it), real nodes write "<N>level node: message" lines, the
// syslog priority in front and no time; otherwise the usual timestamped lines. The
// journal is stood in for by the file ChildProcess captures stderr in: what journald
// checks is the variable and the prefix, both of which the test sees.

#include <filesystem>
#include <regex>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"
#include "support/refused_port.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

// `argv` run through /bin/sh so that JOURNAL_STREAM can be made from the child's own
// stderr: "journal" sets it to fd 2's DEV:INODE (stat's %d and %i are st_dev and
// st_ino in decimal, as systemd writes them), "elsewhere" to another file's (a variable
// inherited by a process whose stderr was redirected), "unset" removes it.
std::vector<std::string> with_journal_stream(const std::string& mode, std::vector<std::string> argv) {
  std::string set;
  if (mode == "journal") set = "JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2); export JOURNAL_STREAM; ";
  if (mode == "elsewhere") set = "JOURNAL_STREAM=$(stat -L -c %d:%i /dev/null); export JOURNAL_STREAM; ";
  if (mode == "unset") set = "unset JOURNAL_STREAM; ";
  std::vector<std::string> out = {"/bin/sh", "-c", set + "exec \"$@\"", "sh"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has_line(const std::string& text, const std::string& start, const std::string& contains) {
  for (const auto& line : lines_of(text)) {
    if (line.rfind(start, 0) == 0 && line.find(contains) != std::string::npos) return true;
  }
  return false;
}

const std::regex kTimestamp(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} .*)");

// A broker that no agent joins: info lines at start, then an error, exit 3.
std::vector<std::string> lonely_broker(const std::string& results) {
  return {kBinary,
          "broker",
          std::string(LOADGRID_SOURCE_DIR) + "/configs/local-target.ini",
          "--listen",
          "tcp://127.0.0.1:0",
          "--expect-agents",
          "1",
          "--expect-timeout",
          "1s",
          "--results",
          results};
}

// A parent address whose two ports refuse every connection while this lives.
struct SilentParent {
  RefusedPort plans;
  RefusedPort reports;
  std::string address() const {
    return "tcp://127.0.0.1:" + std::to_string(plans.port()) + "," + std::to_string(reports.port());
  }
};

// A relay whose parent never answers: an info line at start.
std::vector<std::string> orphan_relay(const std::string& parent, const std::string& listen = "tcp://127.0.0.1:0") {
  return {kBinary, "relay", "--parent", parent, "--listen", listen, "--id", "r1"};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(journal_logs)

BOOST_AUTO_TEST_CASE(a_node_whose_stderr_is_the_journal_writes_priorities_and_no_time) {
  TempDir dir;
  ChildProcess broker(with_journal_stream("journal", lonely_broker(dir.path() + "/results")));
  const auto code = broker.wait_for_exit(30s);
  BOOST_REQUIRE_MESSAGE(code.has_value(), "the broker did not exit in 30 s");
  BOOST_TEST(*code == 3);
  const std::string err = broker.err();
  BOOST_TEST(has_line(err, "<6>info broker", "listening on tcp://127.0.0.1:"), err);
  BOOST_TEST(has_line(err, "<3>error broker", "no agent joined within 1000 ms"), err);
  for (const auto& line : lines_of(err)) BOOST_TEST(!std::regex_match(line, kTimestamp), line);
}

BOOST_AUTO_TEST_CASE(a_warning_written_outside_the_logger_is_a_warning_in_the_journal) {
  // A relay whose secret key others may read: cli/security_options.cpp warns on stderr
  // before the node's logger exists; the node then logs its start at info.
  TempDir dir;
  ChildProcess keygen({kBinary, "keygen", dir.path() + "/r1"});
  BOOST_REQUIRE(keygen.wait_for_exit(30s).value_or(-1) == 0);
  std::filesystem::permissions(dir.path() + "/r1.key", std::filesystem::perms::group_read,
                               std::filesystem::perm_options::add);
  std::filesystem::copy_file(dir.path() + "/r1.pub", dir.path() + "/children.keys");
  const SilentParent parent;
  std::vector<std::string> argv = orphan_relay(parent.address());
  argv.insert(argv.end(), {"--curve-key", dir.path() + "/r1.key", "--authorized-keys", dir.path() + "/children.keys"});
  ChildProcess relay(with_journal_stream("journal", argv));
  const auto started = relay.wait_for_err_line("<6>info r1: parent " + parent.address() + ", listening on", 10s);
  BOOST_TEST(started.has_value(), relay.err());
  relay.signal(SIGTERM);
  BOOST_TEST(relay.wait_for_exit(20s).value_or(-1) == 0);
  const std::string err = relay.err();
  BOOST_TEST(has_line(err, "<4>loadgrid relay: warning: ", "the secret key file may be read by group or others"), err);
  for (const auto& line : lines_of(err)) BOOST_TEST(!std::regex_match(line, kTimestamp), line);
}

BOOST_AUTO_TEST_CASE(a_setup_error_written_outside_the_logger_is_an_error_in_the_journal) {
  // The second relay cannot bind the first one's ports: cli/guarded.hpp's line.
  const SilentParent parent;
  ChildProcess first(with_journal_stream("unset", orphan_relay(parent.address())));
  const auto listening = first.wait_for_err_line("listening on tcp://127.0.0.1:", 10s);
  BOOST_REQUIRE_MESSAGE(listening.has_value(), first.err());
  const std::string ports = listening->substr(listening->rfind(':') + 1);  // "PLANS,REPORTS"
  const std::string plans = ports.substr(0, ports.find(','));
  ChildProcess second(with_journal_stream("journal", orphan_relay(parent.address(), "tcp://127.0.0.1:" + plans)));
  const auto code = second.wait_for_exit(30s);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 3);
  BOOST_TEST(second.err().rfind("<3>loadgrid relay: ", 0) == 0u, second.err());
  first.signal(SIGTERM);
  first.wait_for_exit(20s);
}

BOOST_AUTO_TEST_CASE(a_node_writes_timestamped_lines_when_stderr_is_not_the_journal) {
  for (const std::string mode : {"unset", "elsewhere"}) {
    BOOST_TEST_CONTEXT(mode) {
      TempDir dir;
      ChildProcess broker(with_journal_stream(mode, lonely_broker(dir.path() + "/results")));
      const auto code = broker.wait_for_exit(30s);
      BOOST_REQUIRE(code.has_value());
      BOOST_TEST(*code == 3);
      const std::string err = broker.err();
      bool error_line = false;
      for (const auto& line : lines_of(err)) {
        BOOST_TEST(line.rfind("<", 0) != 0u, line);
        if (line.find("no agent joined within 1000 ms") != std::string::npos) {
          error_line = true;
          BOOST_TEST(std::regex_match(line, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} error broker.*)")),
                     line);
        }
      }
      BOOST_TEST(error_line, err);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

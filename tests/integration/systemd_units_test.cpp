// deploy/systemd/: every unit passes `systemd-analyze verify` with no complaint about
// it, runs as the unprivileged `loadgrid` user with the hardening the issue asks for,
// and gives the agent's drain time to finish before SIGKILL. The units name
// /usr/bin/loadgrid; verify needs the binary to exist, so the copies checked here run
// the build tree's `loadgrid` instead.

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

const std::string kUnitDir = std::string(LOADGRID_SOURCE_DIR) + "/deploy/systemd";
const std::vector<std::string> kUnits = {"loadgrid-relay.service", "loadgrid-agent.service", "loadgrid-relay@.service",
                                         "loadgrid-agent@.service"};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

std::string systemd_analyze() {
  for (const char* p : {"/usr/bin/systemd-analyze", "/bin/systemd-analyze"}) {
    if (std::filesystem::exists(p)) return p;
  }
  BOOST_FAIL("systemd-analyze is missing: install Debian's systemd package (scripts/install-deps.sh does)");
  return "";
}

// `text` with /usr/bin/loadgrid replaced by the build tree's binary.
std::string with_built_binary(std::string text) {
  const std::string installed = "/usr/bin/loadgrid";
  for (size_t at = text.find(installed); at != std::string::npos; at = text.find(installed, at + kBinary.size())) {
    text.replace(at, installed.size(), kBinary);
  }
  return text;
}

struct Verdict {
  int exit_code = -1;
  std::string complaints;  // systemd-analyze's lines that name the unit
};

// Runs `systemd-analyze verify` on `dir/unit` (an instance name, NAME@I.service, finds
// its template NAME@.service in dir). Lines about other units (the targets it pulls in,
// the host's own units) are not the unit's fault and are left out; every line that
// names the unit is a complaint: verify exits 0 on a value it cannot parse ("Failed to
// parse boolean value, ignoring") and only warns.
Verdict verify(const std::string& dir, const std::string& unit) {
  // No man page check: the package ships loadgrid(1), the build tree has none.
  ChildProcess analyze({systemd_analyze(), "verify", "--man=no", dir + "/" + unit});
  const auto code = analyze.wait_for_exit(60s);
  BOOST_REQUIRE_MESSAGE(code.has_value(), "systemd-analyze verify did not finish in 60 s");
  Verdict v{*code, ""};
  const std::string tmpl = unit.substr(0, unit.find('@') + 1);  // "NAME@" (or the whole name)
  std::istringstream lines(analyze.err() + analyze.out());
  for (std::string line; std::getline(lines, line);) {
    if (line.find(unit) != std::string::npos || (tmpl.back() == '@' && line.find(tmpl) != std::string::npos)) {
      v.complaints += line + "\n";
    }
  }
  return v;
}

// The unit's settings as KEY -> values (a key may repeat), comments left out.
std::multimap<std::string, std::string> settings(const std::string& text) {
  std::multimap<std::string, std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#' || line[0] == '[') continue;
    const auto eq = line.find('=');
    if (eq != std::string::npos) out.emplace(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

std::string setting(const std::multimap<std::string, std::string>& s, const std::string& key) {
  const auto it = s.find(key);
  return it == s.end() ? "<missing>" : it->second;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(systemd_units)

BOOST_AUTO_TEST_CASE(every_unit_passes_systemd_analyze_verify) {
  TempDir dir;
  for (const auto& unit : kUnits) {
    std::ofstream(dir.path() + "/" + unit) << with_built_binary(read_file(kUnitDir + "/" + unit));
  }
  std::vector<std::string> checked = kUnits;
  checked.push_back("loadgrid-relay@east.service");  // instances of the templates
  checked.push_back("loadgrid-agent@a1.service");
  for (const auto& unit : checked) {
    BOOST_TEST_CONTEXT(unit) {
      const auto v = verify(dir.path(), unit);
      BOOST_TEST(v.exit_code == 0, v.complaints);
      BOOST_TEST(v.complaints == "");
    }
  }
}

BOOST_AUTO_TEST_CASE(a_unit_with_a_setting_systemd_cannot_parse_fails_verification) {
  // The check above must be able to fail: a bad boolean (exit 0, a warning) and a missing
  // binary (exit 1) are both caught.
  TempDir dir;
  std::string text = with_built_binary(read_file(kUnitDir + "/loadgrid-agent.service"));
  text.replace(text.find("NoNewPrivileges=yes"), 19, "NoNewPrivileges=maybe");
  std::ofstream(dir.path() + "/loadgrid-agent.service") << text;
  const auto bad_value = verify(dir.path(), "loadgrid-agent.service");
  BOOST_TEST(bad_value.complaints.find("Failed to parse boolean value") != std::string::npos, bad_value.complaints);

  std::ofstream(dir.path() + "/loadgrid-relay.service")
      << read_file(kUnitDir + "/loadgrid-relay.service");  // /usr/bin/loadgrid: not installed here
  if (!std::filesystem::exists("/usr/bin/loadgrid")) {
    const auto no_binary = verify(dir.path(), "loadgrid-relay.service");
    BOOST_TEST(no_binary.exit_code != 0);
    BOOST_TEST(no_binary.complaints.find("/usr/bin/loadgrid") != std::string::npos, no_binary.complaints);
  }
}

BOOST_AUTO_TEST_CASE(every_unit_runs_its_node_from_etc_loadgrid_as_the_unprivileged_loadgrid_user) {
  const std::map<std::string, std::string> exec = {
      {"loadgrid-relay.service", "/usr/bin/loadgrid relay --config /etc/loadgrid/relay.ini"},
      {"loadgrid-agent.service", "/usr/bin/loadgrid agent --config /etc/loadgrid/agent.ini"},
      {"loadgrid-relay@.service", "/usr/bin/loadgrid relay --config /etc/loadgrid/relay-%i.ini"},
      {"loadgrid-agent@.service", "/usr/bin/loadgrid agent --config /etc/loadgrid/agent-%i.ini"}};
  for (const auto& unit : kUnits) {
    BOOST_TEST_CONTEXT(unit) {
      const auto s = settings(read_file(kUnitDir + "/" + unit));
      BOOST_TEST(setting(s, "ExecStart") == exec.at(unit));
      BOOST_TEST(setting(s, "User") == "loadgrid");
      BOOST_TEST(setting(s, "Group") == "loadgrid");
      for (const auto& [key, value] :
           std::vector<std::pair<std::string, std::string>>{{"NoNewPrivileges", "yes"},
                                                            {"ProtectSystem", "strict"},
                                                            {"ProtectHome", "yes"},
                                                            {"PrivateTmp", "yes"},
                                                            {"PrivateDevices", "yes"},
                                                            {"ProtectKernelTunables", "yes"},
                                                            {"ProtectKernelModules", "yes"},
                                                            {"ProtectControlGroups", "yes"},
                                                            {"CapabilityBoundingSet", ""},
                                                            {"Restart", "on-failure"},
                                                            {"RestartPreventExitStatus", "2"},
                                                            {"KillSignal", "SIGTERM"},
                                                            {"After", "network-online.target"},
                                                            {"Wants", "network-online.target"}}) {
        BOOST_TEST(setting(s, key) == value, key);
      }
      BOOST_TEST(setting(s, "RestrictAddressFamilies") == "AF_INET AF_INET6 AF_UNIX AF_NETLINK");
      BOOST_TEST(std::stoul(setting(s, "LimitNOFILE")) >= 65536u);
    }
  }
}

BOOST_AUTO_TEST_CASE(an_agent_unit_waits_longer_than_the_agent_drains_before_sigkill) {
  // The agent's stop is bounded by drain_limit (60 s) + ack_wait (5 s) + bye (2 s) +
  // socket linger (2 s), agent/agent_node.hpp; the unit's comment explains the sum.
  for (const std::string unit : {"loadgrid-agent.service", "loadgrid-agent@.service"}) {
    const auto s = settings(read_file(kUnitDir + "/" + unit));
    BOOST_TEST(setting(s, "TimeoutStopSec") == "90s", unit);
    BOOST_TEST(setting(s, "LimitNOFILE") == "1048576", unit);
  }
}

BOOST_AUTO_TEST_SUITE_END()

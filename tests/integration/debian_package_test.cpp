// The Debian package (debian/, scripts/package.sh; docs/adr/0022), built from the tree
// this suite tested: lintian finds no errors in it, it depends on the package of every
// shared library the binary needs, it ships the man pages, the bash completion, the
// units, the node configs (as conffiles) and the examples; and, installed with dpkg on
// this machine, it runs a campaign from its own examples and a grid whose relay and agent
// are the units' own commands run as the units' user, then purges without a trace.
//
// Installing needs root and a machine where loadgrid is not installed yet (the test
// never touches an installation it did not make): elsewhere that case is skipped and
// says why. CI runs as root on a fresh machine.

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct Ran {
  int code = -1;
  std::string out, err;
};

// Runs `argv` to its end; a bare program name is looked up in PATH (ChildProcess execs
// the path it is given).
Ran run(std::vector<std::string> argv, std::chrono::seconds timeout = 120s) {
  if (argv[0].find('/') == std::string::npos) argv.insert(argv.begin(), "/usr/bin/env");
  ChildProcess p(argv);
  const auto code = p.wait_for_exit(timeout);
  std::string command;
  for (const auto& a : argv) command += a + " ";
  BOOST_REQUIRE_MESSAGE(code.has_value(), command << "did not finish in " << timeout.count() << " s");
  return {*code, p.out(), p.err()};
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

const std::string kOut = std::string(LOADGRID_BUILD_DIR) + "/test-output/debian_package";

// The package, built once for the suite by scripts/package.sh from this build tree.
struct Package {
  std::string deb;       // path of loadgrid_VERSION_ARCH.deb
  std::string lintian;   // what lintian said
  std::string contents;  // dpkg-deb -c
  std::string version;   // the binary's own `--version` number
};

const Package& package() {
  static const Package built = [] {
    fs::remove_all(kOut);
    fs::create_directories(kOut);
    const Ran made = run({"/bin/bash", std::string(LOADGRID_SOURCE_DIR) + "/scripts/package.sh", "--build-dir",
                          LOADGRID_BUILD_DIR, "--out", kOut, "--lintian"},
                         600s);
    BOOST_REQUIRE_MESSAGE(made.code == 0, "scripts/package.sh failed (exit " << made.code << "):\n"
                                                                             << made.out << made.err);
    Package p;
    const auto out = lines_of(made.out);
    BOOST_REQUIRE(!out.empty());
    p.deb = out.back();
    p.lintian = made.out + made.err;
    BOOST_REQUIRE_MESSAGE(fs::exists(p.deb), "package.sh's last line is not the .deb: " << p.deb);
    p.contents = run({"dpkg-deb", "-c", p.deb}).out;
    const std::string v = trim(run({kBinary, "--version"}).out);  // "loadgrid 0.2.0"
    p.version = v.substr(v.find(' ') + 1);
    return p;
  }();
  return built;
}

std::string field(const std::string& deb, const std::string& name) {
  return trim(run({"dpkg-deb", "-f", deb, name}).out);
}

bool ships(const Package& p, const std::string& path) {
  // dpkg-deb -c lines end with "./PATH" (or "./PATH -> TARGET" for links).
  for (const auto& line : lines_of(p.contents)) {
    const auto at = line.find(" ." + path);
    if (at != std::string::npos &&
        (at + 2 + path.size() == line.size() || line.compare(at + 2 + path.size(), 4, " -> ") == 0)) {
      return true;
    }
  }
  return false;
}

// The subcommands `loadgrid --help` lists ("  NAME     summary" after "subcommands:").
std::vector<std::string> subcommands() {
  std::vector<std::string> names;
  bool in_list = false;
  for (const auto& line : lines_of(run({kBinary, "--help"}).out)) {
    if (line.rfind("subcommands:", 0) == 0) {
      in_list = true;
    } else if (in_list && line.rfind("  ", 0) == 0) {
      std::istringstream words(line);
      std::string name;
      words >> name;
      names.push_back(name);
    }
  }
  return names;
}

// Package names of a Depends field: "a (>= 1), b | c" -> {a, b, c}.
std::set<std::string> depended_on(const std::string& depends) {
  std::set<std::string> names;
  static const std::regex name("(^|[,|])\\s*([a-z0-9][a-z0-9+.-]*)");
  for (std::sregex_iterator it(depends.begin(), depends.end(), name), end; it != end; ++it) names.insert((*it)[2]);
  return names;
}

boost::test_tools::assertion_result can_install(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result ok(true);
  if (geteuid() != 0) {
    ok = false;
    ok.message() << "SKIPPED: installing with dpkg needs root (CI runs as root)";
  } else if (run({"dpkg-query", "-W", "-f=${Status}", "loadgrid"}).out.find("installed") != std::string::npos) {
    ok = false;
    ok.message() << "SKIPPED: loadgrid is already installed here; this test installs and purges its own copy and "
                    "leaves an installation it did not make alone";
  }
  return ok;
}

// Every path under the directories a package can touch, for "purge leaves nothing".
std::set<std::string> file_system_paths() {
  std::set<std::string> paths;
  for (const char* root : {"/etc", "/usr", "/var/lib", "/opt", "/srv"}) {
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
      paths.insert(it->path().string());
    }
  }
  if (!fs::is_symlink("/lib")) paths.insert("/lib (not merged into /usr: not scanned)");
  return paths;
}

std::string differences(const std::set<std::string>& before, const std::set<std::string>& after) {
  std::ostringstream out;
  for (const auto& p : after) {
    if (!before.count(p)) out << "  left behind: " << p << "\n";
  }
  for (const auto& p : before) {
    if (!after.count(p)) out << "  removed: " << p << "\n";
  }
  return out.str();
}

// Installs the package; the destructor purges it, whatever happened in between.
class Installed {
public:
  explicit Installed(const std::string& deb) {
    const Ran r = run({"dpkg", "-i", deb}, 300s);
    installed_ = true;
    BOOST_REQUIRE_MESSAGE(r.code == 0, "dpkg -i failed:\n" << r.out << r.err);
  }
  ~Installed() {
    if (installed_) purge();
  }
  Ran purge() {
    installed_ = false;
    return run({"dpkg", "--purge", "loadgrid"}, 300s);
  }

private:
  bool installed_ = false;
};

// The command line of a unit's ExecStart= ("/usr/bin/loadgrid relay --config ...").
std::vector<std::string> exec_start(const std::string& unit) {
  std::ifstream in(unit);
  BOOST_REQUIRE_MESSAGE(in, "the package did not install " << unit);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("ExecStart=", 0) == 0) {
      std::istringstream words(line.substr(10));
      std::vector<std::string> argv;
      for (std::string w; words >> w;) argv.push_back(w);
      return argv;
    }
  }
  BOOST_FAIL(unit << " has no ExecStart=");
  return {};
}

// `argv` as the units run it: as the loadgrid user and group (User=, Group=).
std::vector<std::string> as_unit_user(std::vector<std::string> argv) {
  std::vector<std::string> out = {"/usr/bin/setpriv", "--reuid=loadgrid", "--regid=loadgrid", "--init-groups", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

uint64_t served(const std::string& target_url) {
  return nlohmann::json::parse(http_get(target_url + "/__stats"))["requests"].get<uint64_t>();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(debian_package)

BOOST_AUTO_TEST_CASE(package_is_built_with_the_binarys_version_and_lintian_finds_no_errors) {
  const auto& p = package();
  BOOST_TEST(fs::path(p.deb).filename().string().rfind("loadgrid_" + p.version + "_", 0) == 0, p.deb);
  BOOST_TEST(field(p.deb, "Version") == p.version);
  BOOST_TEST(field(p.deb, "Package") == "loadgrid");
  // package.sh --lintian fails on any error; the output must not hold one either.
  for (const auto& line : lines_of(p.lintian)) BOOST_TEST(line.rfind("E: ", 0) != 0, line);
  BOOST_TEST_MESSAGE("lintian:\n" << p.lintian);
}

BOOST_AUTO_TEST_CASE(package_depends_on_the_package_of_every_shared_library_the_binary_needs) {
  const auto& p = package();
  const auto depends = depended_on(field(p.deb, "Depends"));
  BOOST_TEST_MESSAGE("Depends: " << field(p.deb, "Depends"));
  TempDir root;
  BOOST_REQUIRE_EQUAL(run({"dpkg-deb", "-x", p.deb, root.path()}).code, 0);
  // ldd: "libzmq.so.5 => /lib/x86_64-linux-gnu/libzmq.so.5 (0x...)"; dpkg -S names the
  // package that owns the file. Only direct needs count (readelf's NEEDED entries).
  const std::string binary = root.path() + "/usr/bin/loadgrid";
  std::set<std::string> needed;
  static const std::regex needed_line("\\(NEEDED\\).*\\[(.+)\\]");
  for (const auto& line : lines_of(run({"readelf", "-d", binary}).out)) {
    std::smatch m;
    if (std::regex_search(line, m, needed_line)) needed.insert(m[1]);
  }
  BOOST_REQUIRE(needed.count("libzmq.so.5"));
  BOOST_REQUIRE(needed.count("libcurl.so.4"));
  static const std::regex ldd_line("^\\s*(\\S+) => (\\S+) ");
  for (const auto& line : lines_of(run({"ldd", binary}).out)) {
    std::smatch m;
    if (!std::regex_search(line, m, ldd_line) || !needed.count(m[1])) continue;
    const std::string path = fs::canonical(m[2].str()).string();
    Ran owner = run({"dpkg", "-S", path});
    // With /usr merged, dpkg knows a file by the name its package gave it: try those too.
    if (owner.code != 0) owner = run({"dpkg", "-S", m[2].str()});
    if (owner.code != 0 && path.rfind("/usr/", 0) == 0) owner = run({"dpkg", "-S", path.substr(4)});
    BOOST_REQUIRE_MESSAGE(owner.code == 0, "no package owns " << path << " (" << m[1] << ")");
    const std::string package_name = owner.out.substr(0, owner.out.find(':'));
    // Depends may name the package or a virtual package it provides (libspdlog1.10
    // provides libspdlog1.10-fmt9, the name its shlibs file gives).
    auto names = depended_on(run({"dpkg-query", "-W", "-f=${Provides}", package_name}).out);
    names.insert(package_name);
    const bool listed = std::any_of(names.begin(), names.end(), [&](const auto& n) { return depends.count(n) > 0; });
    BOOST_TEST(listed, m[1] << " comes from " << package_name << ", which Depends does not name");
    needed.erase(m[1]);
  }
  BOOST_TEST(needed.empty(), "ldd did not resolve every NEEDED library");
}

BOOST_AUTO_TEST_CASE(package_ships_man_pages_completion_units_configs_and_examples) {
  const auto& p = package();
  std::vector<std::string> expected = {
      "/usr/bin/loadgrid",
      "/usr/share/man/man1/loadgrid.1.gz",
      "/usr/share/bash-completion/completions/loadgrid",
      "/lib/systemd/system/loadgrid-relay.service",
      "/lib/systemd/system/loadgrid-agent.service",
      "/lib/systemd/system/loadgrid-relay@.service",
      "/lib/systemd/system/loadgrid-agent@.service",
      "/usr/lib/sysusers.d/loadgrid.conf",
      "/etc/loadgrid/relay.ini",
      "/etc/loadgrid/agent.ini",
      "/usr/share/doc/loadgrid/copyright",
      "/usr/share/doc/loadgrid/changelog.gz",
      "/usr/share/doc/loadgrid/examples/local-target.ini",
      "/usr/share/doc/loadgrid/examples/journeys.ini",
      "/usr/share/doc/loadgrid/examples/data/accounts.csv",
  };
  const auto subs = subcommands();
  BOOST_REQUIRE_GE(subs.size(), 8u);
  for (const auto& s : subs) expected.push_back("/usr/share/man/man1/loadgrid-" + s + ".1.gz");
  for (const auto& path : expected) BOOST_TEST(ships(p, path), path << " is not in the package");

  TempDir control;
  BOOST_REQUIRE_EQUAL(run({"dpkg-deb", "-e", p.deb, control.path()}).code, 0);
  std::ifstream in(control.path() + "/conffiles");
  std::set<std::string> conffiles;
  for (std::string line; std::getline(in, line);) conffiles.insert(trim(line));
  BOOST_TEST(conffiles.count("/etc/loadgrid/relay.ini") == 1u);
  BOOST_TEST(conffiles.count("/etc/loadgrid/agent.ini") == 1u);
}

BOOST_AUTO_TEST_CASE(installed_package_runs_a_campaign_and_the_units_commands_then_purges_clean,
                     *boost::unit_test::precondition(can_install)) {
  const auto& p = package();
  const auto before = file_system_paths();
  {
    Installed installed(p.deb);
    BOOST_TEST(trim(run({"/usr/bin/loadgrid", "--version"}).out) == "loadgrid " + p.version);
    // The units' user, made by the postinst (sysusers), and the keys directory it reads.
    const Ran user = run({"getent", "passwd", "loadgrid"});
    BOOST_REQUIRE_MESSAGE(user.code == 0, "the package made no loadgrid user");
    BOOST_TEST(user.out.find(":/usr/sbin/nologin") != std::string::npos, user.out);
    struct stat keys {};
    BOOST_REQUIRE_EQUAL(stat("/etc/loadgrid/keys", &keys), 0);
    BOOST_TEST((keys.st_mode & 0777) == 0750u);
    BOOST_TEST(trim(run({"getent", "group", "loadgrid"}).out).find(":" + std::to_string(keys.st_gid) + ":") !=
               std::string::npos);

    // The example campaign as shipped, against the installed target on its port.
    TempDir dir;
    ChildProcess target({"/usr/bin/loadgrid", "target", "--listen", "127.0.0.1:18080", "--threads", "1"});
    BOOST_REQUIRE_MESSAGE(target.wait_for_line("listening ", 10s),
                          "the installed target could not listen on 127.0.0.1:18080 (port taken?): " << target.err());
    const std::string url = "http://127.0.0.1:18080";
    const uint64_t served_before = served(url);
    const Ran demo = run({"/usr/bin/loadgrid", "run", "/usr/share/doc/loadgrid/examples/local-target.ini", "--results",
                          dir.path() + "/demo", "--quiet"});
    BOOST_REQUIRE_MESSAGE(demo.code == 0, demo.err);
    const auto summary = read_json(dir.path() + "/demo/summary.json");
    const uint64_t demo_served = served(url) - served_before;
    BOOST_TEST(summary["total"]["requests"].get<uint64_t>() == demo_served);
    BOOST_TEST(demo_served > 0u);
    BOOST_TEST(fs::exists(dir.path() + "/demo/report.html"));

    // A grid: a broker, and the relay and agent exactly as their units start them, as
    // the units' user, with the shipped /etc/loadgrid/*.ini. Only the ports are moved
    // (the command line wins over the file) so that nothing else on the machine is hit.
    const std::string campaign = dir.path() + "/grid.ini";
    std::ofstream(campaign) << "[campaign]\nname = packaged\nduration = 2s\ninterval = 500ms\n"
                            << "[load]\nusers = 5\nthink_time = 20ms\n[request.home]\nurl = " << url << "/\n";
    const uint64_t grid_before = served(url);
    auto broker = listening_parent(std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/loadgrid", "broker", campaign, "--listen", "tcp://127.0.0.1:0", "--results",
                                 dir.path() + "/grid", "--expect-agents", "1", "--expect-timeout", "30s"}));
    auto relay_argv = exec_start("/lib/systemd/system/loadgrid-relay.service");
    relay_argv.insert(relay_argv.end(), {"--parent", broker.address, "--listen", "tcp://127.0.0.1:0"});
    auto relay = listening_parent(std::make_unique<ChildProcess>(as_unit_user(relay_argv)));
    auto agent_argv = exec_start("/lib/systemd/system/loadgrid-agent.service");
    agent_argv.insert(agent_argv.end(), {"--parent", relay.address});
    ChildProcess agent(as_unit_user(agent_argv));
    BOOST_REQUIRE_EQUAL(broker_exit(*broker), 0);
    const auto grid = read_json(dir.path() + "/grid/summary.json");
    BOOST_TEST(grid["total"]["requests"].get<uint64_t>() == served(url) - grid_before);
    BOOST_TEST(grid["total"]["requests"].get<uint64_t>() > 0u);
    BOOST_TEST(grid["agents"].size() == 1u);
    // SIGTERM, as systemctl stop sends it: both end by themselves, with success.
    agent.signal(SIGTERM);
    relay->signal(SIGTERM);
    BOOST_TEST((agent.wait_for_exit(90s) == std::optional<int>(0)), agent.err());
    BOOST_TEST((relay->wait_for_exit(30s) == std::optional<int>(0)), relay->err());
    target.signal(SIGTERM);
    target.wait_for_exit(10s);

    const Ran purged = installed.purge();
    BOOST_REQUIRE_MESSAGE(purged.code == 0, "dpkg --purge failed:\n" << purged.out << purged.err);
  }
  const std::string left = differences(before, file_system_paths());
  BOOST_TEST(left.empty(), "after dpkg --purge the file system differs from before dpkg -i:\n" << left);
  // The system user stays (docs/adr/0022), as Debian packages leave theirs.
  BOOST_TEST(run({"getent", "passwd", "loadgrid"}).code == 0);
}

BOOST_AUTO_TEST_SUITE_END()

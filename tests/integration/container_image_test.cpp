// The container image (Containerfile; docs/adr/0022). Its promises are checked from the
// file on every machine: Debian 12 slim, the package installed, a fixed non-root user
// (the uid deploy/kubernetes/ runs as), a health check that is a real subcommand. Where a
// container engine runs and has the Debian 12 base images (no registry is reachable
// from the test machines), the image is built and `loadgrid --version` run in it;
// elsewhere that case is skipped and says exactly what was missing.

#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kContainerfile = std::string(LOADGRID_SOURCE_DIR) + "/Containerfile";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " << path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// The instructions of a Containerfile as (KEYWORD, arguments), continuation lines
// joined, comments left out.
std::vector<std::pair<std::string, std::string>> instructions(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::istringstream lines(text);
  std::string pending;
  for (std::string line; std::getline(lines, line);) {
    if (pending.empty() && (line.empty() || line[0] == '#')) continue;
    if (!line.empty() && line.back() == '\\') {
      pending += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    pending += line;
    const auto space = pending.find(' ');
    out.emplace_back(pending.substr(0, space), space == std::string::npos ? "" : pending.substr(space + 1));
    pending.clear();
  }
  return out;
}

// The instructions of the last stage (after the last FROM).
std::vector<std::pair<std::string, std::string>> final_stage(const std::string& text) {
  auto all = instructions(text);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& i : all) {
    if (i.first == "FROM") out.clear();
    out.push_back(i);
  }
  return out;
}

std::string argument_of(const std::vector<std::pair<std::string, std::string>>& stage, const std::string& keyword) {
  std::string found;
  for (const auto& [k, v] : stage) {
    if (k == keyword) found = v;
  }
  return found;
}

struct Ran {
  int code = -1;
  std::string out, err;
};

Ran run(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  try {
    ChildProcess p(argv);
    const auto code = p.wait_for_exit(timeout);
    if (!code) {
      p.signal(SIGKILL);
      return {-1, p.out(), p.err() + "\n(did not finish in " + std::to_string(timeout.count()) + " s)"};
    }
    return {*code, p.out(), p.err()};
  } catch (const std::exception& e) {
    return {-1, "", e.what()};
  }
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// A container engine that can build here: its client, a running engine, and the
// Debian base images already present (a build must not pull).
struct Engine {
  std::string program;  // podman or docker, "" when none can build
  std::string why_not;  // what was missing, when none can
};

const Engine& engine() {
  static const Engine found = [] {
    std::string why;
    for (const std::string program : {"podman", "docker"}) {
      const Ran version = run({"/usr/bin/env", program, "--version"}, 20s);
      if (version.code != 0) {
        why += program + ": not installed; ";
        continue;
      }
      const Ran info = run({"/usr/bin/env", program, "info"}, 30s);
      if (info.code != 0) {
        why += program + ": the client is installed but no engine runs (`" + program +
               " info`: " + first_line(info.err.empty() ? info.out : info.err) + "); ";
        continue;
      }
      std::string missing;
      for (const std::string image : {"debian:12", "debian:12-slim"}) {
        if (run({"/usr/bin/env", program, "image", "inspect", image}, 30s).code != 0) missing += image + " ";
      }
      if (!missing.empty()) {
        why += program + ": the base image(s) " + missing + "are not present and no registry is reachable; ";
        continue;
      }
      // An engine may answer `info` and still be unable to start a container here (a
      // sandbox's cgroups or limits): try one.
      const Ran probe = run({"/usr/bin/env", program, "run", "--rm", "--network=none", "debian:12-slim", "true"}, 120s);
      if (probe.code != 0) {
        why += program + ": cannot start a container here (`" + program +
               " run debian:12-slim true`: " + first_line(probe.err.empty() ? probe.out : probe.err) + "); ";
        continue;
      }
      return Engine{program, ""};
    }
    return Engine{"", why};
  }();
  return found;
}

boost::test_tools::assertion_result engine_can_build(boost::unit_test::test_unit_id) {
  boost::test_tools::assertion_result ok(!engine().program.empty());
  if (!ok) ok.message() << "SKIPPED: no container engine can build the image offline here: " << engine().why_not;
  return ok;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(container_image)

BOOST_AUTO_TEST_CASE(
    containerfile_installs_the_package_on_debian_12_slim_as_a_fixed_non_root_user_with_a_health_check) {
  const std::string text = read_file(kContainerfile);
  const auto stage = final_stage(text);
  BOOST_TEST(argument_of(stage, "FROM") == "debian:12-slim");
  // The package, installed by apt (so its dependencies come along), not a copied binary.
  const std::string install = [&] {
    std::string all;
    for (const auto& [k, v] : stage) {
      if (k == "RUN") all += v + "\n";
    }
    return all;
  }();
  BOOST_TEST(std::regex_search(install, std::regex("apt-get install[^\\n]*/tmp/loadgrid_\\*\\.deb")), install);
  BOOST_TEST(text.find("scripts/package.sh") != std::string::npos);
  // A fixed non-root user: the uid deploy/kubernetes/ gives runAsUser.
  BOOST_TEST(argument_of(stage, "USER") == "loadgrid:loadgrid");
  BOOST_TEST(install.find("--uid 10001") != std::string::npos);
  BOOST_TEST(install.find("--gid 10001") != std::string::npos);
  std::string manifests;
  for (const auto& entry : fs::recursive_directory_iterator(std::string(LOADGRID_SOURCE_DIR) + "/deploy/kubernetes")) {
    if (entry.path().extension() == ".yaml") manifests += read_file(entry.path().string());
  }
  BOOST_TEST(manifests.find("runAsUser: 10001") != std::string::npos, "deploy/kubernetes runs as another uid");
  // The overlays deploy the image of this release (`loadgrid --version`).
  ChildProcess version({kBinary, "--version"});
  version.wait_for_exit(20s);
  const std::string release = version.out().substr(version.out().find(' ') + 1, version.out().find('\n') - 9);
  static const std::regex tag("newTag: \"([^\"]*)\"");
  int tags = 0;
  for (std::sregex_iterator it(manifests.begin(), manifests.end(), tag), end; it != end; ++it, ++tags) {
    BOOST_TEST((*it)[1].str() == release, "an overlay deploys loadgrid:" << (*it)[1] << ", this is " << release);
  }
  BOOST_TEST(tags >= 2);
  // The health check is a real subcommand, reading the file ENV names.
  const std::string health = argument_of(stage, "HEALTHCHECK");
  BOOST_TEST(health.find("CMD [\"loadgrid\", \"healthcheck\"]") != std::string::npos, health);
  BOOST_TEST(argument_of(stage, "ENV") == "LOADGRID_HEALTH_FILE=/run/loadgrid/health");
  ChildProcess help({kBinary, "healthcheck", "--help"});
  BOOST_TEST((help.wait_for_exit(20s) == std::optional<int>(0)), help.err());
  BOOST_TEST(argument_of(stage, "ENTRYPOINT") == "[\"loadgrid\"]");
}

BOOST_AUTO_TEST_CASE(image_builds_offline_and_runs_loadgrid_version_as_uid_10001,
                     *boost::unit_test::precondition(engine_can_build)) {
  const std::string program = engine().program;
  const std::string tag = "localhost/loadgrid-test:" + std::to_string(::getpid());
  // The package of this build tree into dist/, and the image from it (LOADGRID_DEBS=
  // prebuilt: the compile stage is skipped, the Debian 12 slim stage is the real one).
  const Ran packaged = run(
      {"/bin/bash", std::string(LOADGRID_SOURCE_DIR) + "/scripts/package.sh", "--build-dir", LOADGRID_BUILD_DIR}, 600s);
  BOOST_REQUIRE_MESSAGE(packaged.code == 0, "scripts/package.sh failed:\n" << packaged.out << packaged.err);
  std::vector<std::string> build = {"/usr/bin/env",           program, "build",        "--pull=never", "--build-arg",
                                    "LOADGRID_DEBS=prebuilt", "-f",    kContainerfile, "-t",           tag};
  if (program == "podman") build.push_back("--format=docker");  // keeps HEALTHCHECK
  build.push_back(LOADGRID_SOURCE_DIR);
  const Ran built = run(build, 1800s);
  BOOST_REQUIRE_MESSAGE(built.code == 0, "image build failed:\n" << built.out << built.err);
  const Ran version = run({"/usr/bin/env", program, "run", "--rm", "--network=none", tag, "--version"}, 120s);
  ChildProcess own({kBinary, "--version"});
  own.wait_for_exit(20s);
  BOOST_TEST(version.code == 0, version.err);
  BOOST_TEST(version.out == own.out());
  const Ran uid =
      run({"/usr/bin/env", program, "run", "--rm", "--network=none", "--entrypoint", "id", tag, "-u"}, 120s);
  BOOST_TEST(uid.out == "10001\n");
  const Ran health =
      run({"/usr/bin/env", program, "image", "inspect", "--format", "{{json .Config.Healthcheck}}", tag}, 60s);
  BOOST_TEST(health.out.find("healthcheck") != std::string::npos, health.out);
  run({"/usr/bin/env", program, "image", "rm", tag}, 120s);
}

BOOST_AUTO_TEST_SUITE_END()

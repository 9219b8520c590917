#pragma once

// Running the browser checks of tests/browser/ (dashboard_check.mjs, report_check.mjs)
// from Boost.Test: Debian's headless chromium driven by node and playwright-core
// (installed by scripts/browser-deps.sh). Node, chromium and playwright-core are test
// dependencies like nginx: when one is missing the check fails and says what to install
// (scripts/install-deps.sh, scripts/browser-deps.sh); it never skips silently.

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "support/child_process.hpp"

namespace grid::test {

inline const std::string kBrowserDir = std::string(LOADGRID_SOURCE_DIR) + "/tests/browser";

/// `name` found in PATH, or "".
inline std::string find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::string candidate = dir + "/" + name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

/// The chromium the scripts launch: $LOADGRID_CHROMIUM, else /usr/bin/chromium.
inline std::string chromium_path() {
  const char* given = std::getenv("LOADGRID_CHROMIUM");
  return given && *given ? given : "/usr/bin/chromium";
}

/// What is missing to run the browser checks, as an instruction; "" when nothing is.
inline std::string missing_browser_tools() {
  std::string missing;
  if (find_in_path("node").empty()) missing += " node (Debian package nodejs, via scripts/install-deps.sh);";
  if (::access(chromium_path().c_str(), X_OK) != 0) {
    missing += " " + chromium_path() + " (Debian package chromium, via scripts/install-deps.sh);";
  }
  if (!std::filesystem::exists(kBrowserDir + "/node_modules/playwright-core/package.json")) {
    missing += " playwright-core in tests/browser/node_modules (run scripts/browser-deps.sh: npm ci);";
  }
  return missing;
}

/// A test's output directory under the build tree, BUILD/test-output/SUITE/CASE (made
/// if needed, kept after the test for the screenshots).
inline std::string output_dir(const std::string& suite, const std::string& test_case) {
  const std::string dir = std::string(LOADGRID_BUILD_DIR) + "/test-output/" + suite + "/" + test_case;
  std::filesystem::create_directories(dir);
  return dir;
}

/// How a browser check ended: its exit code (0 ok, 1 a check failed, 2 usage) and the
/// JSON result it printed on its last line.
struct BrowserCheckRun {
  int code = -1;
  nlohmann::json result;
};

/// Runs `node tests/browser/SCRIPT ARGS...` for at most `deadline`. Fails the test when
/// a browser tool is missing (naming what to install), when the script does not end in
/// time, and when it prints no JSON result; whether the checks passed is the caller's.
inline BrowserCheckRun run_browser_script(const std::string& script, const std::vector<std::string>& args,
                                          std::chrono::seconds deadline) {
  const std::string missing = missing_browser_tools();
  if (!missing.empty()) BOOST_FAIL("the browser tests need:" << missing);
  std::vector<std::string> argv{find_in_path("node"), kBrowserDir + "/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  ChildProcess node(argv);
  const auto code = node.wait_for_exit(deadline);
  BOOST_REQUIRE_MESSAGE(code.has_value(), script << " did not end within " << deadline.count() << " s; stderr:\n"
                                                 << node.err());
  const std::string out = node.out();
  const auto last = out.find_last_of('{') == std::string::npos ? std::string::npos : out.rfind("\n{");
  const std::string line = last == std::string::npos ? out : out.substr(last + 1);
  BrowserCheckRun run{*code, {}};
  try {
    run.result = nlohmann::json::parse(line);
  } catch (const std::exception&) {
    BOOST_FAIL(script << " exited " << *code << " without a JSON result; stdout:\n"
                      << out << "\nstderr:\n"
                      << node.err());
  }
  BOOST_TEST_MESSAGE(script << ": " << run.result.dump());
  return run;
}

/// run_browser_script, and the checks must pass: no failure listed, exit code 0 with
/// "ok": true. Returns the JSON result.
inline nlohmann::json run_browser_check(const std::string& script, const std::vector<std::string>& args,
                                        std::chrono::seconds deadline) {
  const auto run = run_browser_script(script, args, deadline);
  BOOST_TEST(run.result["failures"].empty(), script << " failures: " << run.result["failures"].dump(2));
  BOOST_TEST(run.code == (run.result["ok"] == true ? 0 : 1));
  BOOST_TEST(run.result["ok"] == true);
  return run.result;
}

}  // namespace grid::test

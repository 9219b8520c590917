#pragma once

// Helpers of the campaign tests: parse INI text, collect the problems of a bad one, and
// an environment with chosen variables and in-memory files.

#include <initializer_list>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "broker/campaign.hpp"

namespace grid::test {

/// A valid closed-model campaign with one request, to extend per test.
inline const std::string kMinimal =
    "[campaign]\nname = t\nduration = 10s\n[load]\nusers = 5\n[request.home]\nurl = http://127.0.0.1:18080/\n";

/// Chosen environment variables and files (by path as the parser asks for them).
struct FakeEnvironment {
  std::map<std::string, std::string> vars;
  std::map<std::string, std::string> files;

  broker::CampaignEnvironment get() const {
    broker::CampaignEnvironment env;
    env.getenv = [vars = vars](const std::string& name) -> std::optional<std::string> {
      const auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    };
    env.read_file = [files = files](const std::string& path, size_t max) -> common::Result<std::string> {
      const auto it = files.find(path);
      if (it == files.end()) return common::Error{"no such file"};
      return it->second.substr(0, max + 1);
    };
    return env;
  }
};

inline broker::Campaign parse(const std::string& text, const FakeEnvironment& env = {}) {
  std::istringstream in(text);
  return broker::parse_campaign(in, "test.ini", env.get());
}

/// The problems of a campaign that must be refused (fails the test if it parses).
inline std::vector<std::string> problems_of(const std::string& text, const FakeEnvironment& env = {}) {
  try {
    parse(text, env);
  } catch (const broker::ConfigError& e) {
    return e.problems;
  }
  BOOST_FAIL("expected a ConfigError for:\n" + text);
  return {};
}

inline bool contains_all(const std::string& line, std::initializer_list<std::string> fragments) {
  for (const auto& f : fragments) {
    if (line.find(f) == std::string::npos) return false;
  }
  return true;
}

inline std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += "\n  " + l;
  return text;
}

/// Expects the campaign to be refused with a problem line holding every fragment.
inline void expect_problem(const std::string& text, std::initializer_list<std::string> fragments,
                           const FakeEnvironment& env = {}) {
  const auto problems = problems_of(text, env);
  bool found = false;
  for (const auto& p : problems) found = found || contains_all(p, fragments);
  std::string wanted;
  for (const auto& f : fragments) wanted += " '" + f + "'";
  BOOST_TEST(found, "no problem mentions" << wanted << "; problems:" << joined(problems));
}

/// The same, and that problem is the only one.
inline void expect_only_problem(const std::string& text, std::initializer_list<std::string> fragments,
                                const FakeEnvironment& env = {}) {
  const auto problems = problems_of(text, env);
  BOOST_TEST(problems.size() == 1u, "expected one problem; got:" << joined(problems));
  if (!problems.empty()) {
    std::string wanted;
    for (const auto& f : fragments) wanted += " '" + f + "'";
    BOOST_TEST(contains_all(problems.front(), fragments), "'" << problems.front() << "' should mention" << wanted);
  }
}

/// `text` with its first `from` replaced by `to` (which must be there).
inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, "'" + from + "' is not in the text");
  return text.replace(at, from.size(), to);
}

}  // namespace grid::test

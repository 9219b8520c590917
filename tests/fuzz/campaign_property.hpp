#pragma once

// The property the campaign fuzzer (campaign_fuzz.cpp) and its deterministic replay
// (tests/broker/campaign_fuzz_replay_test.cpp) share: parse_campaign, given any text,
// lets only ConfigError escape, and keeps its promises:
//   - a ConfigError lists at least one problem, each one line starting with the file name;
//   - the line index reads the text as Program_options does (same entries, same order);
//   - a campaign that parses is consistent: users, requests and a duration, step indexes
//     in range, scenarios within 10,000 steps, feeds as wide as their columns, templates
//     that parse with no ${env.*} left.
// The environment and files are in memory (campaign_fuzz_environment).

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "broker/campaign.hpp"
#include "broker/campaign_ini.hpp"
#include "protocol/workload/template.hpp"

namespace grid::fuzz {

/// Thrown (by the property, never by the code under test) when a promise is broken.
struct CampaignPromiseBroken : std::logic_error {
  using std::logic_error::logic_error;
};

/// Fake files: a name with "missing" does not exist, *.csv a table (account,pin,tier), *.pem a
/// certificate, a name with "big" is over the size limit, anything else a body with a
/// variable. Environment: names starting with UNSET are unset, DOLLAR is "x$", BRACE is
/// "${a}", any other NAME is "v-NAME".
inline broker::CampaignEnvironment campaign_fuzz_environment() {
  broker::CampaignEnvironment env;
  env.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name.rfind("UNSET", 0) == 0) return std::nullopt;
    if (name == "DOLLAR") return std::string("x$");
    if (name == "BRACE") return std::string("${a}");
    return "v-" + name;
  };
  env.read_file = [](const std::string& path, size_t max) -> common::Result<std::string> {
    const auto ends_with = [&](std::string_view tail) {
      return path.size() >= tail.size() && path.compare(path.size() - tail.size(), tail.size(), tail) == 0;
    };
    if (path.find("missing") != std::string::npos) return common::Error{"no such file"};
    std::string content;
    if (ends_with(".csv")) {
      content = "account,pin,tier\nA1,1,gold\nB2,\"2,3\",silver\n";
    } else if (ends_with(".pem")) {
      content = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    } else if (path.find("big") != std::string::npos) {
      content.assign(max + 1, 'b');
    } else {
      content = "file ${user} " + path;
    }
    return content.substr(0, max + 1);
  };
  return env;
}

namespace detail {

inline void check_campaign_template(const std::string& text, const char* what) {
  const auto t = workload::parse_template(text);
  if (!t) throw CampaignPromiseBroken(std::string("a template that does not parse in ") + what + ": " + t.error());
  for (const auto& name : t.value().variables()) {
    if (name.rfind("env.", 0) == 0) throw CampaignPromiseBroken(std::string("${env.*} left in ") + what + ": " + text);
  }
}

inline void check_parsed_campaign(const broker::Campaign& c) {
  if (c.users < 1) throw CampaignPromiseBroken("a campaign with no users");
  if (c.requests.empty()) throw CampaignPromiseBroken("a campaign with no requests");
  if (c.duration.count() <= 0) throw CampaignPromiseBroken("a campaign with no duration");
  for (const auto& r : c.requests) {
    check_campaign_template(r.url, "a url");
    check_campaign_template(r.body, "a body");
    for (const auto& h : r.headers) check_campaign_template(h, "a header");
  }
  for (const auto& s : c.scenarios) {
    if (s.steps.size() > broker::kMaxScenarioSteps) throw CampaignPromiseBroken("a scenario over the step limit");
    for (const auto& step : s.steps) {
      if (step.kind == wire::StepKind::request && step.request >= c.requests.size()) {
        throw CampaignPromiseBroken("a step naming a request out of range");
      }
    }
  }
  for (const auto& feed : c.data) {
    for (const auto& row : feed.rows) {
      if (row.size() != feed.columns.size()) throw CampaignPromiseBroken("a feed row of another width: " + feed.name);
    }
  }
}

// The index must find what Program_options finds, in the same order, on every line.
inline void check_line_index(std::string_view text) {
  broker::Problems problems("fuzz.ini");
  std::vector<broker::IniSection> sections;
  const auto entries = broker::read_ini(text, problems, sections);
  const auto index = broker::index_ini(text);
  if (entries.size() != index.entries.size()) {
    throw CampaignPromiseBroken("the line index and Program_options disagree on the number of entries");
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i] != index.entries[i]) {
      throw CampaignPromiseBroken("the line index and Program_options disagree on entry " + index.entries[i].key);
    }
  }
}

}  // namespace detail

/// Runs the property on one input; throws CampaignPromiseBroken (or whatever the code
/// under test wrongly threw) when a promise is broken.
inline void check_campaign_text(const uint8_t* data, size_t size) {
  static const broker::CampaignEnvironment env = campaign_fuzz_environment();
  const std::string text(reinterpret_cast<const char*>(data), size);
  detail::check_line_index(text);
  try {
    std::istringstream in(text);
    detail::check_parsed_campaign(broker::parse_campaign(in, "fuzz.ini", env));
  } catch (const broker::ConfigError& e) {
    if (e.problems.empty()) throw CampaignPromiseBroken("a ConfigError without a problem");
    for (const auto& p : e.problems) {
      if (p.rfind("fuzz.ini", 0) != 0) throw CampaignPromiseBroken("a problem not naming the file: " + p);
      if (p.find('\n') != std::string::npos) throw CampaignPromiseBroken("a problem spanning lines: " + p);
    }
  }
}

}  // namespace grid::fuzz

// libFuzzer harness for the campaign INI parser (not part of the default build; see
// README.md). Arbitrary text goes to parse_campaign with an in-memory environment and
// files. Promises checked, else abort with a reason:
//   - only ConfigError escapes, and it lists at least one problem, each a single line
//     starting with the file name;
//   - the line index reads the text as Program_options does (same entries, same order);
//   - a campaign that parses is consistent: users, requests, step indexes in range,
//     scenarios within 10,000 steps, feeds as wide as their columns, templates that parse
//     with no ${env.*} left.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <string>
#include <string_view>

#include "broker/campaign.hpp"
#include "broker/campaign_ini.hpp"
#include "protocol/workload/template.hpp"

namespace {

using namespace grid;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "campaign_fuzz: %s: %s\n", what, detail.c_str());
  std::abort();
}

broker::CampaignEnvironment environment() {
  broker::CampaignEnvironment env;
  env.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name.rfind("UNSET", 0) == 0) return std::nullopt;
    if (name == "DOLLAR") return std::string("x$");
    if (name == "BRACE") return std::string("${a}");
    return "v-" + name;
  };
  env.read_file = [](const std::string& path, size_t max) -> common::Result<std::string> {
    if (path.find("missing") != std::string::npos) return common::Error{"no such file"};
    std::string content;
    if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0) {
      content = "id,name\n1,a\n2,\"b,c\"\n";
    } else if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".pem") == 0) {
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

void check_template(const std::string& text, const char* what) {
  const auto t = workload::parse_template(text);
  if (!t) fail("a parsed campaign holds a template that does not parse", std::string(what) + ": " + t.error());
  for (const auto& name : t.value().variables()) {
    if (name.rfind("env.", 0) == 0) fail("${env.*} left unresolved", std::string(what) + ": " + text);
  }
}

void check_campaign(const broker::Campaign& c) {
  if (c.users < 1) fail("no users", "");
  if (c.requests.empty()) fail("no requests", "");
  if (c.duration.count() <= 0) fail("no duration", "");
  for (const auto& r : c.requests) {
    check_template(r.url, "url");
    check_template(r.body, "body");
    for (const auto& h : r.headers) check_template(h, "header");
  }
  for (const auto& s : c.scenarios) {
    if (s.steps.size() > broker::kMaxScenarioSteps) fail("scenario too long", std::to_string(s.steps.size()));
    for (const auto& step : s.steps) {
      if (step.kind == wire::StepKind::request && step.request >= c.requests.size()) {
        fail("step names a request out of range", std::to_string(step.request));
      }
    }
  }
  for (const auto& feed : c.data) {
    for (const auto& row : feed.rows) {
      if (row.size() != feed.columns.size()) fail("feed row of another width", feed.name);
    }
  }
}

// The index must find what Program_options finds, in the same order, on every line it reads.
void check_index(std::string_view text) {
  broker::Problems problems("fuzz.ini");
  std::vector<broker::IniSection> sections;
  const auto entries = broker::read_ini(text, problems, sections);
  const auto index = broker::index_ini(text);
  if (entries.size() != index.entries.size()) {
    fail("index and Program_options disagree on the number of entries",
         std::to_string(entries.size()) + " vs " + std::to_string(index.entries.size()));
  }
  for (size_t i = 0; i < entries.size(); ++i) {
    if (entries[i] != index.entries[i]) fail("index and Program_options disagree on an entry", index.entries[i].key);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  static const broker::CampaignEnvironment env = environment();
  try {
    check_index(text);
    std::istringstream in(text);
    check_campaign(broker::parse_campaign(in, "fuzz.ini", env));
  } catch (const broker::ConfigError& e) {
    if (e.problems.empty()) fail("ConfigError without a problem", e.what());
    for (const auto& p : e.problems) {
      if (p.rfind("fuzz.ini", 0) != 0) fail("problem not naming the file", p);
      if (p.find('\n') != std::string::npos) fail("problem spanning lines", p);
    }
  } catch (const std::exception& e) {
    fail("threw something other than ConfigError", e.what());
  }
  return 0;
}

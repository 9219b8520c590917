// [data.NAME] feeds and [scenario.NAME] journeys (broker/campaign_parser.hpp).

#include <algorithm>

#include "broker/campaign_parser.hpp"
#include "protocol/common/units.hpp"
#include "protocol/workload/csv_table.hpp"
#include "protocol/workload/template.hpp"

namespace grid::broker::detail {
namespace {

constexpr uint64_t kMaxRepeat = 10'000;
constexpr auto kMaxThink = std::chrono::hours(1);

const std::vector<std::string> kStepWords = {"request", "think", "repeat", "end"};
const char* kStepsExpected = "expected request NAME, think 2s, think 1s..3s, think ~2s, repeat N or end";

// "2s", "1s..3s", "~2s" -> a think step, or the problem.
std::string parse_think(const std::string& text, wire::Step& step) {
  step.kind = wire::StepKind::think;
  const auto duration = [&](std::string_view part, uint32_t& out) -> std::string {
    const auto d = common::parse_duration(part);
    if (!d) return d.error();
    if (d.value() > kMaxThink) return "'" + std::string(trim(part)) + "' is longer than 1h (expected at most 1h)";
    out = static_cast<uint32_t>(d.value().count());
    return "";
  };
  if (text.empty()) return "think needs a time (expected think 2s, think 1s..3s or think ~2s)";
  if (text.front() == '~') {
    step.think = wire::ThinkKind::exponential;
    return duration(std::string_view(text).substr(1), step.min_ms);
  }
  if (const size_t dots = text.find(".."); dots != std::string::npos) {
    step.think = wire::ThinkKind::uniform;
    if (auto why = duration(std::string_view(text).substr(0, dots), step.min_ms); !why.empty()) return why;
    if (auto why = duration(std::string_view(text).substr(dots + 2), step.max_ms); !why.empty()) return why;
    if (step.min_ms > step.max_ms) return "'" + text + "' goes down (expected think LOW..HIGH with LOW <= HIGH)";
    return "";
  }
  step.think = wire::ThinkKind::fixed;
  return duration(text, step.min_ms);
}

}  // namespace

void CampaignParser::finish_data() {
  const auto& builtins = workload::builtin_variables();
  for (const SectionKeys& d : data_) {
    wire::DataFeed feed;
    feed.name = d.name;
    if (const auto* e = d.get("mode")) {
      if (e->value == "sequential") {
        feed.mode = wire::FeedMode::sequential;
      } else if (e->value == "random") {
        feed.mode = wire::FeedMode::random;
      } else if (e->value == "unique") {
        feed.mode = wire::FeedMode::unique;
      } else {
        const std::string hint = did_you_mean(e->value, {"sequential", "random", "unique"});
        problem(*e, "'" + e->value + "' is not a feed mode (expected sequential, random or unique" +
                        (hint.empty() ? "" : "; " + hint) + ")");
      }
    }
    const IniEntry* file = d.get("file");
    if (!file) {
      problem(d, "file", "missing (expected a CSV file with a header row, e.g. file = data/accounts.csv)");
    } else if (auto content = read_shipped_file(*file)) {
      auto table = workload::parse_csv(*content);
      if (!table) {
        problem(*file, file->value + ": " + table.error());
      } else {
        for (const auto& column : table.value().header) {
          if (!is_variable_name(column)) {
            problem(*file, file->value + ": column '" + column +
                               "' is not a variable name (expected letters, digits and '_', not starting with a "
                               "digit)");
          } else if (std::find(builtins.begin(), builtins.end(), column) != builtins.end()) {
            problem(*file, file->value + ": column '" + column + "' is a built-in variable (expected another name; " +
                               "built-ins: " + join(builtins) + ")");
          } else if (auto [it, inserted] = columns_.try_emplace(column, d.name); !inserted) {
            problem(*file, file->value + ": column '" + column + "' is also a column of [data." + it->second +
                               "] (expected names unique across all feeds)");
          }
        }
        if (table.value().rows.empty()) {
          problem(*file, file->value + ": no data rows (expected at least one row under the header)");
        }
        feed.columns = std::move(table.value().header);
        feed.rows = std::move(table.value().rows);
      }
    }
    c_.data.push_back(std::move(feed));
  }
}

void CampaignParser::finish_scenarios() {
  const std::vector<std::string> names = request_names();
  for (const SectionKeys& s : scenarios_) {
    wire::Scenario scenario;
    scenario.name = s.name;
    if (const auto* e = s.get("weight")) {
      const auto w = parse_number(e->value);
      if (!w || *w < 0 || *w > 1e6) {
        problem(*e, "'" + e->value + "' is not a weight (expected a number from 0 to 1e6; 0 turns it off)");
      } else {
        scenario.weight = *w;
      }
    }
    // Open repeat blocks; the bottom one is the scenario itself. Each block's steps stay
    // within kMaxScenarioSteps, so multiplying never overflows.
    struct Block {
      std::vector<wire::Step> steps;
      uint64_t count = 1;
      const IniEntry* opened = nullptr;
    };
    std::vector<Block> blocks(1);
    bool too_long = false, bad_step = false;
    const auto too_many = [&](const IniEntry& e) {
      problem(e, "the scenario grows beyond 10000 steps once repeats are unrolled (expected at most 10000)");
      too_long = true;
    };
    for (const auto& e : s.repeated) {
      if (too_long) break;
      const auto [word, rest] = [&] {
        const std::string_view v = trim(e.value);
        const size_t space = v.find_first_of(" \t");
        return std::pair<std::string, std::string>(
            std::string(v.substr(0, space)),
            space == std::string_view::npos ? "" : std::string(trim(v.substr(space + 1))));
      }();
      wire::Step step;
      if (word == "request") {
        if (auto index = request_index(rest)) {
          step.kind = wire::StepKind::request;
          step.request = *index;
        } else {
          const std::string hint = did_you_mean(rest, names);
          problem(e, "'" + rest + "' is not a request" + (hint.empty() ? "" : ", " + hint) +
                         " (expected the NAME of a [request.NAME] section: " + join(names) + ")");
          bad_step = true;
          continue;
        }
      } else if (word == "think") {
        if (auto why = parse_think(rest, step); !why.empty()) {
          problem(e, why);
          bad_step = true;
          continue;
        }
      } else if (word == "repeat") {
        const auto n = common::parse_count(rest);
        if (!n || n.value() < 1 || n.value() > kMaxRepeat) {
          problem(e, "'" + e.value + "' is not a repeat (expected repeat N with N from 1 to 10000, closed by end)");
          bad_step = true;
        }
        blocks.push_back({{}, n ? std::clamp<uint64_t>(n.value(), 1, kMaxRepeat) : 1, &e});
        continue;
      } else if (word == "end" && rest.empty()) {
        if (blocks.size() == 1) {
          problem(e, "end with no repeat open (expected repeat N before it)");
          bad_step = true;
          continue;
        }
        Block done = std::move(blocks.back());
        blocks.pop_back();
        auto& into = blocks.back().steps;
        if (into.size() + done.steps.size() * done.count > kMaxScenarioSteps) {
          too_many(e);
          continue;
        }
        for (uint64_t i = 0; i < done.count; ++i) into.insert(into.end(), done.steps.begin(), done.steps.end());
        continue;
      } else {
        const std::string hint = did_you_mean(word, kStepWords);
        problem(e, "'" + e.value + "' is not a step" + (hint.empty() ? "" : ", " + hint) + " (" + kStepsExpected + ")");
        bad_step = true;
        continue;
      }
      if (blocks.back().steps.size() + 1 > kMaxScenarioSteps) {
        too_many(e);
        continue;
      }
      blocks.back().steps.push_back(step);
    }
    if (!too_long) {
      for (size_t b = 1; b < blocks.size(); ++b) {
        problem(*blocks[b].opened, "repeat without end (expected step = end to close it)");
      }
    }
    scenario.steps = std::move(blocks.front().steps);
    const bool has_request = std::any_of(scenario.steps.begin(), scenario.steps.end(),
                                         [](const wire::Step& st) { return st.kind == wire::StepKind::request; });
    if (!has_request && !bad_step && !too_long && blocks.size() == 1) {
      problem(s, "step", "no request step (expected at least one step = request NAME)");
    }
    c_.scenarios.push_back(std::move(scenario));
  }
  if (!c_.scenarios.empty() &&
      std::none_of(c_.scenarios.begin(), c_.scenarios.end(), [](const wire::Scenario& sc) { return sc.weight > 0; })) {
    problems_.add(scenarios_.front().line, scenarios_.front().section, "weight",
                  "every scenario has weight 0 (expected at least one above 0)");
  }
  if (!scenarios_.empty()) {
    if (const auto load = fixed_.find("load"); load != fixed_.end()) {
      if (const auto* e = load->second.get("think_time")) {
        problem(*e,
                "does not apply with [scenario.NAME] sections (expected step = think ... in the scenario; "
                "use step = think 2s, think 1s..3s or think ~2s)");
      }
    }
  }
}

}  // namespace grid::broker::detail

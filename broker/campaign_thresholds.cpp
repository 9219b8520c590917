// The [thresholds] section (broker/campaign_parser.hpp).

#include <algorithm>
#include <charconv>
#include <cmath>

#include "broker/campaign_parser.hpp"
#include "protocol/common/units.hpp"

namespace grid::broker::detail {
namespace {

const std::vector<std::string> kLatencyMetrics = {"p50", "p75", "p90", "p95", "p99", "p99.9", "max", "mean"};
const std::vector<std::string> kCountMetrics = {"requests", "failures", "dropped_iterations"};
const std::vector<std::string> kMetrics = {"p50",
                                           "p75",
                                           "p90",
                                           "p95",
                                           "p99",
                                           "p99.9",
                                           "max",
                                           "mean",
                                           "rps",
                                           "requests",
                                           "failures",
                                           "error_rate",
                                           "dropped_iterations"};
const std::vector<std::string> kOperators = {"<=", ">=", "==", "<", ">"};  // two-character ones first

bool is_one_of(const std::string& s, const std::vector<std::string>& list) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// "< 500ms" for `metric` -> op and value in the metric's unit, or the problem.
std::string parse_condition(const std::string& metric, const std::string& text, std::string& op, double& value) {
  const std::string_view s = trim(text);
  op.clear();
  for (const auto& candidate : kOperators) {
    if (s.rfind(candidate, 0) == 0) {
      op = candidate;
      break;
    }
  }
  if (op.empty()) {
    return "'" + text + "' has no operator (expected OP VALUE with OP one of <, <=, >, >=, ==, e.g. < 500ms)";
  }
  const std::string_view rest = trim(s.substr(op.size()));
  double number = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
  const std::string_view unit = trim(rest.substr(static_cast<size_t>(end - rest.data())));
  const bool parsed = ec == std::errc() && end != rest.data() && std::isfinite(number) && number >= 0;
  if (is_one_of(metric, kLatencyMetrics)) {
    if (parsed && (unit == "ms" || unit == "s")) {
      value = unit == "s" ? number * 1000 : number;
      return "";
    }
    return "'" + text + "' is not a latency condition (expected OP TIME with a unit ms or s, e.g. < 500ms or < 1.5s)";
  }
  if (metric == "error_rate") {
    const double fraction = unit == "%" ? number / 100 : number;
    if (parsed && (unit.empty() || unit == "%") && fraction <= 1) {
      value = fraction;
      return "";
    }
    return "'" + text +
           "' is not an error-rate condition (expected a percentage or a fraction from 0 to 1, e.g. < 1% " +
           "or < 0.01)";
  }
  if (metric == "rps") {
    if (parsed && unit.empty()) {
      value = number;
      return "";
    }
    return "'" + text + "' is not a rate condition (expected requests per second, e.g. > 1000)";
  }
  if (parsed && unit.empty() && std::floor(number) == number) {
    value = number;
    return "";
  }
  return "'" + text + "' is not a count condition (expected a whole number, e.g. < 10)";
}

}  // namespace

void CampaignParser::finish_thresholds() {
  const auto it = fixed_.find("thresholds");
  if (it == fixed_.end()) return;
  const SectionKeys& s = it->second;
  std::vector<const IniEntry*> entries;
  for (const auto& [key, e] : s.single) entries.push_back(&e);
  std::stable_sort(entries.begin(), entries.end(),
                   [](const IniEntry* a, const IniEntry* b) { return a->line < b->line; });
  const std::vector<std::string> names = request_names();
  bool any_threshold = false;
  for (const IniEntry* e : entries) {
    if (e->key == "abort_on_fail") {
      if (auto v = parse_bool(e->value)) {
        c_.abort_on_fail = *v;
      } else {
        problem(*e, "'" + e->value + "' is not a boolean (expected true or false)");
      }
      continue;
    }
    if (e->key == "abort_grace") {
      const auto v = common::parse_duration(e->value);
      if (v) {
        c_.abort_grace = v.value();
      } else {
        problem(*e, v.error());
      }
      continue;
    }
    any_threshold = true;
    ThresholdSpec t;
    t.key = e->key;
    t.metric = e->key;
    if (e->key.rfind("request.", 0) == 0) {
      const std::string rest = e->key.substr(8);
      t.metric.clear();
      for (const auto& m : kMetrics) {  // no metric is ".X" away from another, so one matches at most
        if (rest.size() > m.size() + 1 && rest.compare(rest.size() - m.size(), m.size(), m) == 0 &&
            rest[rest.size() - m.size() - 1] == '.') {
          t.metric = m;
          t.request = rest.substr(0, rest.size() - m.size() - 1);
          break;
        }
      }
      if (t.metric.empty()) {
        // Name the part that is wrong: a known request with an unknown metric, or neither.
        std::string metric;
        for (const auto& n : names) {
          if (rest.size() > n.size() + 1 && rest.compare(0, n.size() + 1, n + ".") == 0)
            metric = rest.substr(n.size() + 1);
        }
        const std::string hint = metric.empty() ? "" : did_you_mean(metric, kMetrics);
        problem(*e, (metric.empty() ? "unknown threshold" : "unknown metric '" + metric + "'") +
                        (hint.empty() ? "" : ", " + hint) +
                        " (expected request.NAME.METRIC with METRIC one of: " + join(kMetrics) + ")");
        continue;
      }
      if (!request_index(t.request)) {
        const std::string hint = did_you_mean(t.request, names);
        problem(*e, "'" + t.request + "' is not a request" + (hint.empty() ? "" : ", " + hint) +
                        " (expected the NAME of a [request.NAME] section: " + join(names) + ")");
        continue;
      }
    } else if (!is_one_of(e->key, kMetrics)) {
      std::vector<std::string> keys = kMetrics;
      keys.push_back("abort_on_fail");
      keys.push_back("abort_grace");
      const std::string hint = did_you_mean(e->key, keys);
      problem(*e, "unknown key" + (hint.empty() ? "" : ", " + hint) + " (expected a metric (" + join(kMetrics) +
                      "), request.NAME.METRIC, abort_on_fail or abort_grace)");
      continue;
    }
    if (auto why = parse_condition(t.metric, e->value, t.op, t.value); !why.empty()) {
      problem(*e, why);
      continue;
    }
    t.condition = std::string(trim(e->value));
    c_.thresholds.push_back(std::move(t));
  }
  if (c_.abort_on_fail && !any_threshold) {
    problem(*s.get("abort_on_fail"), "there is no threshold to fail (expected at least one, e.g. p99 = < 500ms)");
  }
}

}  // namespace grid::broker::detail

#include "broker/campaign.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

#include "broker/campaign_parser.hpp"
#include "protocol/common/safe_name.hpp"
#include "protocol/common/units.hpp"

namespace grid::broker {
namespace detail {
namespace {

const std::vector<std::string> kCampaignKeys = {"name", "duration", "interval", "results"};
const std::vector<std::string> kLoadKeys = {"model",  "users", "spawn_rate", "think_time",
                                            "stages", "rate",  "max_users",  "connections"};
const std::vector<std::string> kRequestKeys = {"method",        "url",     "headers",  "body", "body_file",
                                               "timeout",       "check",   "extract",  "http", "tls_verify",
                                               "expect_status", "ca_file", "transport"};
const std::vector<std::string> kScenarioKeys = {"weight", "step"};
const std::vector<std::string> kDataKeys = {"file", "mode"};
const std::vector<std::string> kRepeatable = {"headers", "check", "extract", "step"};
const std::vector<std::string> kFixedSections = {"campaign", "load", "regions", "thresholds"};
const std::vector<std::string> kNamedSections = {"request", "scenario", "data"};
constexpr const char* kSectionsExpected =
    "expected [campaign], [load], [regions], [thresholds], [request.NAME], [scenario.NAME] or [data.NAME]";

constexpr uint64_t kMaxUsers = 10'000'000;
constexpr double kMaxRate = 1e7;  // users/s (spawn) and iterations/s (open model)
constexpr size_t kMaxStages = 1000;

const std::vector<std::string>* known_keys(const std::string& kind) {
  if (kind == "campaign") return &kCampaignKeys;
  if (kind == "load") return &kLoadKeys;
  if (kind == "request") return &kRequestKeys;
  if (kind == "scenario") return &kScenarioKeys;
  if (kind == "data") return &kDataKeys;
  return nullptr;  // thresholds: any metric key, checked later
}

// "request.home" -> "request"; "campaign" -> "campaign".
std::string kind_of(const std::string& section) { return section.substr(0, section.find('.')); }

}  // namespace

// --- the parser ----------------------------------------------------------------------

CampaignParser::CampaignParser(const std::string& source, const CampaignEnvironment& env)
    : source_(source), base_dir_(std::filesystem::path(source).parent_path()), env_(env), problems_(source) {
  c_.source = source;
}

Campaign CampaignParser::parse(std::string_view text) {
  std::vector<IniSection> sections;
  const std::vector<IniEntry> entries = read_ini(text, problems_, sections);
  collect(entries, sections);
  finish_load();
  finish_campaign();
  finish_regions();
  finish_data();
  finish_requests();
  finish_variables();
  finish_scenarios();
  finish_thresholds();
  problems_.throw_if_any();
  return std::move(c_);
}

void CampaignParser::problem(const IniEntry& e, const std::string& what) {
  problems_.add(e.line, e.section, e.key, what);
}

void CampaignParser::problem(const SectionKeys& s, const std::string& key, const std::string& what) {
  problems_.add(s.line, s.section, key, what);
}

SectionKeys* CampaignParser::section_for(const std::string& section, size_t line) {
  const std::string kind = kind_of(section);
  const bool named = std::find(kNamedSections.begin(), kNamedSections.end(), kind) != kNamedSections.end() &&
                     section.size() > kind.size();
  if (!named) {
    if (section == "regions") return nullptr;  // free keys: handled by collect
    if (std::find(kFixedSections.begin(), kFixedSections.end(), section) != kFixedSections.end()) {
      auto [it, inserted] = fixed_.try_emplace(section);
      if (inserted) {
        it->second.section = section;
        it->second.line = line;
      }
      return &it->second;
    }
    if (!unknown_sections_.insert(section).second) return nullptr;  // reported once
    if (std::find(kNamedSections.begin(), kNamedSections.end(), section) != kNamedSections.end()) {
      problems_.add(line, section, "", "needs a name (expected [" + section + ".NAME], e.g. [" + section + ".home])");
      return nullptr;
    }
    // Suggest from the section kind: [requst.home] -> [request.home].
    std::string hint = did_you_mean(section, kFixedSections);
    if (hint.empty() && section.find('.') != std::string::npos) {
      const std::string close = did_you_mean(kind, kNamedSections);
      if (!close.empty()) {
        const std::string name = close.substr(close.find('\'') + 1, close.rfind('\'') - close.find('\'') - 1);
        hint = "did you mean '[" + name + section.substr(kind.size()) + "]'?";
      }
    } else if (!hint.empty()) {
      hint.replace(hint.find('\'') + 1, 0, "[");
      hint.replace(hint.rfind('\''), 0, "]");
    }
    problems_.add(line, section, "",
                  "unknown section" + (hint.empty() ? "" : ", " + hint) + " (" + kSectionsExpected + ")");
    return nullptr;
  }
  auto& list = kind == "request" ? requests_ : kind == "scenario" ? scenarios_ : data_;
  if (const auto it = named_index_.find(section); it != named_index_.end()) return &list[it->second];
  named_index_.emplace(section, list.size());
  SectionKeys s;
  s.section = section;
  s.name = section.substr(kind.size() + 1);
  s.line = line;
  if (!is_section_name(s.name)) {
    problems_.add(
        line, section, "",
        "'" + s.name + "' is not a name (expected letters, digits, '_', '-' or '.', e.g. [" + kind + ".home])");
  }
  list.push_back(std::move(s));
  return &list.back();
}

void CampaignParser::collect(const std::vector<IniEntry>& entries, const std::vector<IniSection>& sections) {
  // Headers first, so that sections keep file order even without keys.
  for (const auto& h : sections) section_for(h.name, h.line);
  std::map<std::string, size_t> region_lines;
  for (const auto& e : entries) {
    if (e.section.empty()) {
      problem(e, "outside any section (expected it under a header such as [campaign], [load] or [request.NAME])");
      continue;
    }
    if (e.key.empty()) {
      problem(e, "a line with no key before '=' (expected key = value)");
      continue;
    }
    if (e.section == "regions") {
      if (auto [it, inserted] = region_lines.try_emplace(e.key, e.line); !inserted) {
        problem(e, "given twice (first on line " + std::to_string(it->second) + ")");
      } else {
        regions_.push_back(e);
      }
      continue;
    }
    SectionKeys* s = section_for(e.section, e.line);
    if (!s) continue;  // unknown section, reported once
    const std::string kind = kind_of(e.section);
    if (const auto* known = known_keys(kind); known && std::find(known->begin(), known->end(), e.key) == known->end()) {
      const std::string hint = did_you_mean(e.key, *known);
      problem(e, "unknown key" + (hint.empty() ? "" : ", " + hint) + " (expected one of: " + join(*known) + ")");
      continue;
    }
    if (kind != "thresholds" && std::find(kRepeatable.begin(), kRepeatable.end(), e.key) != kRepeatable.end()) {
      s->repeated.push_back(e);
    } else if (auto [it, inserted] = s->single.try_emplace(e.key, e); !inserted) {
      problem(e, "given twice (first on line " + std::to_string(it->second.line) +
                     "; only headers, check, extract and step may repeat)");
    }
  }
}

// --- [load] --------------------------------------------------------------------------

namespace {

// "30s:100, 5m:100, 30s:0" -> stages. Targets are whole user counts (closed) or rates (open).
std::optional<std::vector<wire::Stage>> parse_stages(const std::string& text, bool whole_targets, std::string& error) {
  std::vector<wire::Stage> stages;
  const std::string expected = whole_targets ? " (expected DURATION:USERS, ..., e.g. 30s:100, 5m:100, 30s:0)"
                                             : " (expected DURATION:RATE, ..., e.g. 30s:50, 5m:50, 30s:0)";
  for (const auto& piece : split(text, ',')) {
    const auto colon = piece.find(':');
    if (colon == std::string::npos) {
      error = "'" + piece + "' is not a stage" + expected;
      return std::nullopt;
    }
    const auto duration = common::parse_duration(piece.substr(0, colon));
    if (!duration) {
      error = "stage '" + piece + "': " + duration.error();
      return std::nullopt;
    }
    const auto target = parse_number(piece.substr(colon + 1));
    const double max = whole_targets ? static_cast<double>(kMaxUsers) : kMaxRate;
    if (!target || *target < 0 || *target > max || (whole_targets && std::floor(*target) != *target)) {
      error = "stage '" + piece + "': '" + std::string(trim(piece.substr(colon + 1))) + "' is not a target" +
              (whole_targets ? " (expected a whole number of users, 0 to 10000000)"
                             : " (expected iterations per second, 0 to 1e7)");
      return std::nullopt;
    }
    stages.push_back({static_cast<uint64_t>(duration.value().count()), *target});
  }
  if (stages.size() > kMaxStages) {
    error = std::to_string(stages.size()) + " stages (expected at most 1000)";
    return std::nullopt;
  }
  return stages;
}

}  // namespace

void CampaignParser::finish_load() {
  const auto it = fixed_.find("load");
  if (it == fixed_.end()) {
    problems_.add(0, "load", "", "missing section (expected [load] with users = N, or model = open with rate)");
    return;
  }
  const SectionKeys& s = it->second;
  std::optional<bool> open;  // unknown while the model is bad
  if (const auto* e = s.get("model")) {
    if (e->value == "closed" || e->value == "open") {
      open = e->value == "open";
      c_.model = *open ? wire::LoadModel::open : wire::LoadModel::closed;
    } else {
      const std::string hint = did_you_mean(e->value, {"closed", "open"});
      problem(*e, "'" + e->value + "' is not a load model (expected closed or open" +
                      (hint.empty() ? "" : "; " + hint) + ")");
    }
  } else {
    open = false;
  }

  const auto count = [&](const IniEntry& e) -> std::optional<uint32_t> {
    const auto v = common::parse_count(e.value);
    if (!v) {
      problem(e, v.error());
    } else if (v.value() < 1 || v.value() > kMaxUsers) {
      problem(e, std::to_string(v.value()) + " is out of range (expected 1 to 10000000)");
    } else {
      return static_cast<uint32_t>(v.value());
    }
    return std::nullopt;
  };
  const auto rate = [&](const IniEntry& e, double min_exclusive, const std::string& what) -> std::optional<double> {
    const auto v = parse_number(e.value);
    if (v && *v >= 0 && *v > min_exclusive && *v <= kMaxRate) return v;
    problem(e, "'" + e.value + "' is not " + what);
    return std::nullopt;
  };

  const IniEntry* users = s.get("users");
  const IniEntry* spawn = s.get("spawn_rate");
  const IniEntry* stages = s.get("stages");
  const IniEntry* rate_key = s.get("rate");
  const IniEntry* max_users = s.get("max_users");

  if (users) {
    if (auto v = count(*users)) c_.users = *v;
  }
  if (spawn) {
    if (auto v = rate(*spawn, -1, "a rate (expected a number of users per second, 0 to 1e7; 0 starts all at once)")) {
      c_.spawn_rate = *v;
    }
  }
  if (rate_key) {
    if (auto v = rate(*rate_key, 0, "a rate (expected iterations per second, more than 0 and at most 1e7)")) {
      c_.rate = *v;
    }
  }
  if (max_users) {
    if (auto v = count(*max_users)) c_.users = *v;
  }
  if (stages && open) {
    std::string error;
    if (auto parsed = parse_stages(stages->value, !*open, error)) {
      c_.stages = std::move(*parsed);
      double peak = 0;
      uint64_t total_ms = 0;
      for (const auto& st : c_.stages) {
        peak = std::max(peak, st.target);
        total_ms += st.duration_ms;
      }
      if (peak <= 0) {
        problem(*stages, "every target is 0 (expected at least one stage with a target above 0)");
      } else if (total_ms == 0) {
        problem(*stages, "the stages last 0s in all (expected at least one stage longer than 0s)");
      } else if (*open) {
        c_.rate = peak;
      } else {
        c_.users = static_cast<uint32_t>(peak);
      }
    } else {
      problem(*stages, error);
    }
  }
  if (const auto* e = s.get("think_time")) {
    const auto v = common::parse_duration(e->value);
    if (!v) {
      problem(*e, v.error());
    } else if (v.value() > std::chrono::hours(1)) {
      problem(*e, "'" + e->value + "' is out of range (expected 0s to 1h)");
    } else {
      c_.think_time = v.value();
    }
  }
  if (const auto* e = s.get("connections")) {
    if (e->value == "per_user") {
      c_.connections = wire::ConnectionReuse::per_user;
    } else if (e->value == "per_iteration") {
      c_.connections = wire::ConnectionReuse::per_iteration;
    } else {
      const std::string hint = did_you_mean(e->value, {"per_user", "per_iteration"});
      problem(*e, "'" + e->value + "' is not a connection reuse (expected per_user or per_iteration" +
                      (hint.empty() ? "" : "; " + hint) + ")");
    }
  }

  if (!open) return;  // which keys belong is unknown with a bad model
  if (!*open) {
    for (const auto* e : {rate_key, max_users}) {
      if (e) problem(*e, "belongs to the open model (model = open); the closed model takes users or stages");
    }
    if (users && stages) {
      problem(*stages, "users and stages exclude each other (expected users for a fixed count, or stages to ramp)");
    } else if (!users && !stages) {
      problem(s, "users", "missing (expected e.g. users = 50, or stages = 30s:100, 5m:100, 30s:0)");
    }
  } else {
    for (const auto* e : {users, spawn}) {
      if (e) {
        problem(*e, "belongs to the closed model (model = closed); the open model takes rate or stages, and max_users");
      }
    }
    if (rate_key && stages) {
      problem(*stages, "rate and stages exclude each other (expected rate for a fixed rate, or stages to ramp)");
    } else if (!rate_key && !stages) {
      problem(s, "rate", "missing (expected e.g. rate = 100 iterations per second, or stages = 30s:100, 5m:100)");
    }
    if (!max_users) problem(s, "max_users", "missing (expected the cap on concurrent users, e.g. max_users = 500)");
  }
}

// --- [campaign] and [regions] ----------------------------------------------------------

void CampaignParser::finish_campaign() {
  const auto it = fixed_.find("campaign");
  if (it == fixed_.end()) {
    problems_.add(0, "campaign", "", "missing section (expected [campaign] with name and duration)");
    return;
  }
  const SectionKeys& s = it->second;
  if (const auto* e = s.get("name")) {
    if (e->value.empty()) {
      problem(*e, "empty (expected a name for reports, e.g. name = checkout)");
    } else if (const auto why = common::safe_name_problem(e->value); !why.empty()) {
      problem(*e, why);  // the default results directory is results/NAME-TIME
    }
    c_.name = e->value;
  } else {
    problem(s, "name", "missing (expected e.g. name = checkout)");
  }
  const auto load = fixed_.find("load");
  const bool has_stages = load != fixed_.end() && load->second.get("stages") != nullptr;
  uint64_t staged_ms = 0;
  for (const auto& st : c_.stages) staged_ms += st.duration_ms;
  if (const auto* e = s.get("duration")) {
    const auto v = common::parse_duration(e->value);
    if (!v) {
      problem(*e, v.error());
    } else if (v.value().count() <= 0) {
      problem(*e, "'" + e->value + "' is not longer than 0 (expected e.g. 30s)");
    } else {
      c_.duration = v.value();  // with stages too: it wins (cut, or the last target holds)
    }
  } else if (staged_ms > 0) {
    c_.duration = std::chrono::milliseconds(staged_ms);
  } else if (!has_stages) {  // bad stages are reported as such
    problem(s, "duration", "missing (expected e.g. duration = 30s; with [load] stages it defaults to their sum)");
  }
  if (const auto* e = s.get("interval")) {
    const auto v = common::parse_duration(e->value);
    if (!v) {
      problem(*e, v.error());
    } else if (v.value() < std::chrono::milliseconds(100) || v.value() > std::chrono::hours(1)) {
      problem(*e, "'" + e->value + "' is out of range (expected 100ms to 1h)");
    } else {
      c_.interval = v.value();
    }
  }
  if (const auto* e = s.get("results")) c_.results_dir = e->value;
}

void CampaignParser::finish_regions() {
  for (const auto& e : regions_) {
    const auto weight = parse_number(e.value);
    if (!weight || *weight < 0 || *weight > 1e6) {
      problem(e, "'" + e.value + "' is not a region weight (expected a number from 0 to 1e6, e.g. 3)");
      continue;
    }
    if (const auto why = common::safe_name_problem(e.key); !why.empty()) {
      problem(e, "region " + why);
      continue;
    }
    c_.regions[e.key] = *weight;
  }
  if (!c_.regions.empty() &&
      std::all_of(c_.regions.begin(), c_.regions.end(), [](const auto& r) { return r.second == 0; })) {
    problems_.add(regions_.front().line, "regions", "", "every weight is 0 (expected at least one region above 0)");
  }
}

// --- shared helpers --------------------------------------------------------------------

std::optional<std::string> CampaignParser::getenv(const std::string& name) const {
  if (env_.getenv) return env_.getenv(name);
  if (const char* v = std::getenv(name.c_str())) return std::string(v);
  return std::nullopt;
}

std::optional<std::string> CampaignParser::read_shipped_file(const IniEntry& e) {
  if (e.value.empty()) {
    problem(e, "empty (expected a file name, relative to the campaign file's directory or absolute)");
    return std::nullopt;
  }
  std::filesystem::path path(e.value);
  if (path.is_relative() && !base_dir_.empty()) path = base_dir_ / path;
  common::Result<std::string> content = std::string();
  if (env_.read_file) {
    content = env_.read_file(path.string(), kMaxShippedBytes);
  } else {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      content = common::Error{ec || !std::filesystem::exists(path, ec) ? "no such file" : "not a regular file"};
    } else if (std::ifstream in(path, std::ios::binary); !in) {
      content = common::Error{"cannot be opened"};
    } else {
      std::string data(kMaxShippedBytes + 1, '\0');
      in.read(data.data(), static_cast<std::streamsize>(data.size()));
      data.resize(static_cast<size_t>(in.gcount()));
      content = std::move(data);
    }
  }
  if (!content) {
    problem(e, path.string() + ": " + content.error() + " (expected a readable file, relative to the campaign file's " +
                   "directory or absolute)");
    return std::nullopt;
  }
  const size_t size = content.value().size();
  const std::string limit =
      "the limit is 1 MiB (1048576 bytes) for data files, body_file and ca_file together, "
      "since the plan ships them to every node";
  if (size > kMaxShippedBytes) {
    problem(e, path.string() + ": larger than 1 MiB (" + limit + ")");
    over_budget_reported_ = true;
    return std::nullopt;
  }
  shipped_bytes_ += size;
  if (shipped_bytes_ > kMaxShippedBytes && !over_budget_reported_) {
    over_budget_reported_ = true;
    problem(e, path.string() + ": brings the files shipped to " + std::to_string(shipped_bytes_) + " bytes (" + limit +
                   ")");
  }
  return std::move(content).value();
}

std::vector<std::string> CampaignParser::request_names() const {
  std::vector<std::string> names;
  for (const auto& r : requests_) names.push_back(r.name);
  return names;
}

std::optional<uint32_t> CampaignParser::request_index(const std::string& name) const {
  const auto it = named_index_.find("request." + name);
  if (it == named_index_.end()) return std::nullopt;
  return static_cast<uint32_t>(it->second);
}

}  // namespace detail

wire::StatusRange parse_status_range(const std::string& text, const std::string& at) {
  auto code = [&](const std::string& part) -> uint16_t {
    const auto r = common::parse_count(part);
    if (!r || r.value() < 100 || r.value() > 599) {
      throw ConfigError(at + ": '" + text + "' is not a status or range (expected e.g. 200 or 200-299)");
    }
    return static_cast<uint16_t>(r.value());
  };
  const auto dash = text.find('-');
  wire::StatusRange range;
  if (dash == std::string::npos) {
    range.low = range.high = code(text);
  } else {
    range.low = code(text.substr(0, dash));
    range.high = code(text.substr(dash + 1));
    if (range.low > range.high) throw ConfigError(at + ": range '" + text + "' is empty");
  }
  return range;
}

Campaign parse_campaign(std::istream& ini, const std::string& source, const CampaignEnvironment& env) {
  const std::string text(std::istreambuf_iterator<char>(ini), {});
  if (ini.bad()) throw ConfigError(source + ": cannot read the campaign file");
  return detail::CampaignParser(source, env).parse(text);
}

Campaign load_campaign(const std::string& path, const CampaignEnvironment& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the campaign file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read the campaign file");
  std::istringstream ini(text.str());
  Campaign c = parse_campaign(ini, path, env);
  c.text = std::move(text).str();
  return c;
}

}  // namespace grid::broker

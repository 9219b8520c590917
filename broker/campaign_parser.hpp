#pragma once

// Internals of parse_campaign (broker/campaign.hpp), shared by its source files:
//   campaign.cpp            the pass over the file, [campaign], [load], [regions]
//   campaign_requests.cpp   [request.NAME], files, variables and ${env.NAME}
//   campaign_journeys.cpp   [scenario.NAME] and [data.NAME]
//   campaign_thresholds.cpp [thresholds]
//   campaign_values.cpp     the small value parsers declared at the end
// Not for use outside these files.

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/campaign.hpp"
#include "broker/campaign_ini.hpp"
#include "broker/campaign_problems.hpp"

namespace grid::broker::detail {

/// The keys of one section as given: single-valued keys by name, repeatable ones in file
/// order. Interpreted once the whole file has been read, since keys depend on each other
/// (model and users, requests named before their section, columns of data feeds).
struct SectionKeys {
  std::string section;  // as written, e.g. "request.home"
  std::string name;     // after the dot for named sections ("home")
  size_t line = 0;      // the first header of the section
  std::map<std::string, IniEntry> single;
  std::vector<IniEntry> repeated;  // headers, check, extract, step: in file order

  const IniEntry* get(const std::string& key) const {
    const auto it = single.find(key);
    return it == single.end() ? nullptr : &it->second;
  }
};

/// Builds a Campaign from the entries of one file, collecting every problem.
class CampaignParser {
public:
  CampaignParser(const std::string& source, const CampaignEnvironment& env);
  /// Throws ConfigError with every problem found.
  Campaign parse(std::string_view text);

private:
  // The first pass: sort entries into sections, catching unknown and repeated keys.
  void collect(const std::vector<IniEntry>& entries, const std::vector<IniSection>& sections);
  SectionKeys* section_for(const std::string& section, size_t line);

  // The second pass, in this order (later parts use what earlier ones found).
  void finish_campaign();
  void finish_load();
  void finish_regions();
  void finish_data();
  void finish_requests();   // keys, files, checks, extracts
  void finish_variables();  // ${...} in url, headers, body; ${env.NAME} resolved
  void finish_scenarios();
  void finish_thresholds();

  // Helpers.
  void problem(const IniEntry& e, const std::string& what);
  void problem(const SectionKeys& s, const std::string& key, const std::string& what);
  /// Reads a file a campaign ships (body_file, ca_file, data file) named by `e`, relative
  /// to the campaign's directory, and counts it against kMaxShippedBytes.
  std::optional<std::string> read_shipped_file(const IniEntry& e);
  std::optional<std::string> getenv(const std::string& name) const;
  std::vector<std::string> request_names() const;
  std::optional<uint32_t> request_index(const std::string& name) const;

  std::string source_;
  std::filesystem::path base_dir_;
  CampaignEnvironment env_;
  Problems problems_;
  Campaign c_;

  // Sections found, by kind. Named ones keep file order (first header or first key).
  std::map<std::string, SectionKeys> fixed_;  // campaign, load, thresholds
  std::vector<SectionKeys> requests_, scenarios_, data_;
  std::map<std::string, size_t> named_index_;  // "request.home" -> its index in requests_ (and so on)
  std::vector<IniEntry> regions_;
  std::set<std::string> unknown_sections_;  // reported once each

  size_t shipped_bytes_ = 0;
  bool over_budget_reported_ = false;
  // Variables a template may use besides built-ins and env.NAME: data columns (with their
  // feed), variables some request extracts.
  std::map<std::string, std::string> columns_;  // column -> feed name
  std::set<std::string> extracted_;
};

// Small parsers shared by the files above.

/// Trims ASCII whitespace.
std::string_view trim(std::string_view s);
/// Splits at `sep`, trimming each piece (an empty text gives one empty piece).
std::vector<std::string> split(std::string_view text, char sep);
/// A finite number written in full ("1.5", "1e3"); nullopt otherwise.
std::optional<double> parse_number(std::string_view text);
/// True for [A-Za-z_][A-Za-z0-9_]*.
bool is_variable_name(std::string_view s);
/// True for the names of request, scenario and data sections: letters, digits, '_', '-', '.'.
bool is_section_name(std::string_view s);
/// `true` or `false`; nullopt otherwise.
std::optional<bool> parse_bool(std::string_view text);
/// Joins with ", ".
std::string join(const std::vector<std::string>& items);
/// Checks an ECMAScript regex for std::regex: compiles it, after bounding its size (the
/// library's compiler copies a counted repeat's states, so "(a{1000}){1000}" would take
/// gigabytes). Returns the problem, or an empty string when it is usable.
std::string check_regex(const std::string& pattern);

}  // namespace grid::broker::detail

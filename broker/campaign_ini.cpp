#include "broker/campaign_ini.hpp"

#include <sstream>

#include <boost/program_options.hpp>

namespace po = boost::program_options;

namespace grid::broker {
namespace {

// Program_options trims exactly these (not \v or \f).
constexpr std::string_view kSpace = " \t\r\n";

std::string_view trim(std::string_view s) {
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

}  // namespace

IniIndex index_ini(std::string_view text) {
  IniIndex index;
  std::string section;
  size_t line = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++line;
    std::string_view s = text.substr(start, end - start);
    start = end + 1;
    if (const size_t hash = s.find('#'); hash != std::string_view::npos) s = s.substr(0, hash);
    s = trim(s);
    if (s.empty()) continue;
    if (s.front() == '[' && s.back() == ']' && s.size() >= 2) {
      if (s.size() == 2) {  // "[]": Program_options would read past an empty name
        index.refused.emplace_back(line, std::string(s));
        continue;
      }
      section = std::string(s.substr(1, s.size() - 2));
      index.sections.push_back({line, section});
    } else if (const size_t eq = s.find('='); eq != std::string_view::npos) {
      index.entries.push_back({line, section, std::string(trim(s.substr(0, eq))), std::string(trim(s.substr(eq + 1)))});
    } else {
      index.refused.emplace_back(line, std::string(s));
    }
  }
  return index;
}

std::vector<IniEntry> read_ini(std::string_view text, Problems& problems, std::vector<IniSection>& sections) {
  IniIndex index = index_ini(text);
  sections = index.sections;
  // Blank the refused lines so that Program_options reads all the rest.
  std::string readable(text);
  for (const auto& [line, shown] : index.refused) {
    problems.add(line, "", "",
                 "'" + shown +
                     "' is neither a [section] header nor a key = value line (expected e.g. [load] or "
                     "users = 50; '#' starts a comment)");
  }
  if (!index.refused.empty()) {
    std::string cleaned;
    size_t line = 0, start = 0, r = 0;
    while (start <= readable.size()) {
      size_t end = readable.find('\n', start);
      if (end == std::string::npos) end = readable.size();
      ++line;
      if (r < index.refused.size() && index.refused[r].first == line) {
        ++r;
      } else {
        cleaned.append(readable, start, end - start);
      }
      if (end < readable.size()) cleaned += '\n';
      start = end + 1;
    }
    readable = std::move(cleaned);
  }

  po::parsed_options parsed(nullptr);
  try {
    std::istringstream in(readable);
    parsed = po::parse_config_file(in, po::options_description(), /*allow_unregistered=*/true);
  } catch (const std::exception& e) {  // po::error; not expected once refused lines are blanked
    problems.add(0, "", "", e.what());
    return {};
  }
  // Program_options names a key "SECTION.key"; the index has the same entries in the same
  // order with the section and key apart and the line. Should the two ever disagree, trust
  // Program_options and leave the line out.
  std::vector<IniEntry> entries;
  const bool same_count = parsed.options.size() == index.entries.size();
  for (size_t i = 0; i < parsed.options.size(); ++i) {
    const auto& opt = parsed.options[i];
    const std::string value = opt.value.empty() ? std::string() : opt.value.front();
    if (same_count) {
      const IniEntry& e = index.entries[i];
      const std::string prefix =
          e.section.empty() ? std::string() : (e.section.back() == '.' ? e.section : e.section + ".");
      if (opt.string_key == prefix + e.key) {
        entries.push_back({e.line, e.section, e.key, value});
        continue;
      }
    }
    const auto dot = opt.string_key.rfind('.');
    if (dot == std::string::npos) {
      entries.push_back({0, "", opt.string_key, value});
    } else {
      entries.push_back({0, opt.string_key.substr(0, dot), opt.string_key.substr(dot + 1), value});
    }
  }
  return entries;
}

}  // namespace grid::broker

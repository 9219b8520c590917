#include "broker/campaign.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>

#include <boost/program_options.hpp>

#include "protocol/common/units.hpp"

namespace po = boost::program_options;

namespace grid::broker {
namespace {

// Where a value came from, for messages: "demo.ini: [load] users".
std::string where(const std::string& source, const std::string& section, const std::string& key) {
  return source + ": [" + section + "] " + key;
}

template <class T>
T need(common::Result<T> r, const std::string& at) {
  if (!r) throw ConfigError(at + ": " + r.error());
  return std::move(r).value();
}

uint32_t need_u32(const std::string& text, const std::string& at, uint64_t min, uint64_t max) {
  const uint64_t v = need(common::parse_count(text), at);
  if (v < min || v > max) {
    throw ConfigError(at + ": " + std::to_string(v) + " is out of range (expected " + std::to_string(min) + " to " +
                      std::to_string(max) + ")");
  }
  return static_cast<uint32_t>(v);
}

double need_rate(const std::string& text, const std::string& at) {
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && v >= 0 && v <= 1e7) return v;
  } catch (const std::exception&) {
  }
  throw ConfigError(at + ": '" + text + "' is not a rate (expected a number of users per second, 0 to 1e7)");
}

void check_url(const std::string& url, const std::string& at) {
  const bool http = url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
  if (!http || url.size() < 10) {
    throw ConfigError(at + ": '" + url + "' is not an http:// or https:// URL");
  }
}

void check_method(const std::string& method, const std::string& at) {
  const bool token = !method.empty() && std::all_of(method.begin(), method.end(), [](char c) {
    return std::isupper(static_cast<unsigned char>(c)) || c == '-';
  });
  if (!token) throw ConfigError(at + ": '" + method + "' is not an HTTP method (expected e.g. GET, POST, PUT)");
}

void check_header(const std::string& header, const std::string& at) {
  const auto colon = header.find(':');
  if (colon == std::string::npos || colon == 0 || header.find_first_of("\r\n") != std::string::npos) {
    throw ConfigError(at + ": '" + header + "' is not a header (expected 'Name: value')");
  }
}

[[noreturn]] void unknown_key(const std::string& source, const std::string& section, const std::string& key,
                              const std::string& allowed) {
  throw ConfigError(where(source, section, key) + ": unknown key (expected one of: " + allowed + ")");
}

}  // namespace

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

Campaign parse_campaign(std::istream& ini, const std::string& source) {
  // Program_options reads the INI syntax; with no declared options every key comes back
  // "unregistered" in file order, which we check ourselves so that request sections can
  // have any name and an unknown key is an error naming itself.
  po::parsed_options parsed(nullptr);
  try {
    parsed = po::parse_config_file(ini, po::options_description(), /*allow_unregistered=*/true);
  } catch (const po::error& e) {
    throw ConfigError(source + ": " + e.what());
  }

  Campaign c;
  c.source = source;
  std::map<std::string, size_t> request_index;  // section name -> index in c.requests
  std::set<std::string> seen;                   // single-valued keys already given
  bool have_duration = false, have_users = false;

  for (const auto& opt : parsed.options) {
    const std::string& full = opt.string_key;
    const std::string value = opt.value.empty() ? std::string() : opt.value.front();
    const auto dot = full.rfind('.');
    if (dot == std::string::npos) {
      throw ConfigError(source + ": key '" + full +
                        "' is outside any section (expected [campaign], [load] or [request.NAME])");
    }
    // Region names may hold dots ("eu.west"): [regions] keys are everything after it.
    const bool region_key = full.rfind("regions.", 0) == 0;
    const std::string section = region_key ? "regions" : full.substr(0, dot);
    const std::string key = region_key ? full.substr(8) : full.substr(dot + 1);
    const std::string at = where(source, section, key);
    if (key != "headers" && !seen.insert(full).second) {
      throw ConfigError(at + ": given twice (only headers may repeat)");
    }

    if (section == "campaign") {
      if (key == "name") {
        if (value.empty()) throw ConfigError(at + ": must not be empty");
        c.name = value;
      } else if (key == "duration") {
        c.duration = need(common::parse_duration(value), at);
        if (c.duration.count() <= 0) throw ConfigError(at + ": must be longer than 0");
        have_duration = true;
      } else if (key == "interval") {
        c.interval = need(common::parse_duration(value), at);
        if (c.interval < std::chrono::milliseconds(100) || c.interval > std::chrono::hours(1)) {
          throw ConfigError(at + ": '" + value + "' is out of range (expected 100ms to 1h)");
        }
      } else if (key == "results") {
        c.results_dir = value;
      } else {
        unknown_key(source, section, key, "name, duration, interval, results");
      }
    } else if (section == "load") {
      if (key == "users") {
        c.users = need_u32(value, at, 1, 10'000'000);
        have_users = true;
      } else if (key == "spawn_rate") {
        c.spawn_rate = need_rate(value, at);
      } else if (key == "think_time") {
        c.think_time = need(common::parse_duration(value), at);
      } else {
        unknown_key(source, section, key, "users, spawn_rate, think_time");
      }
    } else if (section == "regions") {
      double weight = -1;
      try {
        size_t used = 0;
        weight = std::stod(value, &used);
        if (used != value.size()) weight = -1;
      } catch (const std::exception&) {
      }
      if (!(weight >= 0 && weight <= 1e6)) {
        throw ConfigError(at + ": '" + value + "' is not a region weight (expected a number from 0 to 1e6, e.g. 3)");
      }
      c.regions[key] = weight;
    } else if (section.rfind("request.", 0) == 0) {
      const std::string name = section.substr(8);
      if (name.empty()) throw ConfigError(source + ": [request.] needs a name, e.g. [request.home]");
      auto [it, inserted] = request_index.try_emplace(name, c.requests.size());
      if (inserted) {
        c.requests.emplace_back();
        c.requests.back().name = name;
      }
      wire::RequestSpec& r = c.requests[it->second];
      if (key == "method") {
        check_method(value, at);
        r.method = value;
      } else if (key == "url") {
        check_url(value, at);
        r.url = value;
      } else if (key == "headers") {
        check_header(value, at);
        r.headers.push_back(value);
      } else if (key == "body") {
        r.body = value;
      } else if (key == "timeout") {
        const auto t = need(common::parse_duration(value), at);
        if (t.count() <= 0 || t > std::chrono::hours(1)) {
          throw ConfigError(at + ": '" + value + "' is out of range (expected 1ms to 1h)");
        }
        r.timeout_ms = static_cast<uint32_t>(t.count());
      } else if (key == "expect_status") {
        r.expect_status = parse_status_range(value, at);
      } else {
        unknown_key(source, section, key, "method, url, headers, body, timeout, expect_status");
      }
    } else {
      throw ConfigError(source + ": unknown section [" + section +
                        "] (expected [campaign], [load], [regions] or [request.NAME])");
    }
  }
  if (!c.regions.empty() &&
      std::all_of(c.regions.begin(), c.regions.end(), [](const auto& r) { return r.second == 0; })) {
    throw ConfigError(source + ": [regions] every weight is 0 (at least one region must get users)");
  }

  if (c.name.empty()) throw ConfigError(where(source, "campaign", "name") + ": missing");
  if (!have_duration) throw ConfigError(where(source, "campaign", "duration") + ": missing (e.g. duration = 30s)");
  if (!have_users) throw ConfigError(where(source, "load", "users") + ": missing (e.g. users = 50)");
  if (c.requests.empty())
    throw ConfigError(source + ": no [request.NAME] section (a campaign needs at least one request)");
  for (const auto& r : c.requests) {
    if (r.url.empty()) throw ConfigError(where(source, "request." + r.name, "url") + ": missing");
  }
  return c;
}

Campaign load_campaign(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open the campaign file");
  return parse_campaign(in, path);
}

}  // namespace grid::broker

#include "cli/option_parsing.hpp"

#include <fstream>
#include <iostream>

#include "cli/command_docs.hpp"
#include "protocol/common/exit_codes.hpp"
#include "protocol/common/log.hpp"
#include "protocol/common/safe_name.hpp"
#include "protocol/common/units.hpp"

namespace po = boost::program_options;

namespace grid::cli {

std::optional<int> parse_options(int argc, char** argv, const std::string& command, po::options_description& visible,
                                 po::variables_map& vm, std::string* campaign_path,
                                 const std::string& positional_what) {
  std::string config;
  po::options_description hidden;
  po::positional_options_description positional;
  if (campaign_path) {
    hidden.add_options()("campaign", po::value(campaign_path));
    positional.add("campaign", 1);
  }
  // One option per line, as --help lists them.
  // clang-format off
  visible.add_options()
      ("config", po::value(&config)->value_name("FILE.ini"), "INI file with any of these options (the command line wins)")
      ("log-level", po::value<std::string>()->default_value("info")->value_name("debug|info|warning|error|off"),
       "lowest level of log lines: debug, info, warning, error or off")
      ("help,h", "show this help");
  // clang-format on
  if (describe_options(visible)) return common::kExitOk;  // `loadgrid man`, `loadgrid completion`
  po::options_description all;
  all.add(visible).add(hidden);
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << visible;
      return common::kExitOk;
    }
    if (vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) {
        std::cerr << "loadgrid " << command << ": " << path << ": cannot open the config file\n";
        return common::kExitUsage;
      }
      try {
        po::store(po::parse_config_file(in, visible), vm);
      } catch (const po::error& e) {
        std::cerr << "loadgrid " << command << ": " << path << ": " << e.what() << "\n";
        return common::kExitUsage;
      }
    }
    // The log level first: it applies to every message that follows, errors included.
    const auto level = common::parse_log_level(vm["log-level"].as<std::string>());
    if (!level) {
      std::cerr << "loadgrid " << command << ": --log-level: " << level.error() << "\n";
      return common::kExitUsage;
    }
    common::set_log_level(level.value());
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "loadgrid " << command << ": " << e.what() << "\n\n" << visible;
    return common::kExitUsage;
  }
  if (campaign_path && campaign_path->empty()) {
    std::cerr << "loadgrid " << command << ": missing " << positional_what << "\n\n" << visible;
    return common::kExitUsage;
  }
  return std::nullopt;
}

std::function<void(const std::string&)> safe_name_notifier(const std::string& option) {
  return [option](const std::string& value) {
    if (const auto why = common::safe_name_problem(value); !why.empty()) throw po::error("--" + option + ": " + why);
  };
}

std::function<void(const std::string&)> duration_notifier(const std::string& option, std::chrono::milliseconds& out) {
  return [option, &out](const std::string& value) {
    const auto d = common::parse_duration(value);
    if (!d) throw po::error("--" + option + ": " + d.error());
    if (d.value().count() <= 0) throw po::error("--" + option + ": must be above zero, got '" + value + "'");
    out = d.value();
  };
}

}  // namespace grid::cli

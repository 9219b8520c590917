#include "cli/option_parsing.hpp"

#include <fstream>
#include <iostream>

#include "cli/exit_codes.hpp"

namespace po = boost::program_options;

namespace grid::cli {

std::optional<int> parse_options(int argc, char** argv, const std::string& command, po::options_description& visible,
                                 const po::options_description& hidden, const po::positional_options_description& positional,
                                 po::variables_map& vm) {
  std::string config;
  visible.add_options()("config", po::value(&config), "INI file with any of these options (the command line wins)")(
      "help,h", "show this help");
  po::options_description all;
  all.add(visible).add(hidden);
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << visible;
      return kExitOk;
    }
    if (vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      std::ifstream in(path);
      if (!in) {
        std::cerr << "loadgrid " << command << ": " << path << ": cannot open the config file\n";
        return kExitUsage;
      }
      try {
        po::store(po::parse_config_file(in, visible), vm);
      } catch (const po::error& e) {
        std::cerr << "loadgrid " << command << ": " << path << ": " << e.what() << "\n";
        return kExitUsage;
      }
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "loadgrid " << command << ": " << e.what() << "\n\n" << visible;
    return kExitUsage;
  }
  return std::nullopt;
}

}  // namespace grid::cli

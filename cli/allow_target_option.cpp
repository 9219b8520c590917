#include "cli/allow_target_option.hpp"

#include <string>
#include <vector>

namespace po = boost::program_options;

namespace grid::cli {

void add_allow_target_option(po::options_description& opts, agent::TargetAllowlist& into) {
  auto* value = po::value<std::vector<std::string>>()->value_name("PATTERN")->notifier(
      [&into](const std::vector<std::string>& patterns) {
        auto parsed = agent::TargetAllowlist::parse(patterns);
        if (!parsed) throw po::error("--allow-target: " + parsed.error());
        into = std::move(parsed.value());
      });
  opts.add_options()("allow-target", value,
                     "a host the load may go to, repeatable: NAME, *.SUFFIX, NAME:PORT, an IPv4 or IPv6 address, a "
                     "CIDR network (10.0.0.0/8, fd00::/8), [IPv6]:PORT; default: loopback only (127.0.0.0/8, ::1, "
                     "localhost). A plan targeting anything else is refused");
}

}  // namespace grid::cli

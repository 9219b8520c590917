#include "cli/security_options.hpp"

#include <iostream>
#include <stdexcept>
#include <vector>

#include "protocol/common/config_error.hpp"
#include "protocol/common/log.hpp"

namespace po = boost::program_options;

namespace grid::cli {

void add_security_options(po::options_description& options, SecurityFlags& flags, NodeSides sides) {
  // One option per line, as --help lists them.
  // clang-format off
  options.add_options()
      ("curve-key", po::value(&flags.curve_key)->value_name("PREFIX.key"),
       "this node's key pair (PREFIX.key from `loadgrid keygen PREFIX`): CurveZMQ on its TCP links");
  if (sides.parent_side) {
    options.add_options()
        ("authorized-keys", po::value(&flags.authorized_keys)->value_name("FILE"),
         "with --curve-key: children's public keys, one per line (# comments); only they may join");
  }
  if (sides.child_side) {
    options.add_options()
        ("parent-key", po::value(&flags.parent_key)->value_name("PARENT.pub"),
         "with --curve-key: the parent's public key file (its PREFIX.pub); only that parent is trusted");
  }
  options.add_options()
      ("insecure", po::bool_switch(&flags.insecure),
       "allow plain TCP (no keys) beyond loopback addresses: anyone who reaches the ports can join or listen");
  // clang-format on
}

void add_insecure_option(po::options_description& options, SecurityFlags& flags) {
  options.add_options()("insecure", po::bool_switch(&flags.insecure),
                        "accepted for symmetry with the other nodes: `run` uses no TCP links (inproc only)");
}

common::LinkSecurity resolve_security(const std::string& command, const SecurityFlags& flags, NodeSides sides,
                                      const std::string& listen, const std::string& parent) {
  common::LinkSecurity security;
  security.insecure = flags.insecure;
  std::vector<std::string> problems;
  const bool has_authorized = sides.parent_side && !flags.authorized_keys.empty();
  const bool has_parent_key = sides.child_side && !flags.parent_key.empty();
  const auto warn = [&](const std::string& text) {
    std::cerr << common::stderr_priority_prefix(common::LogLevel::warning) << "loadgrid " << command
              << ": warning: " << text << "\n";
  };

  if (flags.curve_key.empty()) {
    if (has_authorized) problems.push_back("--authorized-keys needs --curve-key (this node's PREFIX.key)");
    if (has_parent_key) problems.push_back("--parent-key needs --curve-key (this node's PREFIX.key)");
  } else {
    if (!common::curve_available()) throw std::runtime_error(common::curve_unavailable_message());
    if (!has_authorized && !has_parent_key) {
      problems.push_back(sides.parent_side && sides.child_side
                             ? "--curve-key needs --authorized-keys (the children's keys) or --parent-key (the "
                               "parent's key), or both"
                         : sides.parent_side ? "--curve-key needs --authorized-keys FILE (the children's public keys)"
                                             : "--curve-key needs --parent-key PARENT.pub (the parent's public key)");
    }
    // Each file is read once; its errors name it (and the line).
    try {
      std::string warning;
      security.key = common::load_key_file(flags.curve_key, &warning);
      if (!warning.empty()) warn(warning);
    } catch (const common::ConfigError& e) {
      problems.push_back(std::string("--curve-key: ") + e.what());
    }
    if (has_authorized) {
      try {
        security.authorized = common::load_authorized_keys(flags.authorized_keys);
        if (security.authorized->keys.empty()) {
          warn("--authorized-keys " + flags.authorized_keys + " lists no key: no child can join");
        }
      } catch (const common::ConfigError& e) {
        problems.push_back(std::string("--authorized-keys: ") + e.what());
      }
    }
    if (has_parent_key) {
      try {
        security.parent_key = common::load_public_key_file(flags.parent_key);
      } catch (const common::ConfigError& e) {
        problems.push_back(std::string("--parent-key: ") + e.what());
      }
    }
  }
  if (!problems.empty()) throw common::ConfigError(problems);

  std::vector<common::SecurityCheck> checks;
  if (sides.parent_side) {
    checks.push_back(common::plain_tcp_check("--listen", listen, security.server(), security.insecure,
                                             "--curve-key and --authorized-keys"));
  }
  if (sides.child_side) {
    checks.push_back(common::plain_tcp_check("--parent", parent, security.client(), security.insecure,
                                             "--curve-key and --parent-key"));
  }
  for (const auto& check : checks) {
    if (!check.error.empty()) problems.push_back(check.error);
  }
  if (!problems.empty()) throw common::ConfigError(problems);
  for (const auto& check : checks) {
    if (!check.warning.empty()) warn(check.warning);
  }
  return security;
}

}  // namespace grid::cli

#pragma once

#include <string>

#include <boost/program_options.hpp>

#include "protocol/common/link_security.hpp"

namespace grid::cli {

/// Which sides a node has: a parent side (`--listen`, takes --authorized-keys), a child
/// side (`--parent`, takes --parent-key), or both (a relay).
struct NodeSides {
  bool parent_side = false;
  bool child_side = false;
};

/// The security options as given (paths, flags), before anything is read.
struct SecurityFlags {
  std::string curve_key;        // --curve-key PREFIX.key
  std::string authorized_keys;  // --authorized-keys FILE
  std::string parent_key;       // --parent-key PARENT.pub
  bool insecure = false;        // --insecure
};

/// Adds --curve-key, --authorized-keys (parent side), --parent-key (child side) and
/// --insecure to a subcommand's options, so they come from the command line or its INI
/// file like any other.
void add_security_options(boost::program_options::options_description& options, SecurityFlags& flags, NodeSides sides);

/// Adds --insecure alone (`loadgrid run`, whose links are all inproc).
void add_insecure_option(boost::program_options::options_description& options, SecurityFlags& flags);

/// Reads the key files and applies the loopback rule (docs/adr/0014) to `listen` (parent
/// side) and `parent` (child side): a side is CURVE when its keys are given; plain TCP
/// beyond loopback needs --insecure. Throws common::ConfigError (exit 2) naming the
/// option, file and line for anything wrong; std::runtime_error (exit 3) when keys are
/// given but libzmq has no CURVE. Prints warnings (--insecure beyond loopback, a secret
/// key file others may read) on stderr, prefixed "loadgrid COMMAND: warning: ".
common::LinkSecurity resolve_security(const std::string& command, const SecurityFlags& flags, NodeSides sides,
                                      const std::string& listen, const std::string& parent);

}  // namespace grid::cli

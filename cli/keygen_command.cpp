// `loadgrid keygen PREFIX`: a CurveZMQ key pair for one node, PREFIX.key (secret, mode
// 0600) and PREFIX.pub (public, mode 0644). See docs/adr/0014 and the README (Security).

#include <iostream>

#include <boost/program_options.hpp>

#include "cli/command_docs.hpp"
#include "cli/guarded.hpp"
#include "cli/subcommands.hpp"
#include "protocol/common/curve_keys.hpp"
#include "protocol/common/exit_codes.hpp"

namespace po = boost::program_options;

namespace grid::cli {

int keygen_main(int argc, char** argv) {
  std::string prefix;
  bool force = false;
  po::options_description opts(
      "usage: loadgrid keygen PREFIX [--force]\n\n"
      "Writes PREFIX.key (this node's key pair: keep it secret, mode 0600) and PREFIX.pub\n"
      "(its public key, mode 0644: list it in the parent's --authorized-keys, or give it to\n"
      "the children as --parent-key).\n\noptions");
  // clang-format off
  opts.add_options()
      ("force", po::bool_switch(&force), "replace PREFIX.key and PREFIX.pub if they exist")
      ("help,h", "show this help");
  // clang-format on
  if (describe_options(opts)) return common::kExitOk;  // `loadgrid man`, `loadgrid completion`
  po::options_description hidden;
  hidden.add_options()("prefix", po::value(&prefix));
  po::positional_options_description positional;
  positional.add("prefix", 1);
  po::options_description all;
  all.add(opts).add(hidden);
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << opts;
      return common::kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "loadgrid keygen: " << e.what() << "\n\n" << opts;
    return common::kExitUsage;
  }
  if (prefix.empty()) {
    std::cerr << "loadgrid keygen: missing PREFIX (e.g. keys/broker writes keys/broker.key and keys/broker.pub)\n\n"
              << opts;
    return common::kExitUsage;
  }
  return guarded("keygen", [&] {
    const auto pair = common::generate_key_pair();
    common::write_key_files(prefix, pair, force);
    std::cout << "wrote " << prefix << ".key (secret, mode 0600) and " << prefix << ".pub (public)\n"
              << "public key: " << pair.public_key << "\n";
    return common::kExitOk;
  });
}

}  // namespace grid::cli

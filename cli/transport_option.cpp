#include "cli/transport_option.hpp"

#include "protocol/workload/transport_choice.hpp"

namespace po = boost::program_options;

namespace grid::cli {

void add_transport_option(po::options_description& opts, std::optional<wire::TransportChoice>& into) {
  auto* value = po::value<std::string>()->value_name("auto|curl|native")->notifier([&into](const std::string& text) {
    auto choice = workload::parse_transport_choice(text);
    if (!choice) throw po::error("--transport: '" + text + "' is not a transport (expected auto, curl or native)");
    into = *choice;
  });
  opts.add_options()("transport", value,
                     "one transport for every request of this run, whatever the campaign says: native (the built-in "
                     "HTTP/1.1 client; plain http:// only), curl (libcurl), or auto (native wherever a request needs "
                     "nothing only libcurl has)");
}

std::optional<std::string> apply_transport_option(const std::optional<wire::TransportChoice>& choice,
                                                  broker::Campaign& campaign) {
  if (!choice) return std::nullopt;
  if (auto why = workload::force_transport(campaign.requests, *choice)) return "--transport: " + *why;
  return std::nullopt;
}

}  // namespace grid::cli

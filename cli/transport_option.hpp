#pragma once

#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "broker/campaign.hpp"
#include "protocol/wire/request_spec.hpp"

namespace grid::cli {

/// Adds `--transport auto|curl|native` to `opts` (broker and run): forces one transport
/// on every request of the campaign for this run (docs/adr/0016). After parsing, `into`
/// holds the choice, or nothing when the option was not given; another word is a usage
/// error naming it (exit 2).
void add_transport_option(boost::program_options::options_description& opts,
                          std::optional<wire::TransportChoice>& into);

/// Applies a forced transport to `campaign`. Returns the message of a usage error (native
/// forced onto requests that need libcurl, each named) or std::nullopt.
std::optional<std::string> apply_transport_option(const std::optional<wire::TransportChoice>& choice,
                                                  broker::Campaign& campaign);

}  // namespace grid::cli

#pragma once

#include <optional>
#include <string>

#include <boost/program_options.hpp>

#include "broker/broker_node.hpp"

namespace grid::cli {

/// The HTTP API options as given (broker and run).
struct HttpFlags {
  std::string listen;         // --http HOST:PORT
  std::string token_file;     // --http-token-file FILE
  std::string linger = "0s";  // --http-linger DURATION
};

/// Adds --http, --http-token-file and --http-linger to a subcommand's options.
void add_http_options(boost::program_options::options_description& opts, HttpFlags& flags);

/// Checks the flags and fills `into` (http_listen, http_token, http_linger). Returns the
/// message of a usage error (exit 2), naming the flag: a malformed address, a non-loopback
/// address without --http-token-file, a token file that cannot be read or is empty, a bad
/// duration, or a token/linger without --http.
std::optional<std::string> resolve_http_options(const HttpFlags& flags, broker::BrokerOptions& into);

}  // namespace grid::cli

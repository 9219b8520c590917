#include "cli/http_option.hpp"

#include <fstream>
#include <sstream>

#include "broker/http_server.hpp"
#include "protocol/common/units.hpp"

namespace po = boost::program_options;

namespace grid::cli {

void add_http_options(po::options_description& opts, HttpFlags& flags) {
  // clang-format off
  opts.add_options()
      ("http", po::value(&flags.listen)->value_name("HOST:PORT"),
       "serve the JSON API (/api/v1/...) and Prometheus /metrics on HOST:PORT (docs/http-api.md); port 0 = "
       "ephemeral (stderr says `http listening HOST:PORT`); loopback only unless --http-token-file is given")
      ("http-token-file", po::value(&flags.token_file)->value_name("FILE"),
       "every HTTP request must carry `Authorization: Bearer TOKEN`, TOKEN being this file's first line; "
       "required for a non-loopback --http")
      ("http-linger", po::value(&flags.linger)->default_value("0s"),
       "after the campaign, keep serving the final figures this long (for a last scrape); "
       "POST /api/v1/stop or a signal ends it sooner");
  // clang-format on
}

std::optional<std::string> resolve_http_options(const HttpFlags& flags, broker::BrokerOptions& into) {
  const auto linger = common::parse_duration(flags.linger);
  if (!linger) return "--http-linger: " + linger.error();
  if (flags.listen.empty()) {
    if (!flags.token_file.empty()) return "--http-token-file needs --http";
    if (linger.value().count() > 0) return "--http-linger needs --http";
    return std::nullopt;
  }
  std::string error;
  const auto listen = broker::parse_http_listen(flags.listen, error);
  if (!listen) return "--http: " + error;
  std::string token;
  if (!flags.token_file.empty()) {
    std::ifstream in(flags.token_file);
    if (!in) return "--http-token-file: cannot read '" + flags.token_file + "'";
    std::getline(in, token);
    while (!token.empty() && (token.back() == '\r' || token.back() == ' ' || token.back() == '\t')) token.pop_back();
    if (token.empty()) return "--http-token-file: '" + flags.token_file + "' has no token on its first line";
  }
  if (!listen->loopback && token.empty()) {
    return "--http " + flags.listen +
           " is not a loopback address: anyone who can reach it could read the run and stop it; give "
           "--http-token-file FILE, or listen on 127.0.0.1";
  }
  into.http_listen = flags.listen;
  into.http_token = token;
  into.http_linger = linger.value();
  return std::nullopt;
}

}  // namespace grid::cli

#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "broker/api_snapshot.hpp"

namespace grid::broker {

/// An HTTP request as the router sees it (the server has parsed and bounded it).
struct ApiRequest {
  std::string method;         // "GET", "POST", ...
  std::string target;         // path, with an optional query (only /api/v1/logs reads one: since)
  std::string authorization;  // the Authorization header, "" when absent
};

struct ApiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, WWW-Authenticate)
};

/// The broker's HTTP API (docs/http-api.md) without the sockets: maps a request to a
/// response from the latest snapshot. The dashboard's pages (`/`, `/assets/...`) go to
/// web_response() (broker/web_routes.hpp) and need no token. With a token, every other path needs
/// `Authorization: Bearer TOKEN` (401 and `WWW-Authenticate: Bearer` otherwise); an
/// unknown path is 404, a known path with another method 405 with `Allow`; errors are
/// JSON `{"error": "..."}`. POST /api/v1/stop calls `stop` (thread-safe) and says 202.
/// handle() is thread-safe and never throws.
class ApiRouter {
public:
  ApiRouter(const SnapshotBox& snapshots, std::string token, std::function<void()> stop);
  ApiResponse handle(const ApiRequest& request) const;

private:
  bool authorized(const std::string& authorization) const;

  const SnapshotBox& snapshots_;
  std::string token_;  // "" = no token needed
  std::function<void()> stop_;
};

/// A JSON error response: {"error": message}.
ApiResponse api_error(int status, const std::string& message);

}  // namespace grid::broker

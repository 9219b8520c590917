#include "broker/api_router.hpp"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "broker/api_json.hpp"
#include "broker/prometheus_metrics.hpp"
#include "broker/summary_json.hpp"
#include "broker/web_routes.hpp"

namespace grid::broker {
namespace {

struct Route {
  const char* path;
  const char* method;
};

constexpr Route kRoutes[] = {{"/api/v1/status", "GET"},   {"/api/v1/stats", "GET"}, {"/api/v1/nodes", "GET"},
                             {"/api/v1/warnings", "GET"}, {"/api/v1/stop", "POST"}, {"/metrics", "GET"},
                             {"/api/v1/summary", "GET"},  {"/api/v1/logs", "GET"}};

// Compares without stopping at the first difference, so the time taken does not tell
// how much of a guessed token was right.
bool same_secret(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % (b.empty() ? 1 : b.size())]);
  return diff == 0 && !b.empty();
}

ApiResponse json_response(int status, const nlohmann::ordered_json& doc) {
  return ApiResponse{status, "application/json", doc.dump(2) + "\n", {}};
}

// The value of `name` in the query of `target` ("" when absent).
std::optional<std::string> query_value(const std::string& target, const std::string& name) {
  const auto q = target.find('?');
  if (q == std::string::npos) return std::nullopt;
  const std::string query = target.substr(q + 1);
  for (size_t begin = 0; begin <= query.size();) {
    const size_t end = std::min(query.find('&', begin), query.size());
    const std::string pair = query.substr(begin, end - begin);
    if (pair.compare(0, name.size() + 1, name + "=") == 0) return pair.substr(name.size() + 1);
    begin = end + 1;
  }
  return std::nullopt;
}

// ?since=SEQ: a decimal sequence number; std::nullopt when malformed.
std::optional<uint64_t> parse_since(const std::string& target) {
  const auto value = query_value(target, "since");
  if (!value) return 0;
  if (value->empty() || value->size() > 19 || value->find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  return std::stoull(*value);
}

}  // namespace

ApiResponse api_error(int status, const std::string& message) { return json_response(status, {{"error", message}}); }

ApiRouter::ApiRouter(const SnapshotBox& snapshots, std::string token, std::function<void()> stop)
    : snapshots_(snapshots), token_(std::move(token)), stop_(std::move(stop)) {}

bool ApiRouter::authorized(const std::string& authorization) const {
  if (token_.empty()) return true;
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.size() <= kScheme.size() || authorization.compare(0, kScheme.size(), kScheme) != 0) return false;
  return same_secret(authorization.substr(kScheme.size()), token_);
}

ApiResponse ApiRouter::handle(const ApiRequest& request) const {
  try {
    // The pages hold no data: public, so a browser can open them (docs/adr/0019).
    if (const std::string path = request.target.substr(0, request.target.find('?')); is_web_path(path)) {
      return web_response(request.method, path);
    }
    if (!authorized(request.authorization)) {
      ApiResponse r =
          api_error(401, request.authorization.empty() ? "this server needs a bearer token" : "wrong bearer token");
      r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"loadgrid\"");
      return r;
    }
    const std::string path = request.target.substr(0, request.target.find('?'));
    const Route* route = nullptr;
    for (const auto& r : kRoutes) {
      if (path == r.path) route = &r;
    }
    if (!route) return api_error(404, "no such path: " + path);
    if (request.method != route->method) {
      ApiResponse r = api_error(405, "method " + request.method + " not allowed on " + path);
      r.headers.emplace_back("Allow", route->method);
      return r;
    }
    if (path == "/api/v1/stop") {
      stop_();
      return json_response(202, {{"stopping", true}});
    }
    const auto snapshot = snapshots_.latest();
    if (path == "/metrics") {
      return ApiResponse{200, "text/plain; version=0.0.4; charset=utf-8", prometheus_metrics(*snapshot), {}};
    }
    if (path == "/api/v1/status") return json_response(200, api_status_json(*snapshot));
    if (path == "/api/v1/stats") return json_response(200, api_stats_json(*snapshot));
    if (path == "/api/v1/nodes") return json_response(200, api_nodes_json(*snapshot));
    if (path == "/api/v1/summary") {
      return json_response(200, summary_json(snapshot->info, snapshot->run, &snapshot->grid));
    }
    if (path == "/api/v1/logs") {
      const auto since = parse_since(request.target);
      if (!since) return api_error(400, "since must be a record's seq (a non-negative integer)");
      return json_response(200, api_logs_json(*snapshot, *since));
    }
    return json_response(200, api_warnings_json(*snapshot));
  } catch (const std::exception& e) {
    return api_error(500, e.what());
  }
}

}  // namespace grid::broker

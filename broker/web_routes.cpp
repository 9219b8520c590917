#include "broker/web_routes.hpp"

#include "broker/web_assets.hpp"

namespace grid::broker {
namespace {

constexpr std::string_view kAssets = "/assets/";

// Only this origin, no inline script or style, no frames, no plugins, no forms elsewhere.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'none'";

ApiResponse asset_response(std::string_view name, std::string body) {
  ApiResponse r{200, std::string(web_content_type(name)), std::move(body), {}};
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (name == "dashboard.html") {
    r.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  return r;
}

}  // namespace

bool is_web_path(const std::string& path) { return path == "/" || path.rfind(kAssets, 0) == 0; }

ApiResponse web_response(const std::string& method, const std::string& path) {
  try {
    if (method != "GET") {
      ApiResponse r = api_error(405, "method " + method + " not allowed on " + path);
      r.headers.emplace_back("Allow", "GET");
      return r;
    }
    const std::string name = path == "/" ? "dashboard.html" : path.substr(kAssets.size());
    if (name == "chart.min.js") {
      auto body = read_chart_js();
      if (!body) {
        return api_error(404, "chart.js not installed: " + chart_js_path() + " (Debian package libjs-chart.js)");
      }
      return asset_response(name, std::move(*body));
    }
    if (const auto asset = web_asset(name)) return asset_response(name, std::string(*asset));
    return api_error(404, "no such path: " + path);
  } catch (const std::exception& e) {
    return api_error(500, e.what());
  }
}

}  // namespace grid::broker

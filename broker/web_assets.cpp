#include "broker/web_assets.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace grid::broker {

std::string_view web_content_type(std::string_view name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "application/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".json")) return "application/json";
  return "application/octet-stream";
}

std::string chart_js_path() {
  if (const char* path = std::getenv("LOADGRID_CHART_JS"); path && *path) return path;
  return std::string(kChartJsPath);
}

std::optional<std::string> read_chart_js() {
  std::ifstream in(chart_js_path(), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  if (!(body << in.rdbuf())) return std::nullopt;  // unreadable (a directory) or empty
  return body.str();
}

}  // namespace grid::broker

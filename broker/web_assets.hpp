#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grid::broker {

// The dashboard's web assets (broker/web/: dashboard.html, view.js, dashboard.js,
// report.js, style.css), embedded into the binary at build time (docs/adr/0019), and
// the chart library the pages draw with, read from the Debian package at run time.

/// The embedded asset `name` (e.g. "view.js"), std::nullopt when there is none. Pure.
std::optional<std::string_view> web_asset(std::string_view name);

/// The names of every embedded asset.
std::vector<std::string_view> web_asset_names();

/// The Content-Type for an asset name, by its extension: text/html; charset=utf-8,
/// application/javascript; charset=utf-8, text/css; charset=utf-8, application/json,
/// else application/octet-stream. Pure.
std::string_view web_content_type(std::string_view name);

/// Where Debian's libjs-chart.js (Chart.js 3.9, UMD build: a `Chart` global) installs
/// its minified script. The dashboard serves it as /assets/chart.min.js; report.html
/// inlines it.
inline constexpr std::string_view kChartJsPath = "/usr/share/javascript/chart.js/chart.min.js";

/// kChartJsPath, or the environment variable LOADGRID_CHART_JS when it is set (the
/// tests use it to check the pages without chart.js).
std::string chart_js_path();

/// The chart.js script read now from chart_js_path(); std::nullopt when it cannot be read.
std::optional<std::string> read_chart_js();

}  // namespace grid::broker

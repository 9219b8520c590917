#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace grid::broker {

/// What report.html inlines besides its data: the page's style and scripts
/// (broker/web/), and chart.js when it could be read (without it the page says so and
/// shows everything else).
struct ReportAssets {
  std::string_view style;      // style.css
  std::string_view view_js;    // view.js: draws the page from the model
  std::string_view report_js;  // report.js: reads the inline model and calls the view
  std::optional<std::string> chart_js;
};

/// report.html: one self-contained page (no network at view time) that carries `model`
/// (docs/view-model.md) inline as JSON in <script type="application/json"
/// id="loadgrid-model">, escaped so that no text of the model can end the script
/// element. Pure.
std::string report_html(const nlohmann::ordered_json& model, const ReportAssets& assets);

/// `text` made safe inside an HTML <script> element: every "</" becomes "<\/" (the same
/// in a JavaScript string, regular expression or comment). Pure.
std::string inline_script(std::string_view text);

}  // namespace grid::broker

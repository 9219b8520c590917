#include "broker/report_file.hpp"

#include "broker/report_html.hpp"
#include "broker/report_model.hpp"
#include "broker/web_assets.hpp"
#include "protocol/common/atomic_file.hpp"

namespace grid::broker {

WrittenReport write_report(const std::string& dir, const std::string& baseline_dir, const std::string& output) {
  const auto model = report_model(dir, baseline_dir);
  const auto style = web_asset("style.css");
  const auto view = web_asset("view.js");
  const auto boot = web_asset("report.js");
  if (!style || !view || !boot) throw std::runtime_error("report.html: the page is not built into this binary");
  ReportAssets assets{*style, *view, *boot, read_chart_js()};
  WrittenReport written{output.empty() ? dir + "/report.html" : output, assets.chart_js.has_value()};
  common::write_file_atomically(written.path, report_html(model, assets));
  return written;
}

}  // namespace grid::broker

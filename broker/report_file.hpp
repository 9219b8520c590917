#pragma once

#include <string>

namespace grid::broker {

/// What write_report wrote.
struct WrittenReport {
  std::string path;
  bool charts = false;  // chart.js was found and inlined
};

/// Builds report.html for the results directory `dir` from its files alone
/// (report_model, with `baseline_dir` when not empty) and the page embedded in the
/// binary (broker/web/), and writes it atomically to `output` (default DIR/report.html).
/// Throws ReportError naming the file that was missing or wrong, std::runtime_error when
/// the report cannot be written.
WrittenReport write_report(const std::string& dir, const std::string& baseline_dir = "",
                           const std::string& output = "");

}  // namespace grid::broker

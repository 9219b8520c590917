// `loadgrid report RESULTS_DIR [--baseline OTHER_DIR] [--output FILE]`: rebuilds
// report.html from the files of a results directory alone (docs/view-model.md), with an
// earlier run's directory as the baseline each metric is compared against.

#include <iostream>

#include "broker/report_file.hpp"
#include "broker/report_model.hpp"
#include "broker/web_assets.hpp"
#include "cli/option_parsing.hpp"
#include "cli/subcommands.hpp"
#include "protocol/common/exit_codes.hpp"

namespace po = boost::program_options;

namespace grid::cli {

int report_main(int argc, char** argv) {
  std::string dir, baseline, output;
  po::options_description opts(
      "usage: loadgrid report RESULTS_DIR [options]\n\n"
      "Rebuilds RESULTS_DIR/report.html, one self-contained page that opens offline, from\n"
      "the files of the results directory alone (summary.json, timeseries.csv, ...). With\n"
      "--baseline, the page also shows each metric's change against an earlier run.\n\noptions");
  // One option per line, as --help lists them.
  // clang-format off
  opts.add_options()
      ("baseline", po::value(&baseline)->value_name("DIR"), "an earlier run's results directory to compare against")
      ("output", po::value(&output)->value_name("FILE"), "write the report there (default: RESULTS_DIR/report.html)");
  // clang-format on
  po::variables_map vm;
  if (auto code = parse_options(argc, argv, "report", opts, vm, &dir, "the results directory")) return *code;
  try {
    const broker::WrittenReport written = broker::write_report(dir, baseline, output);
    if (!written.charts) {
      std::cerr << "loadgrid report: " << broker::chart_js_path()
                << " not found (Debian's libjs-chart.js): the report has no charts\n";
    }
    std::cout << "report: " << written.path << "\n";
    return common::kExitOk;
  } catch (const broker::ReportError& e) {
    std::cerr << "loadgrid report: " << e.what() << "\n";
    return common::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "loadgrid report: " << e.what() << "\n";
    return common::kExitFailure;
  }
}

}  // namespace grid::cli

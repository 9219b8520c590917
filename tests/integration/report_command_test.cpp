// report.html and `loadgrid report` (docs/view-model.md): the real binary, a real run
// against the built-in target, and the page's inline model compared with the results
// files it was built from. The real report.html is also opened in Debian's headless
// chromium with networking disabled (tests/browser/report_check.mjs, browser_check.hpp):
// what it draws must equal summary.json; screenshots in
// BUILD/test-output/report_command/CASE/.

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "browser_check.hpp"
#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The model report.html carries inline.
nlohmann::json model_of(const std::string& report) {
  const std::string html = read_text(report);
  const std::string open = "<script type=\"application/json\" id=\"loadgrid-model\">";
  const auto from = html.find(open);
  if (from == std::string::npos) throw std::runtime_error(report + ": no inline model");
  const auto start = from + open.size();
  return nlohmann::json::parse(html.substr(start, html.find("</script>", start) - start));
}

size_t csv_rows(const std::string& path) {
  std::ifstream in(path);
  size_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines - 1;  // the header
}

// A finished run's results directory.
std::string finished_run(const TargetProcess& target, const std::string& dir, const std::string& name, int users = 2) {
  const auto campaign = write_campaign(
      dir, "1500ms", users,
      "[request.home]\nurl = " + target.url("/") + "\n[request.slow]\nurl = " + target.url("/delay/5") + "\n",
      "think_time = 2ms\n");
  const std::string results = dir + "/" + name;
  ChildProcess run({kBinary, "run", campaign, "--results", results, "--threads", "1", "--quiet"});
  BOOST_REQUIRE_EQUAL(run_to_end(run), 0);
  BOOST_TEST(run.out().find("report: " + results + "/report.html\n") != std::string::npos, run.out());
  return results;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(report_command)

BOOST_AUTO_TEST_CASE(every_run_leaves_a_report_whose_data_are_the_results_files) {
  TargetProcess target;
  TempDir dir;
  const std::string results = finished_run(target, dir.path(), "out");
  const auto model = model_of(results + "/report.html");
  BOOST_TEST(model["mode"] == "report");
  BOOST_TEST(model["summary"] == read_json(results + "/summary.json"));
  BOOST_TEST(model["series"]["total"].size() == csv_rows(results + "/timeseries.csv"));
  BOOST_TEST(model["series"]["requests"].contains("home"));
  BOOST_TEST(model["series"]["requests"].contains("slow"));
  BOOST_TEST(model["series"]["regions"].contains("default"));
  BOOST_TEST(model["campaign_ini"] == read_text(dir.path() + "/campaign.ini"));
  BOOST_TEST(model["percentiles"].contains("home"));
  // Self-contained: no script, style or image is fetched from anywhere.
  const std::string html = read_text(results + "/report.html");
  BOOST_TEST(html.find(" src=") == std::string::npos);
  BOOST_TEST(html.find(" href=") == std::string::npos);
  BOOST_TEST(html.find("Chart.js v3") != std::string::npos);  // chart.js inlined
}

BOOST_AUTO_TEST_CASE(a_run_stopped_by_sigint_leaves_its_report) {
  TargetProcess target;
  TempDir dir;
  const auto campaign =
      write_campaign(dir.path(), "60s", 2, "[request.home]\nurl = " + target.url("/") + "\n", "think_time = 5ms\n");
  ChildProcess run({kBinary, "run", campaign, "--results", dir.path() + "/out", "--threads", "1", "--quiet"});
  BOOST_REQUIRE(run.wait_for_err_line("starts with", 20s));
  // Wait for counted requests, so the report has figures.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (std::filesystem::exists(dir.path() + "/out/summary.json") &&
        read_json(dir.path() + "/out/summary.json")["total"]["requests"].get<uint64_t>() > 0) {
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  run.signal(SIGINT);
  BOOST_REQUIRE(run.wait_for_exit(30s).has_value());
  const auto model = model_of(dir.path() + "/out/report.html");
  BOOST_TEST(model["summary"]["state"] == "interrupted");
  BOOST_TEST(model["summary"] == read_json(dir.path() + "/out/summary.json"));
  BOOST_TEST(model["summary"]["total"]["requests"].get<uint64_t>() > 0u);
}

BOOST_AUTO_TEST_CASE(report_rebuilds_the_page_from_the_files_and_compares_with_a_baseline) {
  TargetProcess target;
  TempDir dir;
  const std::string earlier = finished_run(target, dir.path(), "earlier");
  const std::string later = finished_run(target, dir.path(), "later");
  std::filesystem::remove(later + "/report.html");
  ChildProcess report({kBinary, "report", later, "--baseline", earlier});
  BOOST_REQUIRE_EQUAL(report.wait_for_exit(30s).value_or(-1), 0);
  BOOST_TEST(report.out() == "report: " + later + "/report.html\n");
  const auto model = model_of(later + "/report.html");
  BOOST_TEST(model["summary"] == read_json(later + "/summary.json"));
  BOOST_TEST(model["baseline"]["dir"] == earlier);
  BOOST_TEST(model["baseline"]["summary"] == read_json(earlier + "/summary.json"));
  BOOST_TEST(model["baseline"]["series"]["total"].size() == csv_rows(earlier + "/timeseries.csv"));

  ChildProcess elsewhere({kBinary, "report", later, "--output", dir.path() + "/copy.html"});
  BOOST_REQUIRE_EQUAL(elsewhere.wait_for_exit(30s).value_or(-1), 0);
  BOOST_TEST(model_of(dir.path() + "/copy.html")["summary"] == model["summary"]);
}

// The report the run wrote, then one rebuilt with a baseline (a run with 3 users against
// one with 1), each opened offline in chromium: no request leaves the file, no script
// error, charts drawn, and every figure equal both to the page's own model and to the
// summary.json (and the baseline's) read from disk. The same check given the wrong
// summary.json fails: the figures are really compared.
BOOST_AUTO_TEST_CASE(the_report_renders_offline_and_shows_the_totals_of_summary_json) {
  TargetProcess target;
  TempDir dir;
  const std::string out =
      output_dir("report_command", "the_report_renders_offline_and_shows_the_totals_of_summary_json");
  const std::string earlier = finished_run(target, dir.path(), "earlier", 1);
  const std::string later = finished_run(target, dir.path(), "later", 3);

  // As `loadgrid run` wrote it.
  const auto written =
      run_browser_check("report_check.mjs",
                        {earlier + "/report.html", earlier + "/summary.json", out + "/run", "--timeout", "150"}, 180s);
  BOOST_TEST(written["from_disk"]["compared"].get<int>() > 50);
  BOOST_TEST(written["charts"]["rps"].size() == 1u);
  BOOST_TEST_MESSAGE("screenshot: " << out << "/run/report.png");

  // As `loadgrid report LATER --baseline EARLIER` rebuilt it.
  ChildProcess report({kBinary, "report", later, "--baseline", earlier});
  BOOST_REQUIRE_EQUAL(report.wait_for_exit(30s).value_or(-1), 0);
  const auto compared = run_browser_check("report_check.mjs",
                                          {later + "/report.html", later + "/summary.json", out + "/baseline",
                                           "--baseline", earlier + "/summary.json", "--timeout", "150"},
                                          180s);
  BOOST_TEST(compared["from_disk"]["compared"].get<int>() > written["from_disk"]["compared"].get<int>());
  BOOST_TEST(compared["baseline_total_requests_shown"].size() == 1u);
  BOOST_TEST(compared["charts"]["rps"].dump().find("req/s (baseline)") != std::string::npos);
  BOOST_TEST(compared["charts"]["percentiles"].size() == 3u);  // all requests, home, slow
  BOOST_TEST(compared["blocked_requests"].empty());
  BOOST_TEST_MESSAGE("screenshot: " << out << "/baseline/report.png");

  // The later report against the earlier run's summary.json: the totals differ.
  const auto wrong =
      run_browser_script("report_check.mjs",
                         {later + "/report.html", earlier + "/summary.json", out + "/wrong", "--timeout", "150"}, 180s);
  BOOST_TEST(wrong.code == 1);
  BOOST_TEST(wrong.result["ok"] == false);
  BOOST_TEST(wrong.result["failures"].dump().find("summary.total.requests: page has ") != std::string::npos,
             wrong.result["failures"].dump(2));
}

BOOST_AUTO_TEST_CASE(report_of_a_directory_without_results_exits_2_naming_the_file) {
  TempDir dir;
  ChildProcess report({kBinary, "report", dir.path()});
  BOOST_TEST(report.wait_for_exit(30s).value_or(-1) == 2);
  BOOST_TEST(report.err() == "loadgrid report: " + dir.path() + "/summary.json: not found (is " + dir.path() +
                                 " a loadgrid results directory?)\n");
  ChildProcess missing({kBinary, "report"});
  BOOST_TEST(missing.wait_for_exit(30s).value_or(-1) == 2);
  BOOST_TEST(missing.err().find("missing the results directory") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(report_of_a_damaged_series_file_exits_2_naming_file_row_and_column) {
  TargetProcess target;
  TempDir dir;
  const std::string results = finished_run(target, dir.path(), "out");
  std::ofstream(results + "/timeseries.csv", std::ios::app) << "1,2,3,x,5,6\n";
  ChildProcess report({kBinary, "report", results});
  BOOST_TEST(report.wait_for_exit(30s).value_or(-1) == 2);
  BOOST_TEST(report.err().find(results + "/timeseries.csv: line ") != std::string::npos, report.err());
}

BOOST_AUTO_TEST_SUITE_END()

// What the outputs say about thresholds: summary.json's `thresholds`, `thresholds_passed`
// and `aborted_by`; the console table; junit.xml (golden file, and parsed back as XML);
// when the results directory gets a junit.xml.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <boost/test/unit_test.hpp>

#include "broker/console_view.hpp"
#include "broker/junit_xml.hpp"
#include "broker/results_writer.hpp"
#include "broker/summary_json.hpp"
#include "support/child_process.hpp"
#include "support/threshold_specs.hpp"

using namespace grid;
using grid::test::threshold;

namespace {

// 100 responses of 10 .. 1000 ms to "home", 5 of them failed (5xx); nothing for "checkout".
broker::RunAggregator sample_run() {
  wire::StatsWindow w;
  w.index = 100;
  w.interval_ms = 1000;
  auto& home = w.requests["home"];
  for (uint64_t i = 1; i <= 100; ++i) {
    ++home.requests;
    home.latency_us.record(i * 10'000);
  }
  home.failures[wire::FailureKind::http_5xx] = 5;
  broker::RunAggregator run;
  run.add(w);
  return run;
}

// Four thresholds on sample_run(): p99 fails, error_rate passes, rps passes, checkout has no data.
broker::RunInfo sample_info(const broker::RunAggregator& run) {
  broker::RunInfo info;
  info.campaign = "golden";
  info.version = "1.2.3";
  info.state = "finished";
  info.started_unix_ms = 1'795'704'115'000;
  info.duration_ms = 10'000;
  info.elapsed_s = 10.0126;
  info.users = 10;
  info.threads = 2;
  info.interval_ms = 1000;
  info.thresholds =
      broker::evaluate_thresholds({threshold("p99", "<", 500, "500ms"), threshold("error_rate", "<", 0.1, "10%"),
                                   threshold("rps", ">", 5, "5"), threshold("request.checkout.p95", "<", 800, "800ms")},
                                  run.total(), run.by_name(), info.elapsed_s);
  return info;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares `text` to the golden file `name` (LOADGRID_UPDATE_GOLDEN=1 rewrites it).
void check_golden(const std::string& name, const std::string& text) {
  const std::string path = std::string(LOADGRID_SOURCE_DIR) + "/tests/broker/golden/" + name;
  if (std::getenv("LOADGRID_UPDATE_GOLDEN")) std::ofstream(path) << text;
  BOOST_TEST(text == read_file(path));
}

boost::property_tree::ptree parse_xml(const std::string& text) {
  std::istringstream in(text);
  boost::property_tree::ptree tree;
  boost::property_tree::read_xml(in, tree);
  return tree;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(threshold_outputs)

BOOST_AUTO_TEST_CASE(summary_json_lists_every_threshold_with_its_observed_value_and_verdict) {
  const auto run = sample_run();
  const auto doc = broker::summary_json(sample_info(run), run);
  BOOST_TEST(doc["thresholds_passed"] == false);
  BOOST_TEST(doc["aborted_by"].is_null());
  const auto& t = doc["thresholds"];
  BOOST_REQUIRE(t.size() == 4u);
  BOOST_TEST(t[0]["metric"] == "p99");
  BOOST_TEST(t[0]["condition"] == "< 500ms");
  BOOST_TEST(t[0]["value"].get<double>() == run.total().latency_us.percentile(99) / 1000.0);
  BOOST_TEST(t[0]["pass"] == false);
  BOOST_TEST(t[1]["metric"] == "error_rate");
  BOOST_TEST(t[1]["value"].get<double>() == 0.05);
  BOOST_TEST(t[1]["pass"] == true);
  BOOST_TEST(t[2]["value"].get<double>() == 100 / 10.0126);
  BOOST_TEST(t[3]["metric"] == "request.checkout.p95");
  BOOST_TEST(t[3]["value"].is_null());
  BOOST_TEST(t[3]["pass"] == false);
  for (const auto& entry : t) BOOST_TEST(entry.size() == 4u);  // metric, condition, value, pass
}

BOOST_AUTO_TEST_CASE(summary_json_has_an_empty_thresholds_array_that_passes_without_thresholds) {
  broker::RunInfo info;
  const auto doc = broker::summary_json(info, sample_run());
  BOOST_TEST(doc["thresholds"].is_array());
  BOOST_TEST(doc["thresholds"].empty());
  BOOST_TEST(doc["thresholds_passed"] == true);
  BOOST_TEST(doc["aborted_by"].is_null());
}

BOOST_AUTO_TEST_CASE(summary_json_counts_are_integers_and_an_aborted_run_does_not_pass) {
  const auto run = sample_run();
  auto info = sample_info(run);
  info.thresholds = broker::evaluate_thresholds({threshold("requests", ">", 1, "1")}, run.total(), run.by_name(), 1);
  info.aborted_by = "requests > 1";  // stopped live, passing on the final data (the node marks it failed too)
  const auto doc = broker::summary_json(info, run);
  BOOST_TEST(doc["thresholds"][0]["value"].is_number_unsigned());
  BOOST_TEST(doc["thresholds"][0]["value"] == 100);
  BOOST_TEST(doc["aborted_by"] == "requests > 1");
  BOOST_TEST(doc["thresholds_passed"] == false);
}

BOOST_AUTO_TEST_CASE(the_final_report_ends_with_the_thresholds_table_matching_the_golden_file) {
  const auto run = sample_run();
  auto info = sample_info(run);
  const std::string report = broker::final_report(info, run);
  const auto at = report.find("\nthresholds: ");
  BOOST_REQUIRE(at != std::string::npos);
  check_golden("thresholds_table.gold", report.substr(at));
  info.aborted_by = "p99 < 500ms";
  BOOST_TEST(broker::final_report(info, run).find("the run was stopped early by: p99 < 500ms\n") != std::string::npos);
  broker::GridReport grid;
  grid.warnings = {"[1.0s] something"};
  const std::string with_grid = broker::final_report(info, run, &grid);
  BOOST_TEST(with_grid.find("warning: [1.0s] something\n\nthresholds: ") != std::string::npos, with_grid);
}

BOOST_AUTO_TEST_CASE(the_final_report_has_no_thresholds_table_without_thresholds) {
  const auto run = sample_run();
  auto info = sample_info(run);
  info.thresholds.clear();
  BOOST_TEST(broker::final_report(info, run).find("thresholds") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_thresholds_table_says_all_passed_when_they_did) {
  const auto run = sample_run();
  auto info = sample_info(run);
  info.thresholds.resize(2);  // p99 fails, error_rate passes
  const std::string report = broker::final_report(info, run);
  BOOST_TEST(report.find("thresholds: 1 of 2 FAILED") != std::string::npos, report);
  info.thresholds.resize(1);
  info.thresholds[0].pass = true;
  BOOST_TEST(broker::final_report(info, run).find("thresholds: all 1 passed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(junit_xml_matches_the_golden_file) {
  const auto run = sample_run();
  auto info = sample_info(run);
  check_golden("junit.gold", broker::junit_xml(info));
  info.aborted_by = "p99 < 500ms";
  info.thresholds[0].pass = false;
  check_golden("junit_aborted.gold", broker::junit_xml(info));
}

BOOST_AUTO_TEST_CASE(junit_xml_parses_back_with_one_testcase_per_threshold_and_a_failure_for_each_failed_one) {
  const auto run = sample_run();
  const auto info = sample_info(run);
  const auto tree = parse_xml(broker::junit_xml(info));
  const auto& suite = tree.get_child("testsuite");
  BOOST_TEST(suite.get<std::string>("<xmlattr>.name") == "loadgrid.golden");
  BOOST_TEST(suite.get<int>("<xmlattr>.tests") == 4);
  BOOST_TEST(suite.get<int>("<xmlattr>.failures") == 2);
  BOOST_TEST(suite.get<std::string>("<xmlattr>.time") == "10.013");
  std::vector<std::string> names, failures;
  for (const auto& [tag, node] : suite) {
    if (tag != "testcase") continue;
    names.push_back(node.get<std::string>("<xmlattr>.name"));
    BOOST_TEST(node.get<std::string>("<xmlattr>.classname") == "thresholds");
    if (const auto failure = node.get_child_optional("failure")) {
      failures.push_back(failure->get<std::string>("<xmlattr>.message"));
    }
  }
  BOOST_TEST(
      names == (std::vector<std::string>{"p99 < 500ms", "error_rate < 10%", "rps > 5", "request.checkout.p95 < 800ms"}),
      boost::test_tools::per_element());
  BOOST_TEST(failures == (std::vector<std::string>{
                             "observed " + broker::format_observed(broker::ThresholdUnit::ms, info.thresholds[0].value),
                             "no data"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(junit_xml_escapes_every_name_and_replaces_what_xml_cannot_hold) {
  broker::RunInfo info;
  info.campaign = "a&b<c>\"d'e\tf\x01g\xff";
  broker::ThresholdResult r;
  r.metric = "request.<&>.p99";
  r.condition = "< 5ms\"";
  r.unit = broker::ThresholdUnit::ms;
  r.value = 7;
  info.thresholds = {r};
  const std::string xml = broker::junit_xml(info);
  BOOST_TEST(xml.find('\x01') == std::string::npos);
  BOOST_TEST(xml.find('\xff') == std::string::npos);
  const auto tree = parse_xml(xml);
  BOOST_TEST(tree.get<std::string>("testsuite.<xmlattr>.name") == "loadgrid.a&b<c>\"d'e\tf\xEF\xBF\xBDg\xEF\xBF\xBD");
  BOOST_TEST(tree.get<std::string>("testsuite.testcase.<xmlattr>.name") == "request.<&>.p99 < 5ms\"");
  BOOST_TEST(tree.get<std::string>("testsuite.testcase.failure.<xmlattr>.message") == "observed 7ms");
}

BOOST_AUTO_TEST_CASE(xml_escape_keeps_valid_utf8_and_replaces_invalid_sequences) {
  BOOST_TEST(broker::xml_escape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") ==
             "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  BOOST_TEST(broker::xml_escape("<&>\"'") == "&lt;&amp;&gt;&quot;&apos;");
  BOOST_TEST(broker::xml_escape("a\nb\rc\td") == "a&#10;b&#13;c&#9;d");
  const std::string fffd = "\xEF\xBF\xBD";
  BOOST_TEST(broker::xml_escape(std::string("\0", 1)) == fffd);
  BOOST_TEST(broker::xml_escape("\xC0\xAF") == fffd + fffd);             // overlong '/'
  BOOST_TEST(broker::xml_escape("\xED\xA0\x80") == fffd + fffd + fffd);  // a surrogate
  BOOST_TEST(broker::xml_escape("\xEF\xBF\xBF") == fffd);                // U+FFFF: not an XML character
  BOOST_TEST(broker::xml_escape("\xE2\x82") == fffd + fffd);             // cut short
}

BOOST_AUTO_TEST_CASE(the_results_directory_gets_junit_xml_at_the_end_only_with_thresholds) {
  test::TempDir dir;
  const auto run = sample_run();
  {
    broker::ResultsWriter writer(dir.path() + "/with");
    writer.on_finish(sample_info(run), run);
  }
  BOOST_TEST(read_file(dir.path() + "/with/junit.xml") == broker::junit_xml(sample_info(run)));
  broker::ResultsWriter without(dir.path() + "/without");
  auto info = sample_info(run);
  info.thresholds.clear();
  without.on_finish(info, run);
  BOOST_TEST(!std::filesystem::exists(dir.path() + "/without/junit.xml"));
}

BOOST_AUTO_TEST_CASE(a_run_starting_in_a_results_directory_removes_an_earlier_runs_junit_xml) {
  test::TempDir dir;
  std::ofstream(dir.path() + "/junit.xml") << "<testsuite name=\"stale\"/>\n";
  broker::ResultsWriter writer(dir.path());
  BOOST_TEST(!std::filesystem::exists(dir.path() + "/junit.xml"));
}

BOOST_AUTO_TEST_SUITE_END()

// The live dashboard in a real browser (issue 10): Debian's headless chromium, driven by
// tests/browser/dashboard_check.mjs (playwright-core, installed by scripts/browser-deps.sh),
// loads the page a real grid serves, checks that the charts update, stops the campaign
// with the page's button, waits for the final figures and compares every figure the page
// shows with the JSON API (see the script's header). Its screenshots go to
// BUILD/test-output/dashboard_browser/CASE/. The harness (and what it needs installed)
// is in browser_check.hpp.

#include <boost/test/unit_test.hpp>

#include "browser_check.hpp"
#include "grid_fixture.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

std::string http_address(const ChildProcess& process) {
  const auto line = process.wait_for_err_line("http listening ", 30s);
  if (!line) throw std::runtime_error("no 'http listening' line; stderr:\n" + process.err());
  return line->substr(line->find("http listening ") + 15);
}

// Runs dashboard_check.mjs on `url` (bounded) and returns its JSON result.
nlohmann::json check_dashboard(const std::string& url, const std::string& out_dir,
                               const std::vector<std::string>& extra) {
  std::vector<std::string> args{url, out_dir, "--timeout", "180"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto result = run_browser_check("dashboard_check.mjs", args, 210s);
  BOOST_TEST_MESSAGE("screenshots: " << out_dir << "/dashboard-live.png, " << out_dir << "/dashboard.png");
  return result;
}

// POST to the broker's API with a bearer token (ends the linger).
long post(const std::string& url, const std::string& token) {
  CURL* easy = curl_easy_init();
  curl_slist* headers = nullptr;
  if (!token.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + token).c_str());
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
  curl_easy_setopt(
      easy, CURLOPT_WRITEFUNCTION, +[](char*, size_t s, size_t n, void*) { return s * n; });
  long status = 0;
  if (curl_easy_perform(easy) == CURLE_OK) curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(easy);
  return status;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dashboard_browser)

// A grid of two regions (broker → 2 relays → 2 agents) with a token: the page is opened
// as /?token=…, draws the tree, the per-request and per-region series, the thresholds,
// and after the stop button shows exactly the API's final figures. Then the same renderer
// draws a report-mode model with a baseline from a file, offline.
BOOST_AUTO_TEST_CASE(the_dashboard_follows_a_grid_run_and_shows_the_apis_figures) {
  TargetProcess target;
  TempDir dir;
  std::ofstream(dir.path() + "/token") << "dash-t0ken\n";
  const std::string campaign = dir.path() + "/dash.ini";
  std::ofstream(campaign) << "[campaign]\nname = dashboard-grid\nduration = 180s\ninterval = 500ms\n"
                          << "[load]\nusers = 4\nthink_time = 20ms\n"
                          << "[regions]\neu = 1\nus = 1\n"
                          << "[request.home]\nurl = " << target.url("/") << "\n"
                          << "[request.err-503]\nurl = " << target.url("/status/503") << "\n"
                          << "[thresholds]\np99 = < 10s\nrequest.err-503.error_rate = < 1%\n";
  auto broker = listening_parent(std::make_unique<ChildProcess>(
      std::vector<std::string>{kBinary, "broker", campaign, "--listen", "tcp://127.0.0.1:0", "--results",
                               dir.path() + "/out", "--expect-agents", "3", "--expect-timeout", "30s", "--http",
                               "127.0.0.1:0", "--http-token-file", dir.path() + "/token", "--http-linger", "60s"}));
  const std::string base = "http://" + http_address(*broker);
  auto relay_eu = start_relay(broker.address, "relay-eu", "eu");
  auto relay_us = start_relay(broker.address, "relay-us", "us");
  auto agent_eu = start_agent(relay_eu.address, "agent-eu", 1);
  auto agent_us = start_agent(relay_us.address, "agent-us", 1);
  // An agent that refuses the campaign (its --allow-target list): its error reaches the
  // broker's central log and the page's log panel.
  auto refuser = start_agent(relay_us.address, "refuser", 1, "us", {"--allow-target", "127.0.0.2"});

  const auto result = check_dashboard(base + "/?token=dash-t0ken", output_dir("dashboard_browser", "grid"),
                                      {"--click-stop", "--report-view"});
  BOOST_TEST(result["clicked_stop"] == true);
  BOOST_TEST(result["compared"].get<int>() > 100);
  BOOST_TEST(result["chart_points"].size() == 3u);
  BOOST_TEST(result["final_state"] == "finished");
  BOOST_TEST(result["nodes"].size() == 2u);
  const auto options = result["series_options"].dump();
  BOOST_TEST(options.find("region:eu") != std::string::npos, options);
  BOOST_TEST(options.find("request:err-503") != std::string::npos, options);
  const std::string log_rows = result["log_rows"].dump();
  BOOST_TEST(log_rows.find("\"node\":\"refuser\"") != std::string::npos, log_rows);
  BOOST_TEST(log_rows.find("campaign refused") != std::string::npos, log_rows);
  // The same renderer in report mode, offline, with a baseline (report-view.png).
  BOOST_TEST(result["report_view"]["better"].get<int>() > 0);

  // The page's stop button stopped the campaign as SIGINT would.
  const auto summary = read_json(dir.path() + "/out/summary.json");
  BOOST_TEST(summary["state"] == "interrupted");
  // The refusing agent sent no window, yet it is of its relay's region: no region without a name.
  BOOST_TEST(summary["regions"].size() == 2u, summary["regions"].dump());
  for (const auto& a : summary["agents"]) {
    if (a["id"] == "refuser") BOOST_TEST(a["region"] == "us");
  }
  BOOST_TEST(post(base + "/api/v1/stop", "dash-t0ken") == 202);  // ends the linger
  const auto code = broker->wait_for_exit(60s);
  BOOST_REQUIRE(code.has_value());
  BOOST_TEST(*code == 4);  // the err-503 threshold fails
}

// Without chart.js (LOADGRID_CHART_JS names a missing file) the page says so and still
// shows every figure; the broker logs it once. When the broker goes away (the linger
// ended), the page says "disconnected" and keeps the last figures.
BOOST_AUTO_TEST_CASE(without_chart_js_the_dashboard_shows_its_tables_and_says_why_no_charts) {
  TargetProcess target;
  TempDir dir;
  const auto campaign =
      write_campaign(dir.path(), "60s", 2, "[request.home]\nurl = " + target.url("/") + "\n", "think_time = 20ms\n");
  ChildProcess run({"/usr/bin/env", "LOADGRID_CHART_JS=" + dir.path() + "/absent/chart.min.js", kBinary, "run",
                    campaign, "--results", dir.path() + "/out", "--threads", "1", "--http", "127.0.0.1:0",
                    "--http-linger", "60s"});
  const std::string base = "http://" + http_address(run);
  const auto result = check_dashboard(base + "/", output_dir("dashboard_browser", "no_chart_js"),
                                      {"--no-charts", "--click-stop", "--end-linger"});
  BOOST_TEST(result["compared"].get<int>() > 30);
  // The script ended the linger; the page then said "disconnected" and kept the figures.
  BOOST_TEST(result["disconnected_shown"] == true);
  BOOST_TEST(run_to_end(run) == 0);
  const std::string err = run.err();
  const auto first = err.find("chart.js not installed");
  BOOST_TEST(first != std::string::npos, err);
  BOOST_TEST(err.find("chart.js not installed", first + 1) == std::string::npos, "logged more than once:\n" << err);
}

BOOST_AUTO_TEST_SUITE_END()

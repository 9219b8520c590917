// The workload language end to end through the real grid: a broker, one relay and two
// agents (real processes over loopback TCP) run campaigns against `loadgrid target` or
// Debian's nginx, and the tests assert observable numbers: arrival rate and dropped
// iterations, scenario weights, unique rows, extracted values sent back, stages,
// missing-variable reporting, and the protocol
// actually negotiated (from nginx's access log, which we did not write).

#include <cmath>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include <boost/test/unit_test.hpp>

#include "grid_fixture.hpp"
#include "support/nginx_server.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

// A campaign through broker -> relay -> two agents (one engine thread each). Returns the
// broker's exit code; the results are in `dir`.
struct GridRun {
  TempDir dir;
  int exit_code = -1;
  std::string broker_err;

  nlohmann::json summary() const { return read_json(dir.path() + "/summary.json"); }

  // `during`, when given, runs once the campaign has run for `after`, while it runs.
  GridRun(const std::string& campaign_text, std::function<void()> during = {}, std::chrono::milliseconds after = 0ms) {
    const std::string campaign = dir.path() + "/campaign.ini";
    std::ofstream(campaign) << campaign_text;
    auto broker = start_broker(campaign, dir.path(), 2);
    auto relay = start_relay(broker.address, "relay", "default");
    auto a = start_agent(relay.address, "agent-a", 1);
    auto b = start_agent(relay.address, "agent-b", 1);
    if (during) {
      // Waits (bounded) until summary.json shows the campaign `after` into its run: the
      // summary is rewritten every window, so this polls a condition, not a guess.
      const auto deadline = std::chrono::steady_clock::now() + 30s;
      bool reached = false;
      while (!reached && std::chrono::steady_clock::now() < deadline) {
        try {
          const auto summary = read_json(dir.path() + "/summary.json");
          reached = summary.at("state") == "running" &&
                    summary.at("elapsed_s").get<double>() * 1000 >= static_cast<double>(after.count());
        } catch (const std::exception&) {
          // not written yet
        }
        if (!reached) std::this_thread::sleep_for(20ms);
      }
      BOOST_TEST_REQUIRE(reached, "the campaign never ran " << after.count() << " ms: " << broker->err());
      during();
    }
    const auto code = broker->wait_for_exit(120s);
    broker_err = broker->err();
    if (!code) throw std::runtime_error("broker did not finish: " + broker_err);
    exit_code = *code;
    for (auto* agent : {a.get(), b.get()}) {
      agent->signal(SIGTERM);
      agent->wait_for_exit(10s);
    }
    relay->signal(SIGTERM);
    relay->wait_for_exit(10s);
  }
};

const nlohmann::json& request_row(const nlohmann::json& summary, const std::string& name) {
  for (const auto& r : summary.at("requests")) {
    if (r.at("name") == name) return r;
  }
  throw std::runtime_error("no request " + name + " in summary");
}

std::string header(const std::string& name, const std::string& duration) {
  return "[campaign]\nname = " + name + "\nduration = " + duration + "\ninterval = 500ms\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(workload_language)

BOOST_AUTO_TEST_CASE(open_model_runs_the_planned_arrivals_across_the_grid_and_the_target_serves_them) {
  TargetProcess target;
  GridRun run(header("open", "4s") +
              "[load]\nmodel = open\nrate = 100\nmax_users = 50\n[request.home]\nurl = " + target.url("/") + "\n");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
  const auto s = run.summary();
  const auto requests = s["total"]["requests"].get<uint64_t>();
  const auto dropped = s["total"]["dropped_iterations"].get<uint64_t>();
  // 100/s for 4 s: 400 arrivals split between two agents, each run or counted as dropped
  // (a few may fall on either side of the edges of the two agents' shares).
  BOOST_TEST(requests + dropped >= 398u);
  BOOST_TEST(requests + dropped <= 402u);
  BOOST_TEST(target.stats()["requests"].get<uint64_t>() == requests);
  BOOST_TEST(s["total"].contains("service_ms"));
}

BOOST_AUTO_TEST_CASE(open_model_counts_arrivals_that_find_no_free_user_as_dropped) {
  TargetProcess target;
  // Two users at most, each busy 200 ms per iteration: ~10 iterations/s of 50/s arrive.
  GridRun run(header("dropped", "3s") + "[load]\nmodel = open\nrate = 50\nmax_users = 2\n[request.slow]\nurl = " +
              target.url("/delay/200") + "\n");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
  const auto total = run.summary()["total"];
  const auto done = total["requests"].get<uint64_t>();
  const auto dropped = total["dropped_iterations"].get<uint64_t>();
  BOOST_TEST(dropped > 60u);
  BOOST_TEST(done + dropped >= 146u);  // every arrival is either run or dropped
  BOOST_TEST(done + dropped <= 151u);
  BOOST_TEST(request_row(run.summary(), "slow")["dropped_iterations"].get<uint64_t>() == dropped);
}

BOOST_AUTO_TEST_CASE(open_model_p99_shows_a_target_stall_and_the_closed_model_p99_does_not) {
  auto p99_with_stall = [](const std::string& load) {
    TargetProcess target;
    // One second into the 4 s campaign, the target holds every request for a second.
    GridRun run(
        header("stall", "4s") + load + "[request.home]\nurl = " + target.url("/") + "\ntimeout = 5s\n",
        [&] { http_get(target.url("/__stall/1000")); }, 1s);
    BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
    return run.summary()["total"]["latency_ms"]["p99"].get<double>();
  };
  const double open_p99 = p99_with_stall("[load]\nmodel = open\nrate = 200\nmax_users = 1000\n");
  const double closed_p99 = p99_with_stall("[load]\nusers = 2\n");
  BOOST_TEST(open_p99 >= 500.0);   // a second of arrivals waited on the stall
  BOOST_TEST(closed_p99 < 100.0);  // only the two requests in flight saw it
}

BOOST_AUTO_TEST_CASE(users_pick_scenarios_by_weight) {
  TargetProcess target;
  GridRun run(header("weights", "3s") +
              "[load]\nusers = 8\n"
              "[scenario.browse]\nweight = 3\nstep = request a\n"
              "[scenario.buy]\nweight = 1\nstep = request b\n"
              "[request.a]\nurl = " +
              target.url("/") + "\n[request.b]\nurl = " + target.url("/") + "\n");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
  const auto s = run.summary();
  const double a = request_row(s, "a")["requests"].get<double>();
  const double b = request_row(s, "b")["requests"].get<double>();
  // Every iteration picks independently: the share of `browse` is binomial around 3/4.
  // Within 5 standard deviations, a false alarm is about one in two million runs.
  const double n = a + b;
  BOOST_TEST_REQUIRE(n > 400.0);
  BOOST_TEST(std::abs(a / n - 0.75) < 5 * std::sqrt(0.75 * 0.25 / n), "browse share " << a / n << " of " << n);
}

BOOST_AUTO_TEST_CASE(stages_ramp_users_up_and_back_down_to_zero) {
  TargetProcess target;
  GridRun run(header("stages", "4s") +
              "[load]\nstages = 1s:6, 2s:6, 1s:0\nthink_time = 10ms\n[request.home]\nurl = " + target.url("/") + "\n");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
  std::ifstream in(run.dir.path() + "/timeseries.csv");
  std::string line;
  std::getline(in, line);  // header: window_start_unix_ms, elapsed_s, users, ...
  std::vector<int> users;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string start, elapsed, u;
    std::getline(fields, start, ',');
    std::getline(fields, elapsed, ',');
    std::getline(fields, u, ',');
    users.push_back(std::stoi(u));
  }
  BOOST_TEST_REQUIRE(users.size() >= 6u);
  BOOST_TEST(*std::max_element(users.begin(), users.end()) == 6);
  BOOST_TEST(users.back() <= 2);  // ramped down at the end
}

BOOST_AUTO_TEST_CASE(an_extracted_token_is_sent_back_by_later_steps) {
  TargetProcess target;
  GridRun run(header("extract", "2s") +
              "[load]\nusers = 4\n"
              "[scenario.login]\nstep = request login\nstep = request use\n"
              "[request.login]\nurl = " +
              target.url("/json/token/t${user}x") +
              "\nextract = tok json /token\nextract = hdr header X-Token\n"
              "[request.use]\nurl = " +
              target.url("/echo?tok=${tok}") +
              "\nheaders = X-Back: ${hdr}\n"
              "check = regex X-Back: t[0-9]+x\ncheck = contains tok=t\n");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
  const auto s = run.summary();
  BOOST_TEST(request_row(s, "use")["requests"].get<uint64_t>() > 20u);
  BOOST_TEST(s["total"]["failures"].get<uint64_t>() == 0u);
  BOOST_TEST(s["problems"].size() == 0u);
}

BOOST_AUTO_TEST_CASE(a_failed_check_is_an_assertion_failure_named_once_in_the_report) {
  TargetProcess target;
  GridRun run(header("checks", "2s") + "[load]\nusers = 2\n[request.home]\nurl = " + target.url("/") +
              "\ncheck = contains no-such-text\n");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
  const auto s = run.summary();
  const auto requests = s["total"]["requests"].get<uint64_t>();
  BOOST_TEST(requests > 10u);
  BOOST_TEST(s["total"]["failures_by_kind"]["assertion"].get<uint64_t>() == requests);
  BOOST_TEST_REQUIRE(s["problems"].size() == 1u);
  BOOST_TEST(s["problems"][0]["count"].get<uint64_t>() == requests);
  BOOST_TEST(s["problems"][0]["message"].get<std::string>().find("request 'home'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_missing_variable_fails_its_step_and_is_reported_once_per_name) {
  TargetProcess target;
  GridRun run(header("missing", "2s") +
              "[load]\nusers = 2\n"
              "[scenario.s]\nstep = request first\nstep = request second\n"
              "[request.first]\nurl = " +
              target.url("/") +
              "\nextract = tok regex token=([0-9]+)\n[request.second]\nurl = " + target.url("/echo?t=${tok}") + "\n");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
  const auto s = run.summary();
  const auto& second = request_row(s, "second");
  BOOST_TEST(second["failures_by_kind"]["assertion"].get<uint64_t>() == second["requests"].get<uint64_t>());
  std::set<std::string> messages;
  for (const auto& p : s["problems"]) messages.insert(p["message"].get<std::string>());
  BOOST_TEST(messages.count("request 'second': variable 'tok' is not set") == 1u);
  BOOST_TEST(messages.count("request 'first': extract 'tok' found nothing") == 1u);
  BOOST_TEST(messages.size() == 2u);
}

BOOST_AUTO_TEST_CASE(unique_rows_are_used_once_across_agents_and_running_out_is_reported) {
  NginxServer nginx;
  TempDir data;
  {
    std::ofstream csv(data.path() + "/ids.csv");
    csv << "id\n";
    for (int i = 0; i < 300; ++i) csv << "row" << i << "\n";
  }
  GridRun run(header("unique", "3s") + "[load]\nusers = 6\n[data.ids]\nfile = " + data.path() +
              "/ids.csv\nmode = unique\n[request.use]\nurl = " + nginx.http_url("/?id=${id}") + "\n");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
  std::map<std::string, int> seen;
  for (const auto& line : nginx.access_log()) {
    const auto at = line.uri.find("id=");
    if (at != std::string::npos) ++seen[line.uri.substr(at + 3)];
  }
  BOOST_TEST(seen.size() == 300u);  // all rows used (users ran through them)
  for (const auto& [id, n] : seen) BOOST_TEST(n == 1, id << " used " << n << " times");
  const auto s = run.summary();
  BOOST_TEST(s["total"]["requests"].get<uint64_t>() == 300u);
  bool reported = false;
  for (const auto& p : s["problems"])
    reported |= p["message"].get<std::string>().find("unique rows ran out") != std::string::npos;
  BOOST_TEST(reported);
}

BOOST_AUTO_TEST_CASE(http2_is_negotiated_over_tls_by_alpn_and_by_prior_knowledge_in_clear) {
  NginxServer nginx;
  GridRun run(header("h2", "2s") + "[load]\nusers = 2\nthink_time = 20ms\n" +
              "[request.tls]\nurl = " + nginx.https_url("/") + "\nhttp = 2\nca_file = " + nginx.ca_file() +
              "\n[request.h2c]\nurl = " + nginx.h2c_url("/") + "\nhttp = 2\n" +
              "[request.tls11]\nurl = " + nginx.https_url("/") + "\nhttp = 1.1\ntls_verify = false\n");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
  const auto s = run.summary();
  for (const char* name : {"tls", "h2c"}) {
    const auto& row = request_row(s, name);
    BOOST_TEST(row["failures"].get<uint64_t>() == 0u, name << ": " << row.dump());
    BOOST_TEST(row["protocols"]["HTTP/2"].get<uint64_t>() == row["requests"].get<uint64_t>(), name);
  }
  const auto& tls11 = request_row(s, "tls11");
  BOOST_TEST(tls11["protocols"]["HTTP/1.1"].get<uint64_t>() == tls11["requests"].get<uint64_t>());
  // What nginx saw, independently of what we counted.
  std::map<std::string, uint64_t> protocols;
  for (const auto& line : nginx.access_log()) ++protocols[line.protocol];
  BOOST_TEST(protocols["HTTP/2.0"] ==
             request_row(s, "tls")["requests"].get<uint64_t>() + request_row(s, "h2c")["requests"].get<uint64_t>());
  BOOST_TEST(protocols["HTTP/1.1"] == tls11["requests"].get<uint64_t>());
}

BOOST_AUTO_TEST_CASE(tls_verification_without_the_ca_fails_as_tls) {
  NginxServer nginx;
  GridRun run(header("tls", "1s") +
              "[load]\nusers = 1\nthink_time = 50ms\n[request.tls]\nurl = " + nginx.https_url("/") + "\n");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
  const auto row = request_row(run.summary(), "tls");
  BOOST_TEST(row["requests"].get<uint64_t>() > 0u);
  BOOST_TEST(row["failures_by_kind"]["tls"].get<uint64_t>() == row["requests"].get<uint64_t>());
}

BOOST_AUTO_TEST_CASE(each_iteration_opens_a_new_connection_only_when_asked) {
  auto connections_for = [](const std::string& reuse, uint64_t& iterations) {
    TargetProcess target;
    GridRun run(header("connections", "2s") + "[load]\nusers = 4\nconnections = " + reuse +
                "\n[scenario.s]\nstep = request a\nstep = request b\nstep = think 20ms\n"
                "[request.a]\nurl = " +
                target.url("/") + "\n[request.b]\nurl = " + target.url("/") + "\n");
    BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
    iterations = request_row(run.summary(), "a")["requests"].get<uint64_t>();
    // The target counts the connections it accepted; this /__stats request is one more.
    return target.stats()["connections"].get<uint64_t>() - 1;
  };
  uint64_t iterations = 0;
  BOOST_TEST(connections_for("per_user", iterations) == 4u);  // one per user, kept alive
  BOOST_TEST(iterations > 20u);
  BOOST_TEST(connections_for("per_iteration", iterations) == iterations);
}

BOOST_AUTO_TEST_CASE(data_rows_and_environment_values_become_variables) {
  TargetProcess target;
  TempDir data;
  std::ofstream(data.path() + "/people.csv") << "name,city\nann,oslo\nbob,\"rio, br\"\ncy,lima\n";
  std::ofstream(data.path() + "/colors.csv") << "color\nred\nblue\n";
  setenv("LOADGRID_TEST_TOKEN", "s3cret", 1);  // the broker resolves ${env.NAME} at plan time
  GridRun run(header("data", "2s") + "[load]\nusers = 4\nthink_time = 10ms\n" + "[data.people]\nfile = " + data.path() +
              "/people.csv\nmode = sequential\n[data.colors]\nfile = " + data.path() +
              "/colors.csv\nmode = random\n[request.echo]\nurl = " + target.url("/echo?n=${name}&c=${color}") +
              "\nheaders = X-City: ${city}\nheaders = X-Token: ${env.LOADGRID_TEST_TOKEN}\n"
              "check = regex n=(ann|bob|cy)&c=(red|blue)\ncheck = regex X-City: (oslo|rio, br|lima)\n"
              "check = contains X-Token: s3cret\n");
  unsetenv("LOADGRID_TEST_TOKEN");
  BOOST_TEST_REQUIRE(run.exit_code == 0, run.broker_err);
  const auto s = run.summary();
  BOOST_TEST(s["total"]["requests"].get<uint64_t>() > 20u);
  BOOST_TEST(s["total"]["failures"].get<uint64_t>() == 0u, s["problems"].dump());
}

BOOST_AUTO_TEST_SUITE_END()

// The broker's side of central logging (docs/adr/0018): the logs.jsonl line format, the
// recent-log ring the API shares, logs.jsonl's bound, GET /api/v1/logs, the broker's own
// warning rules (loop CPU, clock offset), and a BrokerNode taking children's records over
// real inproc ZeroMQ with a manual clock.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "broker/api_json.hpp"
#include "broker/api_router.hpp"
#include "broker/broker_node.hpp"
#include "broker/central_log.hpp"
#include "broker/grid_warnings.hpp"
#include "broker/results_writer.hpp"
#include "support/child_process.hpp"
#include "support/fake_peers.hpp"
#include "support/manual_clock.hpp"

using namespace std::chrono_literals;
using grid::broker::LogEntry;
using grid::broker::RecentLogs;
using grid::broker::SustainedLoad;
using grid::common::SteadyTime;
using grid::test::FakeChild;
using grid::test::ManualClock;
using grid::test::step_until;
using grid::test::TempDir;

namespace {

LogEntry entry(const std::string& node, const std::string& message, const std::string& level = "warning") {
  LogEntry e;
  e.time_unix_ms = 1796166749123;
  e.elapsed_s = 2.5;
  e.node = node;
  e.level = level;
  e.message = message;
  return e;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(central_log)

BOOST_AUTO_TEST_CASE(a_logs_jsonl_line_is_one_json_object_with_time_elapsed_node_level_and_message) {
  BOOST_TEST(grid::broker::log_jsonl_line(entry("a1", "disk \"full\"\nagain")) ==
             R"({"time_unix_ms":1796166749123,"elapsed_s":2.5,"node":"a1","level":"warning",)"
             R"("message":"disk \"full\"\nagain"})");
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_become_replacement_characters) {
  BOOST_TEST(grid::broker::utf8_or_replaced("ok \xC3\xA9") == "ok \xC3\xA9");
  BOOST_TEST(grid::broker::utf8_or_replaced("bad \xFF end") == "bad \xEF\xBF\xBD end");
  BOOST_TEST(grid::broker::log_jsonl_line(entry("a1", "\xFF")).find(R"("message":"\ufffd")") == std::string::npos);
  BOOST_CHECK_NO_THROW(nlohmann::json::parse(grid::broker::log_jsonl_line(entry("a\xFE", "\xFF"))));
}

BOOST_AUTO_TEST_CASE(recent_logs_number_entries_keep_the_last_thousand_and_answer_since_a_seq) {
  RecentLogs logs;
  for (int i = 1; i <= 2500; ++i) BOOST_TEST(logs.append(entry("a1", "m" + std::to_string(i))).seq == uint64_t(i));
  const auto view = logs.view();
  BOOST_TEST(view.total == 2500u);
  const auto last = view.after(0, RecentLogs::kKeep);
  BOOST_TEST_REQUIRE(last.size() == RecentLogs::kKeep);
  BOOST_TEST(last.front()->seq == 1501u);
  BOOST_TEST(last.back()->message == "m2500");
  const auto newer = view.after(2490, RecentLogs::kKeep);
  BOOST_TEST_REQUIRE(newer.size() == 10u);
  BOOST_TEST(newer.front()->seq == 2491u);
  BOOST_TEST(view.after(2500, RecentLogs::kKeep).empty());
}

BOOST_AUTO_TEST_CASE(a_snapshot_of_recent_logs_shares_the_full_chunks_and_copies_only_the_open_one) {
  RecentLogs logs;
  for (size_t i = 0; i < 3 * RecentLogs::kChunk + 5; ++i) logs.append(entry("a1", "m"));
  const auto a = logs.view();
  logs.append(entry("a1", "newer"));
  const auto b = logs.view();
  BOOST_TEST_REQUIRE(a.chunks.size() == 4u);
  BOOST_TEST_REQUIRE(b.chunks.size() == 4u);
  for (size_t i = 0; i < 3; ++i) BOOST_TEST(a.chunks[i].get() == b.chunks[i].get());  // shared, not copied
  BOOST_TEST(a.chunks[3]->size() == 5u);                                              // a's copy stays as it was
  BOOST_TEST(b.chunks[3]->back().message == "newer");
}

BOOST_AUTO_TEST_CASE(logs_jsonl_keeps_its_first_lines_and_counts_the_rest_then_takes_a_closing_line) {
  TempDir dir;
  grid::broker::ResultsWriter writer(dir.path(), 3);
  BOOST_TEST(lines_of(dir.path() + "/logs.jsonl").empty());  // there from the start
  for (int i = 0; i < 10; ++i) writer.append_log(entry("a1", "m" + std::to_string(i)));
  BOOST_TEST(writer.unwritten_logs() == 7u);
  auto lines = lines_of(dir.path() + "/logs.jsonl");  // flushed at once: readable now
  BOOST_TEST_REQUIRE(lines.size() == 3u);
  BOOST_TEST(nlohmann::json::parse(lines[2])["message"] == "m2");
  writer.append_log(entry("broker", "7 more"), true);
  lines = lines_of(dir.path() + "/logs.jsonl");
  BOOST_TEST_REQUIRE(lines.size() == 4u);
  BOOST_TEST(nlohmann::json::parse(lines[3])["message"] == "7 more");
}

BOOST_AUTO_TEST_CASE(get_logs_answers_records_after_since_with_dropped_and_total_and_a_bad_since_is_400) {
  RecentLogs logs;
  for (int i = 1; i <= 5; ++i) logs.append(entry("a" + std::to_string(i), "m" + std::to_string(i), "error"));
  auto snapshot = std::make_shared<grid::broker::ApiSnapshot>();
  snapshot->logs = logs.view();
  snapshot->logs.dropped = 17;
  grid::broker::SnapshotBox box;
  box.publish(snapshot);
  grid::broker::ApiRouter router(box, "", [] {});
  const auto all = nlohmann::ordered_json::parse(router.handle({"GET", "/api/v1/logs", ""}).body);
  BOOST_TEST(all["total"] == 5);
  BOOST_TEST(all["dropped"] == 17);
  BOOST_TEST_REQUIRE(all["logs"].size() == 5u);
  BOOST_TEST(all["logs"][0].dump() ==
             R"({"seq":1,"time_unix_ms":1796166749123,"elapsed_s":2.5,"node":"a1","level":"error","message":"m1"})");
  const auto since = nlohmann::json::parse(router.handle({"GET", "/api/v1/logs?x=1&since=3", ""}).body);
  BOOST_TEST_REQUIRE(since["logs"].size() == 2u);
  BOOST_TEST(since["logs"][0]["seq"] == 4);
  for (const std::string bad : {"-1", "abc", "", "3x", "99999999999999999999"}) {
    const auto r = router.handle({"GET", "/api/v1/logs?since=" + bad, ""});
    BOOST_TEST(r.status == 400, bad);
    BOOST_TEST(nlohmann::json::parse(r.body)["error"].get<std::string>().find("since") != std::string::npos);
  }
  BOOST_TEST(router.handle({"POST", "/api/v1/logs", ""}).status == 405);
}

BOOST_AUTO_TEST_CASE(a_load_above_the_threshold_for_the_whole_period_warns_then_once_per_repeat) {
  SustainedLoad rule = grid::broker::broker_cpu_rule();  // 80 %, 10 s, again after a minute
  const SteadyTime t0{1000s};
  for (int s = 0; s < 10; ++s) BOOST_TEST(!rule.observe(0.95, t0 + std::chrono::seconds(s)));
  BOOST_TEST(rule.observe(0.95, t0 + 10s));
  BOOST_TEST(rule.streak() == 10s);
  int again = 0;
  for (int s = 11; s <= 75; ++s) again += rule.observe(0.95, t0 + std::chrono::seconds(s));
  BOOST_TEST(again == 1);  // at 70 s
}

BOOST_AUTO_TEST_CASE(a_sample_at_or_below_the_threshold_ends_the_streak) {
  SustainedLoad rule(0.8, 10s, 60s);
  const SteadyTime t0{1000s};
  for (int s = 0; s < 9; ++s) rule.observe(0.9, t0 + std::chrono::seconds(s));
  BOOST_TEST(!rule.observe(0.8, t0 + 9s));  // exactly 80 %: not above
  BOOST_TEST(rule.streak() == 0s);
  BOOST_TEST(!rule.observe(0.9, t0 + 10s));
  BOOST_TEST(!rule.observe(0.9, t0 + 19s));
  BOOST_TEST(rule.observe(0.9, t0 + 20s));
  BOOST_TEST(grid::broker::broker_cpu_warning(0.93, 12s).find("broker loop thread CPU at 93% of a core for 12 s") ==
             0u);
}

BOOST_AUTO_TEST_CASE(a_clock_further_off_than_the_bound_either_way_is_warned_about) {
  BOOST_TEST(!grid::broker::clock_offset_warning("a1", 50'000, 50ms).has_value());
  BOOST_TEST(!grid::broker::clock_offset_warning("a1", -50'000, 50ms).has_value());
  BOOST_TEST(grid::broker::clock_offset_warning("a1", 75'400, 50ms).value() ==
             "clock of a1 is 75 ms off the broker's (bound 50 ms, --max-clock-offset)");
  BOOST_TEST(grid::broker::clock_offset_warning("a1", -2'000'000, 1s).value() ==
             "clock of a1 is -2000 ms off the broker's (bound 1000 ms, --max-clock-offset)");
}

BOOST_AUTO_TEST_CASE(a_loop_thread_that_works_has_cpu_time) {
  const double before = grid::broker::thread_cpu_seconds();
  volatile double x = 0;
  for (int i = 0; i < 5'000'000; ++i) x = x + i;  // bounded busy work on this thread
  BOOST_TEST(grid::broker::thread_cpu_seconds() > before);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

grid::broker::Campaign small_campaign() {
  grid::broker::Campaign c;
  c.name = "logs";
  c.duration = 10s;
  c.interval = 1s;
  c.users = 2;
  grid::wire::RequestSpec r;
  r.name = "home";
  r.url = "http://127.0.0.1:1/";
  r.timeout_ms = 1000;
  c.requests = {r};
  return c;
}

grid::wire::LogRecord record(const std::string& node, const std::string& text, int64_t time_unix_ms) {
  grid::wire::LogRecord r;
  r.level = grid::wire::LogLevel::warning;
  r.text = text;
  r.node = node;
  r.time_unix_ms = time_unix_ms;
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(broker_central_log)

BOOST_AUTO_TEST_CASE(records_of_children_land_in_logs_jsonl_and_the_warnings_with_their_node_and_time) {
  TempDir dir;
  zmq::context_t context;
  ManualClock clock;
  grid::broker::BrokerOptions o;
  o.id = "broker-logs";
  o.listen = "inproc://broker-logs";
  o.results_dir = dir.path();
  o.quiet = true;
  grid::broker::BrokerNode broker(context, small_campaign(), o, clock);
  broker.start();
  FakeChild relay(context, "inproc://broker-logs", "relay-a");
  relay.hello(grid::wire::NodeKind::relay);
  const int64_t now_ms = grid::common::to_unix_us(clock.wall_now()) / 1000;
  relay.send(record("a7", "forwarded through a relay", now_ms - 250));  // names its node
  grid::wire::LogRecord old;                                            // an older node: no node, no time
  old.level = grid::wire::LogLevel::error;
  old.text = "from an old node";
  relay.send(old);
  relay.send(record("a7", "info is not central", now_ms));
  BOOST_TEST_REQUIRE(step_until([&] { return broker.report().warnings.size() >= 2; }, [&] { broker.step(); }));
  const auto lines = lines_of(dir.path() + "/logs.jsonl");
  BOOST_TEST_REQUIRE(lines.size() >= 2u);
  const auto first = nlohmann::json::parse(lines[0]);
  BOOST_TEST(first["node"] == "a7");
  BOOST_TEST(first["level"] == "warning");
  BOOST_TEST(first["time_unix_ms"] == now_ms - 250);
  BOOST_TEST(first["message"] == "forwarded through a relay");
  const auto second = nlohmann::json::parse(lines[1]);
  BOOST_TEST(second["node"] == "relay-a");
  BOOST_TEST(second["level"] == "error");
  BOOST_TEST(second["time_unix_ms"] == now_ms);  // the arrival (the manual clock has not moved)
  BOOST_TEST(broker.report().warnings[0] == "[0.0s] a7: forwarded through a relay");
  BOOST_TEST(broker.report().warnings[1] == "[0.0s] relay-a: from an old node");
}

BOOST_AUTO_TEST_CASE(a_flood_from_an_older_child_is_cut_at_the_broker_and_counted_in_the_health) {
  TempDir dir;
  zmq::context_t context;
  ManualClock clock;
  grid::broker::BrokerOptions o;
  o.id = "broker-flood";
  o.listen = "inproc://broker-flood";
  o.results_dir = dir.path();
  o.quiet = true;
  grid::broker::BrokerNode broker(context, small_campaign(), o, clock);
  broker.start();
  FakeChild agent(context, "inproc://broker-flood", "noisy");
  agent.hello();
  grid::wire::LogRecord r;
  r.level = grid::wire::LogLevel::warning;
  for (int i = 0; i < 1000; ++i) {
    r.text = "again " + std::to_string(i);
    agent.send(r);
  }
  // Each record is either written (logs.jsonl) or counted as dropped (summary.json's
  // health, refreshed at the broker's ticks): together, every one of them.
  auto written = [&] {
    size_t n = 0;
    for (const auto& line : lines_of(dir.path() + "/logs.jsonl")) n += nlohmann::json::parse(line)["node"] == "noisy";
    return n;
  };
  BOOST_TEST_REQUIRE(step_until([&] { return written() + broker.report().dropped_log_records == 1000; },
                                [&] {
                                  clock.advance(100ms);
                                  broker.step();
                                }));
  // Twice a node's own burst passes at once, then twice its rate (the time the steps took).
  const auto allowed = static_cast<size_t>(grid::common::LogLimits::kBurst * grid::common::LogLimits::kForwardFactor);
  BOOST_TEST(written() >= allowed);
  BOOST_TEST(written() <= allowed + 200);
  BOOST_TEST(broker.report().warnings.size() == written());
}

BOOST_AUTO_TEST_SUITE_END()

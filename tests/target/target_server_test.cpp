// Behaviour of TargetServer over real loopback sockets: routes, keep-alive, pipelining,
// delays and the /__stats counters.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "target/http_status.hpp"
#include "target/http_test_client.hpp"
#include "target/route.hpp"
#include "target/running_target.hpp"
#include "target/target_server.hpp"

namespace {

using grid::target::TargetOptions;
using grid::target::TargetServer;
using grid::target::testing::elapsed_ms;
using grid::target::testing::fetch_stats;
using grid::target::testing::get;
using grid::target::testing::HttpResponse;
using grid::target::testing::HttpTestClient;
using grid::target::testing::loopback_options;
using grid::target::testing::make_request;
using grid::target::testing::RunningTarget;
using Clock = std::chrono::steady_clock;

}  // namespace

BOOST_AUTO_TEST_SUITE(target_server)

BOOST_AUTO_TEST_CASE(root_answers_200_with_the_hello_body) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const HttpResponse response = client.request(get("/"));
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.body == std::string(grid::target::hello_body()));
  BOOST_TEST(response.header("content-length") == std::to_string(response.body.size()));
  BOOST_TEST(response.body.size() >= 80u);
}

BOOST_AUTO_TEST_CASE(keep_alive_serves_several_requests_on_one_connection) {
  RunningTarget target;
  HttpTestClient client(target.port());
  for (int i = 0; i < 10; ++i) {
    const HttpResponse response = client.request(get("/"));
    BOOST_TEST(response.status == 200);
    BOOST_TEST(response.header("connection").empty());
  }
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_all_answered_in_order) {
  RunningTarget target;
  HttpTestClient client(target.port());
  // A delayed request in the middle must not let later ones overtake it.
  client.send(get("/status/201") + get("/delay/30") + get("/bytes/7") + get("/status/503") + get("/nowhere") +
              make_request("POST", "/status/202", "", "body!"));
  const int expected_status[] = {201, 200, 200, 503, 404, 202};
  for (const int status : expected_status) {
    BOOST_TEST(client.read_response().status == status);
  }
  BOOST_TEST(client.request(get("/")).status == 200);
}

BOOST_AUTO_TEST_CASE(status_path_answers_with_that_code) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const HttpResponse response = client.request(get("/status/503"));
  BOOST_TEST(response.status == 503);
  BOOST_TEST(response.body == "503 Service Unavailable\n");
  BOOST_TEST(client.request(get("/status/204")).body.empty());
  BOOST_TEST(client.request(get("/status/599")).status == 599);
}

BOOST_AUTO_TEST_CASE(status_outside_200_to_599_is_a_bad_request) {
  RunningTarget target;
  HttpTestClient client(target.port());
  for (const char* path : {"/status/100", "/status/199", "/status/600", "/status/abc"}) {
    BOOST_TEST_CONTEXT(path) { BOOST_TEST(client.request(get(path)).status == 400); }
  }
}

BOOST_AUTO_TEST_CASE(bytes_path_answers_with_that_many_bytes) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const HttpResponse small = client.request(get("/bytes/1000"));
  BOOST_TEST(small.status == 200);
  BOOST_TEST(small.body.size() == 1000u);
  // Large bodies are streamed from the filler chunk rather than buffered.
  const HttpResponse large = client.request(get("/bytes/3000000"));
  BOOST_TEST(large.body.size() == 3000000u);
  BOOST_TEST(client.request(get("/bytes/0")).body.empty());
  BOOST_TEST(client.request(get("/bytes/16777217")).status == 400);
}

BOOST_AUTO_TEST_CASE(head_request_gets_the_length_but_no_body) {
  RunningTarget target;
  HttpTestClient client(target.port());
  client.send(make_request("HEAD", "/bytes/500"));
  const HttpResponse response = client.read_response(/*head_only=*/true);
  BOOST_TEST(response.header("content-length") == "500");
  BOOST_TEST(client.request(get("/")).status == 200);  // no stray body bytes in between
}

BOOST_AUTO_TEST_CASE(unknown_path_is_404_and_query_strings_are_ignored) {
  RunningTarget target;
  HttpTestClient client(target.port());
  BOOST_TEST(client.request(get("/missing")).status == 404);
  BOOST_TEST(client.request(get("/?x=1")).status == 200);
  BOOST_TEST(client.request(get("/status/418?x=/bytes/1")).status == 418);
}

BOOST_AUTO_TEST_CASE(delay_path_answers_after_the_delay) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const auto start = Clock::now();
  const HttpResponse response = client.request(get("/delay/50"));
  BOOST_TEST(response.status == 200);
  BOOST_TEST(elapsed_ms(start) >= 50);
}

BOOST_AUTO_TEST_CASE(delayed_responses_do_not_block_other_connections) {
  RunningTarget target(loopback_options(1));
  HttpTestClient slow(target.port());
  slow.send(get("/delay/60000"));
  HttpTestClient fast(target.port());
  BOOST_TEST(fast.request(get("/")).status == 200);
}

BOOST_AUTO_TEST_CASE(default_delay_is_added_to_every_response_but_stats) {
  TargetOptions options = loopback_options();
  options.default_delay = std::chrono::milliseconds(30);
  options.jitter = std::chrono::milliseconds(5);
  RunningTarget target(options);
  HttpTestClient client(target.port());
  auto start = Clock::now();
  BOOST_TEST(client.request(get("/")).status == 200);
  BOOST_TEST(elapsed_ms(start) >= 30);
  start = Clock::now();
  BOOST_TEST(client.request(get("/delay/20")).status == 200);
  BOOST_TEST(elapsed_ms(start) >= 50);
}

BOOST_AUTO_TEST_CASE(stats_count_every_request_served_exactly) {
  RunningTarget target;
  const std::vector<std::pair<std::string, int>> plan = {{"/", 10},       {"/status/503", 7}, {"/bytes/10", 5},
                                                         {"/delay/1", 3}, {"/nowhere", 4},    {"/status/42", 2},
                                                         {"/?page=2", 6}};
  std::vector<std::unique_ptr<HttpTestClient>> clients;
  for (int i = 0; i < 6; ++i) clients.push_back(std::make_unique<HttpTestClient>(target.port()));
  std::size_t next = 0;
  int total = 0;
  for (const auto& [path, count] : plan) {
    for (int i = 0; i < count; ++i, ++total) {
      clients[next++ % clients.size()]->request(get(path));
    }
  }
  BOOST_REQUIRE_EQUAL(total, 37);

  const nlohmann::json stats = fetch_stats(target.port());
  BOOST_TEST(stats["requests"].get<int>() == 37);
  const std::map<std::string, int> expected = {{"/", 16},       {"/status/503", 7}, {"/bytes/10", 5},
                                               {"/delay/1", 3}, {"/nowhere", 4},    {"/status/42", 2}};
  const auto paths = stats["paths"].get<std::map<std::string, int>>();
  BOOST_TEST((paths == expected));
  // /__stats itself is not counted.
  BOOST_TEST(fetch_stats(target.port())["requests"].get<int>() == 37);
  BOOST_TEST(target.server().requests_served() == 37u);
}

BOOST_AUTO_TEST_CASE(reset_zeroes_the_counters_of_every_thread) {
  RunningTarget target;
  for (int i = 0; i < 8; ++i) HttpTestClient(target.port()).request(get("/"));
  HttpTestClient client(target.port());
  const HttpResponse reset = client.request(make_request("DELETE", "/__stats"));
  BOOST_TEST(nlohmann::json::parse(reset.body)["requests"].get<int>() == 8);
  BOOST_TEST(fetch_stats(target.port())["requests"].get<int>() == 0);
  client.request(get("/"));
  client.request(get("/__reset"));
  BOOST_TEST(fetch_stats(target.port())["paths"].empty());
}

BOOST_AUTO_TEST_CASE(http10_request_is_answered_then_closed) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const HttpResponse response = client.request(make_request("GET", "/", "", "", "HTTP/1.0"));
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.header("connection") == "close");
  BOOST_TEST(client.wait_for_close());
}

BOOST_AUTO_TEST_CASE(http10_keep_alive_is_honoured) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const std::string request = make_request("GET", "/", "Connection: keep-alive\r\n", "", "HTTP/1.0");
  BOOST_TEST(client.request(request).header("connection") == "keep-alive");
  BOOST_TEST(client.request(request).status == 200);
}

BOOST_AUTO_TEST_CASE(connection_close_closes_after_the_response) {
  RunningTarget target;
  HttpTestClient client(target.port());
  client.send(get("/", "Connection: close\r\n") + get("/"));
  const HttpResponse response = client.read_response();
  BOOST_TEST(response.header("connection") == "close");
  BOOST_TEST(client.wait_for_close());  // the second request is never answered
}

BOOST_AUTO_TEST_CASE(request_bodies_are_consumed_before_the_next_request) {
  RunningTarget target;
  HttpTestClient client(target.port());
  // Larger than the input buffer, so the body spans many reads.
  const std::string body(100'000, 'b');
  client.send(make_request("POST", "/status/201", "", body) + get("/bytes/3"));
  BOOST_TEST(client.read_response().status == 201);
  BOOST_TEST(client.read_response().body.size() == 3u);
}

BOOST_AUTO_TEST_CASE(expect_100_continue_gets_an_interim_response_before_the_body) {
  RunningTarget target;
  HttpTestClient client(target.port());
  client.send(make_request("POST", "/status/201", "Expect: 100-continue\r\nContent-Length: 4\r\n"));
  // The interim response has no Content-Length, so read it as raw bytes.
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  BOOST_TEST(client.read_exactly(interim.size()) == interim);
  client.send("body");
  BOOST_TEST(client.read_response().status == 201);
  BOOST_TEST(client.request(get("/")).status == 200);
}

BOOST_AUTO_TEST_CASE(pipelining_far_ahead_of_reading_is_backpressured_not_lost) {
  RunningTarget target;
  HttpTestClient client(target.port());
  std::string burst;
  for (int i = 0; i < 200; ++i) burst += get("/bytes/10000");
  client.send(burst);
  for (int i = 0; i < 200; ++i) BOOST_REQUIRE_EQUAL(client.read_response().body.size(), 10000u);
}

BOOST_AUTO_TEST_CASE(constructor_reports_a_port_already_in_use) {
  RunningTarget first;
  TargetOptions options;
  options.port = first.port();
  try {
    TargetServer second(options);
    BOOST_FAIL("binding a taken port must throw");
  } catch (const std::runtime_error& error) {
    const std::string expected = "127.0.0.1:" + std::to_string(first.port());
    BOOST_TEST(std::string(error.what()).find(expected) != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(stop_makes_run_return) {
  TargetServer server(loopback_options());
  std::thread serving([&server] { server.run(); });
  BOOST_TEST(HttpTestClient(server.port()).request(get("/")).status == 200);
  server.stop();
  serving.join();
  BOOST_TEST(server.requests_served() == 1u);
}

BOOST_AUTO_TEST_CASE(stop_before_run_makes_run_return_at_once) {
  TargetServer server(loopback_options(1));
  server.stop();
  server.run();
  BOOST_TEST(server.threads() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

// The routes that workload tests lean on, over real loopback sockets: /echo sends the
// request back as received, /json/token/<value> gives checks and extraction something to
// find, and /__stall/<ms> holds every request on every worker for a while.
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "target/http_test_client.hpp"
#include "target/route.hpp"
#include "target/running_target.hpp"

namespace {

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

BOOST_AUTO_TEST_SUITE(workload_routes)

BOOST_AUTO_TEST_CASE(echo_returns_the_request_line_headers_and_body_as_received) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const std::string request =
      make_request("POST", "/echo?user=7&q=a%20b", "X-Token: abc\r\nContent-Type: application/json\r\n", R"({"n":1})");
  const HttpResponse response = client.request(request);
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.header("content-type") == "text/plain");
  BOOST_TEST(response.body == request);
  BOOST_TEST(response.body.find("\r\nX-Token: abc\r\n") != std::string::npos);
  // Without a body the echo ends with the blank line; bare LF endings stay as sent.
  const std::string bare = "GET /echo HTTP/1.1\nHost: lf\n\n";
  BOOST_TEST(client.request(bare).body == bare);
  BOOST_TEST(fetch_stats(target.port())["paths"]["/echo"].get<int>() == 2);
}

BOOST_AUTO_TEST_CASE(echo_of_a_body_spanning_many_reads_is_complete) {
  RunningTarget target;
  HttpTestClient client(target.port());
  std::string body;
  for (int i = 0; body.size() < 300'000; ++i) body += std::to_string(i) + ",";
  const std::string request = make_request("PUT", "/echo", "", body);
  const HttpResponse response = client.request(request);
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.body.size() == request.size());
  BOOST_TEST((response.body == request));
  BOOST_TEST(client.request(get("/")).status == 200);
}

BOOST_AUTO_TEST_CASE(echo_keeps_pipelined_requests_in_order) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const std::string first = make_request("POST", "/echo", "", "first body");
  const std::string third = make_request("POST", "/echo", "X-N: 3\r\n", "third");
  client.send(first + get("/status/201") + third + get("/json/token/t4"));
  BOOST_TEST(client.read_response().body == first);
  BOOST_TEST(client.read_response().status == 201);
  BOOST_TEST(client.read_response().body == third);
  BOOST_TEST(client.read_response().header("x-token") == "t4");
}

BOOST_AUTO_TEST_CASE(echo_with_expect_continue_echoes_the_body_sent_after_the_interim_response) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const std::string head = make_request("POST", "/echo", "Expect: 100-continue\r\nContent-Length: 5\r\n");
  client.send(head);
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  BOOST_TEST(client.read_exactly(interim.size()) == interim);
  client.send("hello");
  BOOST_TEST(client.read_response().body == head + "hello");
}

BOOST_AUTO_TEST_CASE(echo_of_a_head_request_has_the_length_but_no_body) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const std::string request = make_request("HEAD", "/echo");
  client.send(request);
  const HttpResponse response = client.read_response(/*head_only=*/true);
  BOOST_TEST(response.header("content-length") == std::to_string(request.size()));
  BOOST_TEST(client.request(get("/")).status == 200);  // no stray body bytes in between
}

BOOST_AUTO_TEST_CASE(echo_body_over_one_mebibyte_is_413_and_the_connection_goes_on) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const std::string body(grid::target::kMaxEchoBody + 1, 'x');
  client.send(make_request("POST", "/echo", "", body) + get("/bytes/3"));
  const HttpResponse response = client.read_response();
  BOOST_TEST(response.status == 413);
  BOOST_TEST(response.body.find("1048576") != std::string::npos);
  BOOST_TEST(client.read_response().body.size() == 3u);
  // Exactly at the limit is echoed.
  const std::string at_limit(grid::target::kMaxEchoBody, 'y');
  BOOST_TEST(client.request(make_request("POST", "/echo", "", at_limit)).status == 200);
}

BOOST_AUTO_TEST_CASE(echo_cut_short_by_eof_closes_the_connection_unanswered) {
  RunningTarget target;
  HttpTestClient client(target.port());
  client.send(make_request("POST", "/echo", "Content-Length: 10\r\n") + "abc");
  client.shutdown_send();
  BOOST_TEST(client.wait_for_close());
  BOOST_TEST(fetch_stats(target.port())["requests"].get<int>() == 0);
}

BOOST_AUTO_TEST_CASE(json_token_answers_json_naming_the_token_and_an_x_token_header) {
  RunningTarget target;
  HttpTestClient client(target.port());
  const HttpResponse response = client.request(get("/json/token/Ab-9_z?ignored=1"));
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.header("content-type") == "application/json");
  BOOST_TEST(response.header("x-token") == "Ab-9_z");
  BOOST_TEST(response.body == R"({"token":"Ab-9_z","n":42,"ok":true,"items":[1,2,3]})");
  const nlohmann::json json = nlohmann::json::parse(response.body);
  BOOST_TEST(json.at(nlohmann::json::json_pointer("/token")).get<std::string>() == "Ab-9_z");
  BOOST_TEST(json.at(nlohmann::json::json_pointer("/items/2")).get<int>() == 3);
  BOOST_TEST(client.request(get("/json/token/a.b")).status == 400);
  BOOST_TEST(client.request(get("/json/token/")).status == 400);
}

BOOST_AUTO_TEST_CASE(json_token_survives_a_delay) {
  grid::target::TargetOptions options = loopback_options();
  options.default_delay = std::chrono::milliseconds(20);
  RunningTarget target(options);
  HttpTestClient client(target.port());
  // Pipelined: the delayed response must not read its token from a reused input buffer.
  client.send(get("/json/token/first") + get("/json/token/second"));
  BOOST_TEST(client.read_response().header("x-token") == "first");
  const HttpResponse second = client.read_response();
  BOOST_TEST(second.header("x-token") == "second");
  BOOST_TEST(second.body.find(R"("token":"second")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(stall_holds_requests_on_every_worker_until_it_ends) {
  RunningTarget target(loopback_options(2));
  const auto start = Clock::now();
  const HttpResponse stall = HttpTestClient(target.port()).request(get("/__stall/200"));
  BOOST_TEST(stall.status == 200);
  BOOST_TEST(stall.body == "holding every request for 200 ms\n");
  // Eight connections spread over both workers (SO_REUSEPORT); every one is held.
  std::vector<std::unique_ptr<HttpTestClient>> clients;
  for (int i = 0; i < 8; ++i) {
    clients.push_back(std::make_unique<HttpTestClient>(target.port()));
    clients.back()->send(get(i == 0 ? "/delay/20" : "/"));
  }
  for (std::size_t i = 0; i < clients.size(); ++i) {
    BOOST_TEST(clients[i]->read_response().status == 200);
    // The stall began after `start`, and a held request is served normally afterwards:
    // its own delay counts from the end of the stall.
    BOOST_TEST(elapsed_ms(start) >= (i == 0 ? 220 : 200));
  }
  BOOST_TEST(fetch_stats(target.port())["requests"].get<int>() == 8);
}

BOOST_AUTO_TEST_CASE(held_requests_leave_the_worker_free_for_control_routes) {
  RunningTarget target(loopback_options(1));
  BOOST_TEST(HttpTestClient(target.port()).request(get("/__stall/600000")).status == 200);
  HttpTestClient held(target.port());
  held.send(get("/status/202"));
  // The one worker still answers control routes, and nothing has been served yet.
  BOOST_TEST(fetch_stats(target.port())["requests"].get<int>() == 0);
  // A shorter stall replaces the long one for requests that arrive from now on.
  BOOST_TEST(HttpTestClient(target.port()).request(get("/__stall/0")).status == 200);
  BOOST_TEST(HttpTestClient(target.port()).request(get("/")).status == 200);
  const nlohmann::json stats = fetch_stats(target.port());
  BOOST_TEST(stats["requests"].get<int>() == 1);
  BOOST_TEST(stats["paths"].size() == 1u);  // "/": neither /__stall nor the held /status/202
  BOOST_TEST(target.server().requests_served() == 1u);
}

BOOST_AUTO_TEST_CASE(stall_outside_0_to_600000_is_a_bad_request) {
  RunningTarget target;
  HttpTestClient client(target.port());
  BOOST_TEST(client.request(get("/__stall/600001")).status == 400);
  BOOST_TEST(client.request(get("/__stall/x")).status == 400);
  BOOST_TEST(client.request(get("/")).status == 200);  // and nothing was stalled
}

BOOST_AUTO_TEST_SUITE_END()

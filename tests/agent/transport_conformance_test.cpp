// Transport conformance (issue 9): every case runs the same request definition through an
// Engine twice, served by libcurl (native = false) and by the native HTTP/1.1 client
// (native = true), and checks the outcome the case expects and that both transports
// report identical figures: requests, failures by kind, statuses, HTTP versions, bytes
// sent and received (where they do not depend on timing) and how many latencies were
// recorded, against the built-in target, Debian's nginx and a scripted server for what
// well-behaved servers never do (tests/support/scripted_http_server.hpp).
//
// This file: outcomes (success, each failure kind, timing instants, body framings).
// transport_conformance_connections_test.cpp: connection handling (keep-alive, closes,
// resets, retries, responses without a body, interim responses).
//
// Timing: latencies are checked against physical lower bounds (a 200 ms delay is never
// measured below 200 ms) and against each other with a generous tolerance, enough to tell
// a latency measured from the wrong instant (after the delay, from the first byte, a
// timeout restarted per read) from noise, never against a speed.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/in_process_target.hpp"
#include "support/refused_port.hpp"
#include "support/scripted_http_server.hpp"
#include "transport_conformance_harness.hpp"

using namespace grid;
using namespace grid::test;
using namespace std::chrono_literals;
using wire::FailureKind;

namespace {

// Two latencies of the same case on the two transports may differ by this much.
constexpr uint64_t kToleranceUs = 100'000;

// What every request of a run must come to.
struct Expected {
  std::optional<FailureKind> failure;  // every request fails so; none: every request succeeds
  uint16_t status = 200;               // every request got this status; 0: none got one
  uint16_t version = 11;               // of that status
};

void expect_outcome(const Observed& o, uint64_t n, const Expected& e) {
  const auto& s = o.stats;
  BOOST_TEST(s.requests == n);
  BOOST_TEST(s.failed() == (e.failure ? n : 0u), observable(s));
  if (e.failure) BOOST_TEST(s.failures[*e.failure] == n, observable(s));
  if (e.status == 0) {
    BOOST_TEST(s.status_codes.empty(), observable(s));
    return;
  }
  BOOST_TEST_REQUIRE(s.status_codes.size() == 1u, observable(s));
  BOOST_TEST(s.status_codes[0].code == e.status);
  BOOST_TEST(s.status_codes[0].count == n);
  BOOST_TEST_REQUIRE(s.http_versions.size() == 1u, observable(s));
  BOOST_TEST(s.http_versions[0].code == e.version);
  BOOST_TEST(s.http_versions[0].count == n);
}

// Checks the absolute expectation on both transports, then that they agree.
void expect_conformance(const BothTransports& b, uint64_t n, const Expected& e, Compare what = {}) {
  BOOST_TEST_CONTEXT("curl") { expect_outcome(b.curl, n, e); }
  BOOST_TEST_CONTEXT("native") { expect_outcome(b.native, n, e); }
  BOOST_TEST(observable(b.curl.stats, what) == observable(b.native.stats, what));
  BOOST_TEST(b.curl.problems == b.native.problems);
}

// Both transports measured at least `at_least_us` at the median, and within the tolerance
// of each other.
void expect_latency(const BothTransports& b, uint64_t at_least_us) {
  const uint64_t curl = b.curl.stats.latency_us.percentile(50), native = b.native.stats.latency_us.percentile(50);
  BOOST_TEST(curl >= at_least_us);
  BOOST_TEST(native >= at_least_us);
  BOOST_TEST((curl > native ? curl - native : native - curl) <= kToleranceUs,
             "p50 curl " << curl << " us, native " << native << " us");
}

ConformanceRun run_of(wire::RequestSpec spec, uint64_t requests = 3) {
  ConformanceRun run;
  run.spec = std::move(spec);
  run.requests = requests;
  return run;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transport_conformance)

BOOST_AUTO_TEST_CASE(a_200_with_a_content_length_body_succeeds_with_the_same_bytes) {
  InProcessTarget target;
  const auto builtin = run_both(run_of(request("ok", target.url("/bytes/1000"))), "built-in /bytes/1000");
  expect_conformance(builtin, 3, {});
  BOOST_TEST(builtin.curl.stats.bytes_received >= 3 * 1000u);

  const auto nginx = conformance_nginx();
  const auto served = run_both(run_of(request("ok", nginx->http_url("/static/body.txt"))), "nginx /static/body.txt");
  expect_conformance(served, 3, {});
  BOOST_TEST(served.curl.stats.bytes_received >= 3 * kNginxBodyBytes);

  ScriptedHttpServer scripted;
  const std::string answer = response(200, filler(1000));
  scripted.on("/ok", {ScriptStep::send(answer)});
  const auto exact = run_both(run_of(request("ok", scripted.url("/ok"))), "scripted 200 Content-Length 1000");
  expect_conformance(exact, 3, {});
  BOOST_TEST(exact.curl.stats.bytes_received == 3 * answer.size());
}

BOOST_AUTO_TEST_CASE(the_request_bytes_are_the_same_on_both_transports) {
  // /echo answers with the request as received: equal bytes received mean equal bytes
  // sent, byte for byte in length, head and body.
  InProcessTarget target;
  const auto get = run_both(run_of(request("echo", target.url("/echo?q=1"))), "built-in GET /echo");
  expect_conformance(get, 3, {});
  auto post = request("post", target.url("/echo"));
  post.method = "POST";
  post.body = filler(1000);
  post.headers = {"X-Conformance: yes", "Content-Type: application/octet-stream"};
  const auto posted = run_both(run_of(post), "built-in POST /echo with a body and headers");
  expect_conformance(posted, 3, {});
  BOOST_TEST(posted.curl.stats.bytes_sent >= 3 * 1000u);
  BOOST_TEST(posted.curl.stats.bytes_received >= posted.curl.stats.bytes_sent);
  auto put = request("put", target.url("/echo"));
  put.method = "PUT";
  put.body = "{\"a\":1}";
  expect_conformance(run_both(run_of(put), "built-in PUT /echo"), 3, {});
}

BOOST_AUTO_TEST_CASE(latency_runs_from_the_request_start_to_the_last_byte) {
  // A response that starts 200 ms late, and one whose head comes at once but whose body
  // ends 200 ms later: both are 200 ms, from the start to the last byte. nginx-light
  // cannot delay a response (see /slow/ in the dribble cases).
  InProcessTarget target;
  const auto delayed = run_both(run_of(request("delay", target.url("/delay/200")), 2), "built-in /delay/200");
  expect_conformance(delayed, 2, {});
  expect_latency(delayed, 200'000);

  ScriptedHttpServer scripted;
  scripted.on("/late-body", {ScriptStep::send(response_head(200, {"Content-Length: 100"})), ScriptStep::wait(200ms),
                             ScriptStep::send(filler(100))});
  const auto late = run_both(run_of(request("late", scripted.url("/late-body")), 2), "scripted body 200 ms after head");
  expect_conformance(late, 2, {});
  expect_latency(late, 200'000);
}

BOOST_AUTO_TEST_CASE(a_4xx_status_is_an_http_4xx_failure) {
  const Expected not_found{FailureKind::http_4xx, 404};
  InProcessTarget target;
  expect_conformance(run_both(run_of(request("404", target.url("/status/404"))), "built-in 404"), 3, not_found);
  const auto nginx = conformance_nginx();
  expect_conformance(run_both(run_of(request("404", nginx->http_url("/status/404"))), "nginx 404"), 3, not_found);
  ScriptedHttpServer scripted;
  scripted.on("/404", {ScriptStep::send(response(404, "nope\n"))});
  expect_conformance(run_both(run_of(request("404", scripted.url("/404"))), "scripted 404"), 3, not_found);
}

BOOST_AUTO_TEST_CASE(a_5xx_status_is_an_http_5xx_failure) {
  const Expected unavailable{FailureKind::http_5xx, 503};
  InProcessTarget target;
  expect_conformance(run_both(run_of(request("503", target.url("/status/503"))), "built-in 503"), 3, unavailable);
  const auto nginx = conformance_nginx();
  expect_conformance(run_both(run_of(request("503", nginx->http_url("/status/503"))), "nginx 503"), 3, unavailable);
  ScriptedHttpServer scripted;
  scripted.on("/503", {ScriptStep::send(response(503, "later\n"))});
  expect_conformance(run_both(run_of(request("503", scripted.url("/503"))), "scripted 503"), 3, unavailable);
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_a_connect_failure_without_latency) {
  const RefusedPort refused;  // bound, never listening: whichever server, the connect is refused
  const auto b =
      run_both(run_of(request("refused", "http://127.0.0.1:" + std::to_string(refused.port()) + "/")), "refused port");
  expect_conformance(b, 3, {FailureKind::connect, 0});
  BOOST_TEST(b.curl.stats.latency_us.count() == 0u);
  BOOST_TEST(b.curl.stats.bytes_sent == 0u);
}

BOOST_AUTO_TEST_CASE(an_address_outside_the_allow_list_is_not_allowed_and_never_connected) {
  auto only_elsewhere = agent::TargetAllowlist::parse({"127.0.0.2"});
  BOOST_TEST_REQUIRE(only_elsewhere.ok());
  InProcessTarget target;
  const uint64_t before = target_connections(target.server.port());
  auto run = run_of(request("blocked", target.url("/")));
  run.allowed = only_elsewhere.value();
  const auto builtin = run_both(run, "built-in, 127.0.0.1 not allowed");
  expect_conformance(builtin, 3, {FailureKind::not_allowed, 0});
  BOOST_TEST(builtin.curl.problems.size() == 1u);                      // and the native transport's are the same
  BOOST_TEST(target_connections(target.server.port()) == before + 1);  // only the /__stats one

  const auto nginx = conformance_nginx();
  const size_t logged = nginx->access_log().size();
  run.spec = request("blocked", nginx->http_url("/"));
  expect_conformance(run_both(run, "nginx, 127.0.0.1 not allowed"), 3, {FailureKind::not_allowed, 0});
  BOOST_TEST(nginx->access_log().size() == logged);
}

BOOST_AUTO_TEST_CASE(a_response_later_than_the_timeout_is_a_timeout_at_the_timeout) {
  InProcessTarget target;
  const auto delayed =
      run_both(run_of(request("slow", target.url("/delay/3000"), 300ms), 2), "built-in /delay/3000, timeout 300 ms");
  expect_conformance(delayed, 2, {FailureKind::timeout, 0});
  expect_latency(delayed, 300'000);

  ScriptedHttpServer scripted;
  scripted.on("/silent", {ScriptStep::hold()});
  const auto silent =
      run_both(run_of(request("silent", scripted.url("/silent"), 300ms), 2), "scripted never answers, timeout 300 ms");
  expect_conformance(silent, 2, {FailureKind::timeout, 0});
  expect_latency(silent, 300'000);
}

BOOST_AUTO_TEST_CASE(a_body_dribbled_within_the_timeout_succeeds_with_the_same_bytes) {
  ScriptedHttpServer scripted;
  const std::string head = response_head(200, {"Content-Length: 1000"});
  Script dribble = {ScriptStep::send(head)};
  for (int i = 0; i < 10; ++i) {
    dribble.push_back(ScriptStep::wait(20ms));
    dribble.push_back(ScriptStep::send(filler(100)));
  }
  scripted.on("/dribble", dribble);
  const auto sized = run_both(run_of(request("dribble", scripted.url("/dribble"))), "scripted 10 x 100 B, 20 ms apart");
  expect_conformance(sized, 3, {});
  BOOST_TEST(sized.curl.stats.bytes_received == 3 * (head.size() + 1000));
  expect_latency(sized, 200'000);

  const std::string chunked_head = response_head(200, {"Transfer-Encoding: chunked"});
  Script chunks = {ScriptStep::send(chunked_head)};
  for (int i = 0; i < 10; ++i) {
    chunks.push_back(ScriptStep::wait(20ms));
    chunks.push_back(ScriptStep::send("64\r\n" + filler(100) + "\r\n"));
  }
  chunks.push_back(ScriptStep::send("0\r\n\r\n"));
  scripted.on("/dribble-chunks", chunks);
  const auto chunked_run =
      run_both(run_of(request("dribble", scripted.url("/dribble-chunks"))), "scripted 10 chunks of 100 B, 20 ms apart");
  expect_conformance(chunked_run, 3, {});
  BOOST_TEST(chunked_run.curl.stats.bytes_received == 3 * (chunked_head.size() + 1000));
  expect_latency(chunked_run, 200'000);

  // The head itself in 5-byte pieces, 2 ms apart.
  const std::string whole = response(200, filler(100), {"Content-Type: text/plain", "X-Dribbled: yes"});
  Script pieces;
  for (size_t at = 0; at < whole.size(); at += 5) {
    pieces.push_back(ScriptStep::send(whole.substr(at, 5)));
    pieces.push_back(ScriptStep::wait(2ms));
  }
  scripted.on("/dribble-head", pieces);
  const auto head_run = run_both(run_of(request("dribble", scripted.url("/dribble-head"))),
                                 "scripted head and body in 5 B pieces, 2 ms apart");
  expect_conformance(head_run, 3, {});
  BOOST_TEST(head_run.curl.stats.bytes_received == 3 * whole.size());

  // nginx's limit_rate: 16 KiB at once, the rest at the next second boundary (0-1 s later).
  const auto nginx = conformance_nginx();
  const auto slow = run_both(run_of(request("slow", nginx->http_url("/slow/body.txt")), 1), "nginx limit_rate 16k");
  expect_conformance(slow, 1, {});
  BOOST_TEST(slow.curl.stats.bytes_received >= kNginxSlowBytes);
}

BOOST_AUTO_TEST_CASE(a_body_dribbled_past_the_timeout_is_a_timeout_at_the_timeout) {
  // The head comes 250 ms late and the body a byte every 50 ms: the timeout (500 ms) runs
  // from the start, not from the first byte (that would be 750 ms) and not per read (that
  // would never fire). The head arrived, so its status is counted with the timeout. How
  // many body bytes arrived in time depends on timing: not compared.
  ScriptedHttpServer scripted;
  Script dribble = {ScriptStep::wait(250ms), ScriptStep::send(response_head(200, {"Content-Length: 100"}))};
  for (int i = 0; i < 100; ++i) {
    dribble.push_back(ScriptStep::send("x"));
    dribble.push_back(ScriptStep::wait(50ms));
  }
  scripted.on("/trickle", dribble);
  const auto trickle = run_both(run_of(request("trickle", scripted.url("/trickle"), 500ms), 2),
                                "scripted head at 250 ms, 1 B per 50 ms, timeout 500 ms");
  expect_conformance(trickle, 2, {FailureKind::timeout, 200}, {.bytes_received = false});
  expect_latency(trickle, 500'000);

  // 96 KiB at 16 KiB/s takes over 4 s; at most 32 KiB can arrive within 400 ms.
  const auto nginx = conformance_nginx();
  const auto slow = run_both(run_of(request("slow", nginx->http_url("/slow/long.txt"), 400ms), 1),
                             "nginx limit_rate 16k, 96 KiB, timeout 400 ms");
  expect_conformance(slow, 1, {FailureKind::timeout, 200}, {.bytes_received = false});
  expect_latency(slow, 400'000);
}

BOOST_AUTO_TEST_CASE(a_chunked_body_succeeds_with_its_decoded_bytes) {
  ScriptedHttpServer scripted;
  const std::string head = response_head(200, {"Transfer-Encoding: chunked"});
  scripted.on("/chunked", {ScriptStep::send(head + chunked(filler(1000), 97))});
  const auto odd = run_both(run_of(request("chunked", scripted.url("/chunked"))), "scripted chunked, 97 B chunks");
  expect_conformance(odd, 3, {});
  BOOST_TEST(odd.curl.stats.bytes_received == 3 * (head.size() + 1000));  // the decoded body
  scripted.on("/tiny-chunks", {ScriptStep::send(head + chunked(filler(300), 1))});
  const auto tiny = run_both(run_of(request("tiny", scripted.url("/tiny-chunks"))), "scripted chunked, 1 B chunks");
  expect_conformance(tiny, 3, {});
  BOOST_TEST(tiny.curl.stats.bytes_received == 3 * (head.size() + 300));
  scripted.on("/extension", {ScriptStep::send(head + "a;name=value\r\n" + filler(10) + "\r\n0\r\n\r\n")});
  const auto extended = run_both(run_of(request("ext", scripted.url("/extension"))), "scripted chunk extension");
  expect_conformance(extended, 3, {});
  BOOST_TEST(extended.curl.stats.bytes_received == 3 * (head.size() + 10));

  const auto nginx = conformance_nginx();
  const std::string probe = raw_get(nginx->http_port(), "/chunked/body.txt");
  BOOST_TEST_REQUIRE(probe.find("Transfer-Encoding: chunked") != std::string::npos, probe.substr(0, 300));
  const auto served = run_both(run_of(request("chunked", nginx->http_url("/chunked/body.txt"))), "nginx chunked");
  expect_conformance(served, 3, {});
  BOOST_TEST(served.curl.stats.bytes_received >= 3 * kNginxBodyBytes);
}

BOOST_AUTO_TEST_CASE(a_close_delimited_body_succeeds_on_a_connection_of_its_own) {
  ScriptedHttpServer scripted;
  const std::string http10 = response_head(200, {}, "HTTP/1.0") + filler(1000);
  scripted.on("/http10", {ScriptStep::send(http10), ScriptStep::close()});
  const auto old = run_both(run_of(request("old", scripted.url("/http10"))), "scripted HTTP/1.0, no length, close");
  expect_conformance(old, 3, {std::nullopt, 200, 10});
  BOOST_TEST(old.curl.stats.bytes_received == 3 * http10.size());
  const std::string http11 = response_head(200, {"Content-Type: text/plain"}) + filler(1000);
  scripted.on("/http11", {ScriptStep::send(http11), ScriptStep::close()});
  const auto unframed =
      run_both(run_of(request("unframed", scripted.url("/http11"))), "scripted HTTP/1.1, no length, close");
  expect_conformance(unframed, 3, {});
  BOOST_TEST(unframed.curl.stats.bytes_received == 3 * http11.size());
  BOOST_TEST(scripted.connections() == 12u);  // each response on its own connection

  const auto nginx = conformance_nginx();
  const std::string probe = raw_get(nginx->http_port(), "/close-delimited/body.txt");
  BOOST_TEST_REQUIRE(probe.find("Content-Length") == std::string::npos, probe.substr(0, 300));
  BOOST_TEST_REQUIRE(probe.find("chunked") == std::string::npos, probe.substr(0, 300));
  const size_t logged = nginx->access_log().size();
  const auto served =
      run_both(run_of(request("closed", nginx->http_url("/close-delimited/body.txt"))), "nginx close-delimited");
  expect_conformance(served, 3, {});
  BOOST_TEST(served.curl.stats.bytes_received >= 3 * kNginxBodyBytes);
  const auto log = nginx->wait_for_access_log(logged + 6);
  BOOST_TEST_REQUIRE(log.size() == logged + 6);
  for (size_t i = logged; i < log.size(); ++i) BOOST_TEST(log[i].connection_requests == 1u);
}

BOOST_AUTO_TEST_CASE(a_large_body_is_counted_byte_for_byte) {
  InProcessTarget target;
  const auto builtin = run_both(run_of(request("large", target.url("/bytes/8388608")), 2), "built-in 8 MiB");
  expect_conformance(builtin, 2, {});
  BOOST_TEST(builtin.curl.stats.bytes_received >= 2 * (8u << 20));

  const auto nginx = conformance_nginx();
  const auto sized = run_both(run_of(request("large", nginx->http_url("/static/large.bin")), 2), "nginx 8 MiB file");
  expect_conformance(sized, 2, {});
  BOOST_TEST(sized.curl.stats.bytes_received >= 2 * kNginxLargeBytes);
  const auto chunks =
      run_both(run_of(request("large", nginx->http_url("/chunked/large.bin")), 2), "nginx 8 MiB chunked");
  expect_conformance(chunks, 2, {});
  BOOST_TEST(chunks.curl.stats.bytes_received >= 2 * kNginxLargeBytes);

  ScriptedHttpServer scripted;
  const std::string head = response_head(200, {"Transfer-Encoding: chunked"});
  scripted.on("/large", {ScriptStep::send(head + chunked(filler(4u << 20), 65536))});
  const auto exact = run_both(run_of(request("large", scripted.url("/large")), 2), "scripted 4 MiB chunked");
  expect_conformance(exact, 2, {});
  BOOST_TEST(exact.curl.stats.bytes_received == 2 * (head.size() + (4u << 20)));
}

BOOST_AUTO_TEST_CASE(a_large_response_head_succeeds_with_the_same_bytes) {
  // 32 KiB of headers (big cookies happen); libcurl takes up to 100 KiB per header.
  ScriptedHttpServer scripted;
  std::vector<std::string> headers;
  for (int i = 0; i < 128; ++i) headers.push_back("Set-Cookie: c" + std::to_string(i) + "=" + filler(240));
  const std::string answer = response(200, "big head\n", headers);
  BOOST_TEST_REQUIRE(answer.size() > 32u * 1024);
  scripted.on("/big-head", {ScriptStep::send(answer)});
  const auto big = run_both(run_of(request("big", scripted.url("/big-head"))), "scripted 32 KiB head");
  expect_conformance(big, 3, {});
  BOOST_TEST(big.curl.stats.bytes_received == 3 * answer.size());
}

BOOST_AUTO_TEST_CASE(a_redirect_is_counted_as_itself_and_not_followed) {
  InProcessTarget target;
  const auto builtin = run_both(run_of(request("302", target.url("/status/302"))), "built-in 302");
  expect_conformance(builtin, 3, {std::nullopt, 302});
  const auto nginx = conformance_nginx();
  const auto served = run_both(run_of(request("301", nginx->http_url("/status/301"))), "nginx 301 to /");
  expect_conformance(served, 3, {std::nullopt, 301});
  // Only what the 301 sent is counted: / (elsewhere answered 200) was never asked.
  BOOST_TEST(served.curl.stats.status_codes.size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_malformed_response_is_an_other_failure) {
  ScriptedHttpServer scripted;
  scripted.on("/bad-code", {ScriptStep::send("HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok"), ScriptStep::close()});
  expect_conformance(run_both(run_of(request("bad", scripted.url("/bad-code"))), "scripted status 2x0"), 3,
                     {FailureKind::other, 0});
  scripted.on("/not-http", {ScriptStep::send("SMTP ready\r\n\r\n"), ScriptStep::close()});
  expect_conformance(run_both(run_of(request("bad", scripted.url("/not-http"))), "scripted not HTTP"), 3,
                     {FailureKind::other, 0});
  scripted.on("/bad-chunk", {ScriptStep::send(response_head(200, {"Transfer-Encoding: chunked"}) + "zz\r\nabc\r\n"),
                             ScriptStep::close()});
  expect_conformance(run_both(run_of(request("bad", scripted.url("/bad-chunk"))), "scripted bad chunk size"), 3,
                     {FailureKind::other, 200});
}

BOOST_AUTO_TEST_SUITE_END()

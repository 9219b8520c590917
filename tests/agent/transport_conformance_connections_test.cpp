// Transport conformance (issue 9), connection handling: keep-alive reuse, a server that
// closes (idle, mid-response, as the next request arrives, with Connection: close),
// resets, responses that have no body whatever their headers say (HEAD, 204, 304), and
// interim 1xx responses. Each case runs the same request through libcurl and the native
// transport (see transport_conformance_test.cpp for the harness's contract) and checks
// what the server saw: how many connections it accepted and requests it read.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "support/in_process_target.hpp"
#include "support/scripted_http_server.hpp"
#include "transport_conformance_harness.hpp"

using namespace grid;
using namespace grid::test;
using namespace std::chrono_literals;
using wire::FailureKind;

namespace {

ConformanceRun run_of(wire::RequestSpec spec, uint64_t requests = 3, uint32_t think_ms = 0) {
  ConformanceRun run;
  run.spec = std::move(spec);
  run.requests = requests;
  run.think_ms = think_ms;
  return run;
}

// Both transports used `connections` connections (when the run counted them).
void expect_connections(const BothTransports& b, std::optional<uint64_t> connections) {
  if (!connections) return;
  BOOST_TEST_REQUIRE(b.curl_connections.has_value());
  BOOST_TEST(*b.curl_connections == *connections, "curl");
  BOOST_TEST(*b.native_connections == *connections, "native");
}

// Every request of both runs succeeded with `status`, both transports agree, and each used
// `connections` connections.
void expect_successes(const BothTransports& b, uint64_t n, std::optional<uint64_t> connections, uint16_t status = 200) {
  for (const Observed* o : {&b.curl, &b.native}) {
    BOOST_TEST_CONTEXT((o == &b.curl ? "curl" : "native")) {
      BOOST_TEST(o->stats.requests == n);
      BOOST_TEST(o->stats.failed() == 0u, observable(o->stats));
      BOOST_TEST_REQUIRE(o->stats.status_codes.size() == 1u, observable(o->stats));
      BOOST_TEST(o->stats.status_codes[0].code == status);
      BOOST_TEST(o->stats.status_codes[0].count == n);
    }
  }
  BOOST_TEST(observable(b.curl.stats) == observable(b.native.stats));
  expect_connections(b, connections);
}

// Every request of both runs failed as `other`; `status`: what each got before it failed
// (0: nothing). Both transports agree, bytes received included when `bytes` says so.
void expect_others(const BothTransports& b, uint64_t n, uint16_t status, bool bytes = true) {
  for (const Observed* o : {&b.curl, &b.native}) {
    BOOST_TEST_CONTEXT((o == &b.curl ? "curl" : "native")) {
      BOOST_TEST(o->stats.requests == n);
      BOOST_TEST(o->stats.failures[FailureKind::other] == n, observable(o->stats));
      BOOST_TEST(o->stats.failed() == n, observable(o->stats));
      if (status == 0) {
        BOOST_TEST(o->stats.status_codes.empty(), observable(o->stats));
      } else {
        BOOST_TEST_REQUIRE(o->stats.status_codes.size() == 1u, observable(o->stats));
        BOOST_TEST(o->stats.status_codes[0].code == status);
      }
    }
  }
  BOOST_TEST(observable(b.curl.stats, {.bytes_received = bytes}) ==
             observable(b.native.stats, {.bytes_received = bytes}));
}

ConnectionCounter scripted_counter(const ScriptedHttpServer& server) {
  return {[&server] { return server.connections(); }, 0};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transport_conformance)

BOOST_AUTO_TEST_CASE(requests_from_one_user_reuse_one_keep_alive_connection) {
  InProcessTarget target;
  expect_successes(
      run_both(run_of(request("ka", target.url("/")), 5), "built-in /", builtin_counter(target.server.port())), 5, 1);

  const auto nginx = conformance_nginx();
  const size_t logged = nginx->access_log().size();
  expect_successes(run_both(run_of(request("ka", nginx->http_url("/")), 5), "nginx /", nginx_counter(*nginx)), 5, 1);
  std::vector<uint64_t> counts;  // nginx's count of each request on its connection
  for (const auto& line : nginx->wait_for_access_log(logged + 13)) {
    if (line.uri == "/") counts.push_back(line.connection_requests);
  }
  BOOST_TEST(counts == (std::vector<uint64_t>{1, 2, 3, 4, 5, 1, 2, 3, 4, 5}), boost::test_tools::per_element());

  ScriptedHttpServer scripted;
  scripted.on("/ka", {ScriptStep::send(response(200, "kept\n"))});
  expect_successes(
      run_both(run_of(request("ka", scripted.url("/ka")), 5), "scripted keep-alive", scripted_counter(scripted)), 5, 1);
  BOOST_TEST(scripted.requests() == 10u);
}

BOOST_AUTO_TEST_CASE(an_http10_response_ends_its_connection_unless_it_says_keep_alive) {
  // The server keeps every connection open: closing after an HTTP/1.0 response is the
  // client's decision.
  ScriptedHttpServer scripted;
  scripted.on("/10", {ScriptStep::send(response_head(200, {"Content-Length: 3"}, "HTTP/1.0") + "old")});
  scripted.on(
      "/10-ka",
      {ScriptStep::send(response_head(200, {"Content-Length: 3", "Connection: keep-alive"}, "HTTP/1.0") + "old")});
  const auto plain = run_both(run_of(request("10", scripted.url("/10"))), "scripted HTTP/1.0, Content-Length",
                              scripted_counter(scripted));
  expect_successes(plain, 3, 3);
  BOOST_TEST(plain.curl.stats.http_versions.at(0).code == 10u);
  expect_successes(run_both(run_of(request("10", scripted.url("/10-ka"))), "scripted HTTP/1.0 keep-alive",
                            scripted_counter(scripted)),
                   3, 1);
}

BOOST_AUTO_TEST_CASE(an_idle_connection_the_server_closed_is_replaced_without_a_failure) {
  // The server closes each connection once it has answered (FIN right after the
  // response); the user thinks 100 ms, so the close has arrived before the next request.
  ScriptedHttpServer scripted;
  scripted.on("/once", {ScriptStep::send(response(200, "once\n")), ScriptStep::close()});
  expect_successes(run_both(run_of(request("idle", scripted.url("/once")), 3, 100), "scripted close when idle",
                            scripted_counter(scripted)),
                   3, 3);
  BOOST_TEST(scripted.requests() == 6u);

  // nginx closes a connection idle for 50 ms; the user thinks 300 ms.
  const auto nginx = conformance_nginx();
  expect_successes(run_both(run_of(request("idle", nginx->http_url("/idle-close")), 3, 300), "nginx keepalive 50ms",
                            nginx_counter(*nginx)),
                   3, 3);
}

BOOST_AUTO_TEST_CASE(a_reused_connection_closed_before_any_response_byte_is_retried_on_a_new_one) {
  // The race a keep-alive client must survive: the server closes the connection just as
  // the next request arrives (here: always, having read it). No response byte came, so
  // the request is sent again on a new connection and counted once, as a success
  // (libcurl does this; the native transport must too).
  ScriptedHttpServer scripted;
  scripted.on("/first-only", [](const ScriptedRequest& r) -> Script {
    if (r.index_on_connection == 0) return {ScriptStep::send(response(200, "first\n"))};
    return {ScriptStep::close()};
  });
  const auto b = run_both(run_of(request("retry", scripted.url("/first-only"))), "scripted close on the 2nd request",
                          scripted_counter(scripted));
  expect_successes(b, 3, 3);
  BOOST_TEST(scripted.requests() == 10u);  // 3 + 2 retried, per transport
  // Bytes sent for the retried requests: libcurl counts both attempts (its
  // CURLINFO_REQUEST_SIZE adds up: 5 requests' worth for 3), while transport.hpp says
  // "on the connection that answered" (3 requests' worth). The comparison above holds the
  // two transports to one figure; which one is the lead's call, so it is not fixed here.
  const std::string one =
      "GET /first-only HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(scripted.port()) + "\r\nAccept: */*\r\n\r\n";
  BOOST_TEST_MESSAGE("one request is " << one.size() << " bytes; curl counted " << b.curl.stats.bytes_sent
                                       << ", native " << b.native.stats.bytes_sent);
}

BOOST_AUTO_TEST_CASE(a_connection_close_response_ends_its_connection) {
  ScriptedHttpServer scripted;
  scripted.on("/close", {ScriptStep::send(response(200, "bye\n", {"Connection: close"})), ScriptStep::close()});
  expect_successes(run_both(run_of(request("close", scripted.url("/close"))), "scripted Connection: close",
                            scripted_counter(scripted)),
                   3, 3);
  // The client must not wait for the server's FIN either: here it never comes.
  scripted.on("/close-open", {ScriptStep::send(response(200, "bye\n", {"Connection: close"}))});
  expect_successes(run_both(run_of(request("close", scripted.url("/close-open"))),
                            "scripted Connection: close, connection left open", scripted_counter(scripted)),
                   3, 3);

  const auto nginx = conformance_nginx();
  expect_successes(run_both(run_of(request("close", nginx->http_url("/connection-close"))), "nginx keepalive 0",
                            nginx_counter(*nginx)),
                   3, 3);

  // The built-in target closes when the request asks it to (and says so in its answer).
  InProcessTarget target;
  auto asked = request("close", target.url("/"));
  asked.headers = {"Connection: close"};
  expect_successes(
      run_both(run_of(asked), "built-in, request Connection: close", builtin_counter(target.server.port())), 3, 3);
}

BOOST_AUTO_TEST_CASE(a_server_closing_mid_response_is_an_other_failure) {
  // The head and 400 of 1000 body bytes, a pause (so they are read before the close),
  // then FIN: what arrived is deterministic, and compared.
  ScriptedHttpServer scripted;
  const std::string head = response_head(200, {"Content-Length: 1000"});
  scripted.on("/cut", {ScriptStep::send(head + filler(400)), ScriptStep::wait(100ms), ScriptStep::close()});
  const auto cut = run_both(run_of(request("cut", scripted.url("/cut"))), "scripted close after 400 of 1000 B");
  expect_others(cut, 3, 200);
  BOOST_TEST(cut.curl.stats.bytes_received == 3 * (head.size() + 400));

  const std::string chunked_head = response_head(200, {"Transfer-Encoding: chunked"});
  scripted.on("/cut-chunk",
              {ScriptStep::send(chunked_head + "3e8\r\n" + filler(400)), ScriptStep::wait(100ms), ScriptStep::close()});
  expect_others(run_both(run_of(request("cut", scripted.url("/cut-chunk"))), "scripted close inside a chunk"), 3, 200);

  // A head cut after its status line and a Content-Length line: the status was read.
  // (Cut inside a header line of a head with no length yet, libcurl 7.88 takes what came
  // as a whole head and the response as a close-delimited empty body: a success. That is
  // libcurl's leniency, not something to hold the native transport to: not checked.)
  scripted.on("/cut-head", {ScriptStep::send("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"), ScriptStep::wait(100ms),
                            ScriptStep::close()});
  expect_others(run_both(run_of(request("cut", scripted.url("/cut-head"))), "scripted close inside the head"), 3, 200);
  scripted.on("/cut-status", {ScriptStep::send("HTTP/1.1 20"), ScriptStep::wait(100ms), ScriptStep::close()});
  expect_others(run_both(run_of(request("cut", scripted.url("/cut-status"))), "scripted close inside the status line"),
                3, 0);

  // A new connection closed with no byte at all (not a reused one: nothing to retry).
  scripted.on("/nothing", {ScriptStep::close()});
  expect_others(run_both(run_of(request("nothing", scripted.url("/nothing"))), "scripted close, no answer"), 3, 0);
}

BOOST_AUTO_TEST_CASE(a_reset_before_any_response_byte_is_an_other_failure) {
  ScriptedHttpServer scripted;
  scripted.on("/rst", {ScriptStep::reset()});
  const auto b = run_both(run_of(request("rst", scripted.url("/rst"))), "scripted RST after the request",
                          scripted_counter(scripted));
  expect_others(b, 3, 0);
  BOOST_TEST(b.curl.stats.bytes_received == 0u);
  expect_connections(b, 3);
}

BOOST_AUTO_TEST_CASE(a_reset_in_the_middle_of_a_response_is_an_other_failure) {
  ScriptedHttpServer scripted;
  const std::string head = response_head(200, {"Content-Length: 1000"});
  scripted.on("/rst", {ScriptStep::send(head + filler(400)), ScriptStep::wait(100ms), ScriptStep::reset()});
  const auto b = run_both(run_of(request("rst", scripted.url("/rst"))), "scripted RST after 400 of 1000 B");
  // What was read before the reset: in practice all of it (the pause), but a reset may
  // discard unread bytes, so bytes received are not compared.
  expect_others(b, 3, 200, false);
}

BOOST_AUTO_TEST_CASE(bytes_after_a_complete_response_are_never_taken_for_the_next_one) {
  // A server that writes more than the response it owes (a stray second response in the
  // same write): the request succeeds and the next request gets its own, true answer.
  ScriptedHttpServer scripted;
  scripted.on("/excess", {ScriptStep::send(response(200, "ok\n") + response(503, "stray\n"))});
  const auto b = run_both(run_of(request("excess", scripted.url("/excess"))), "scripted 200 + a stray 503",
                          scripted_counter(scripted));
  expect_successes(b, 3, std::nullopt);
}

BOOST_AUTO_TEST_CASE(a_head_response_has_no_body_whatever_its_content_length) {
  // A transport that waited for the announced body would time out (2 s) or misread the
  // next response on the kept connection.
  InProcessTarget target;
  auto head = request("head", target.url("/bytes/1000"), 2000ms);
  head.method = "HEAD";
  expect_successes(run_both(run_of(head), "built-in HEAD", builtin_counter(target.server.port())), 3, 1);

  const auto nginx = conformance_nginx();
  head.url = nginx->http_url("/static/body.txt");
  expect_successes(run_both(run_of(head), "nginx HEAD", nginx_counter(*nginx)), 3, 1);

  ScriptedHttpServer scripted;
  const std::string answer = response_head(200, {"Content-Length: 5000"});
  scripted.on("/head", {ScriptStep::send(answer)});
  head.url = scripted.url("/head");
  const auto b = run_both(run_of(head), "scripted HEAD, Content-Length 5000", scripted_counter(scripted));
  expect_successes(b, 3, 1);
  BOOST_TEST(b.curl.stats.bytes_received == 3 * answer.size());
}

BOOST_AUTO_TEST_CASE(a_204_or_304_response_has_no_body_whatever_its_headers) {
  InProcessTarget target;
  const auto builtin = builtin_counter(target.server.port());
  expect_successes(run_both(run_of(request("204", target.url("/status/204"), 2000ms)), "built-in 204", builtin), 3, 1,
                   204);
  expect_successes(run_both(run_of(request("304", target.url("/status/304"), 2000ms)), "built-in 304", builtin), 3, 1,
                   304);

  const auto nginx = conformance_nginx();
  const auto served = nginx_counter(*nginx);
  expect_successes(run_both(run_of(request("204", nginx->http_url("/status/204"), 2000ms)), "nginx 204", served), 3, 1,
                   204);
  expect_successes(run_both(run_of(request("304", nginx->http_url("/status/304"), 2000ms)), "nginx 304", served), 3, 1,
                   304);

  // 204 without any length, 304 with the length of the body it does not carry.
  ScriptedHttpServer scripted;
  const std::string no_content = response_head(204);
  const std::string not_modified = response_head(304, {"Content-Length: 1000", "ETag: \"v1\""});
  scripted.on("/204", {ScriptStep::send(no_content)});
  scripted.on("/304", {ScriptStep::send(not_modified)});
  const auto empty = run_both(run_of(request("204", scripted.url("/204"), 2000ms)), "scripted 204, no length",
                              scripted_counter(scripted));
  expect_successes(empty, 3, 1, 204);
  BOOST_TEST(empty.curl.stats.bytes_received == 3 * no_content.size());
  const auto cached = run_both(run_of(request("304", scripted.url("/304"), 2000ms)),
                               "scripted 304, Content-Length 1000", scripted_counter(scripted));
  expect_successes(cached, 3, 1, 304);
  BOOST_TEST(cached.curl.stats.bytes_received == 3 * not_modified.size());
}

BOOST_AUTO_TEST_CASE(interim_1xx_responses_before_the_final_one_are_skipped_and_counted_in_bytes) {
  // nginx sends 100 Continue only to a request that expects it (neither transport sends
  // Expect) and never 103: scripted only. Bytes received include every head.
  ScriptedHttpServer scripted;
  const auto counter = scripted_counter(scripted);
  const std::string final_answer = response(200, filler(100));
  const std::string continue_head = response_head(100);
  const std::string hints_head = response_head(103, {"Link: </style.css>; rel=preload"});
  scripted.on("/continue", {ScriptStep::send(continue_head), ScriptStep::wait(20ms), ScriptStep::send(final_answer)});
  scripted.on("/hints", {ScriptStep::send(hints_head + final_answer)});
  scripted.on("/both", {ScriptStep::send(continue_head + hints_head + hints_head), ScriptStep::send(final_answer)});
  const auto cont = run_both(run_of(request("continue", scripted.url("/continue"))), "scripted 100 then 200", counter);
  expect_successes(cont, 3, 1);
  BOOST_TEST(cont.curl.stats.bytes_received == 3 * (continue_head.size() + final_answer.size()));
  const auto hints = run_both(run_of(request("hints", scripted.url("/hints"))), "scripted 103 then 200", counter);
  expect_successes(hints, 3, 1);
  BOOST_TEST(hints.curl.stats.bytes_received == 3 * (hints_head.size() + final_answer.size()));
  const auto both =
      run_both(run_of(request("both", scripted.url("/both"))), "scripted 100, 103, 103, then 200", counter);
  expect_successes(both, 3, 1);
  BOOST_TEST(both.curl.stats.bytes_received ==
             3 * (continue_head.size() + 2 * hints_head.size() + final_answer.size()));
}

BOOST_AUTO_TEST_SUITE_END()

// NativeTransport against real servers over loopback: the built-in target (keep-alive,
// HEAD, 204/304, large bodies, templated requests, libcurl's byte counts for the same
// requests) and --allow-target. Misbehaving servers are in native_transport_fault_test.cpp.
// Every wait polls the transport with a deadline; nothing here asserts on timing.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <curl/curl.h>

#include "support/in_process_target.hpp"
#include "support/native_harness.hpp"
#include "support/refused_port.hpp"

using namespace grid;
using agent::TransferError;
using test::NativeHarness;
using test::spec;

namespace {

// What libcurl reports for the same request, set up as the engine sets it up.
struct CurlFigures {
  CURLcode result = CURLE_OK;
  long status = 0;
  long request_size = 0;
  long header_size = 0;
  curl_off_t size_download = 0;
};

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

CurlFigures curl_figures(const wire::RequestSpec& r) {
  CURL* e = curl_easy_init();
  curl_slist* headers = nullptr;
  for (const auto& h : r.headers) headers = curl_slist_append(headers, h.c_str());
  if (!r.body.empty()) headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(e, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout_ms));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &discard);
  if (r.method == "GET" && r.body.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (r.method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r.body.c_str());
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r.method == "POST" ? nullptr : r.method.c_str());
  }
  CurlFigures f;
  f.result = curl_easy_perform(e);
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &f.status);
  curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &f.request_size);
  curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &f.header_size);
  curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &f.size_download);
  curl_easy_cleanup(e);
  curl_slist_free_all(headers);
  return f;
}

// Connections the target accepted, from its /__stats JSON ({"requests": N, "connections": C, ...}).
uint64_t connections_in(const std::string& stats) {
  const auto at = stats.find("\"connections\":");
  BOOST_REQUIRE(at != std::string::npos);
  return std::stoull(stats.substr(at + 14));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(native_transport)

BOOST_AUTO_TEST_CASE(a_get_completes_with_its_status_and_the_bytes_libcurl_counts) {
  test::InProcessTarget t;
  std::vector<wire::RequestSpec> requests = {spec("bytes", t.url("/bytes/300")), spec("missing", t.url("/nope")),
                                             spec("err", t.url("/status/503")),
                                             spec("head", t.url("/bytes/1000"), 5000, "HEAD")};
  wire::RequestSpec post = spec("post", t.url("/echo"), 5000, "POST");
  post.body = "a=1&b=2";
  post.headers = {"X-Test: yes"};
  requests.push_back(post);
  wire::RequestSpec put = spec("put", t.url("/echo"), 5000, "PUT");
  put.body = "{\"k\":1}";
  put.headers = {"Content-Type: application/json"};
  requests.push_back(put);
  NativeHarness h(requests);
  for (uint32_t i = 0; i < requests.size(); ++i) {
    const auto native = h.fetch(0, i);
    const auto curl = curl_figures(requests[i]);
    BOOST_TEST_CONTEXT("request " << requests[i].name) {
      BOOST_TEST(curl.result == CURLE_OK);
      BOOST_TEST((native.error == TransferError::none));
      BOOST_TEST(native.status == curl.status);
      BOOST_TEST(native.http_version == 11);
      BOOST_TEST(native.bytes_sent == static_cast<uint64_t>(curl.request_size));
      BOOST_TEST(native.bytes_received ==
                 static_cast<uint64_t>(curl.header_size) + static_cast<uint64_t>(curl.size_download));
      BOOST_TEST(native.detail.empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(requests_of_one_user_reuse_its_keep_alive_connection) {
  test::InProcessTarget t;
  NativeHarness h({spec("home", t.url("/")), spec("stats", t.url("/__stats"))});
  h.capture = true;
  for (int i = 0; i < 20; ++i) BOOST_TEST(h.fetch(0, 0).status == 200);
  const auto stats = h.fetch(0, 1);
  BOOST_TEST(stats.status == 200);
  BOOST_TEST(connections_in(h.users[0].response_body) == 1u);
  BOOST_TEST(h.transport->open_connections() == 1u);
}

BOOST_AUTO_TEST_CASE(a_fresh_connection_request_closes_the_kept_one_first) {
  test::InProcessTarget t;
  NativeHarness h({spec("home", t.url("/")), spec("stats", t.url("/__stats"))});
  h.capture = true;
  h.fetch(0, 0);
  h.fetch(0, 0, true);
  h.fetch(0, 1, true);
  BOOST_TEST(connections_in(h.users[0].response_body) == 3u);
}

BOOST_AUTO_TEST_CASE(each_user_has_its_own_connection) {
  test::InProcessTarget t;
  NativeHarness h({spec("home", t.url("/")), spec("stats", t.url("/__stats"))}, 3);
  h.capture = true;
  for (uint32_t u = 0; u < 3; ++u) h.fetch(u, 0);
  for (uint32_t u = 0; u < 3; ++u) h.fetch(u, 0);
  h.fetch(0, 1);
  BOOST_TEST(connections_in(h.users[0].response_body) == 3u);
  BOOST_TEST(h.transport->open_connections() == 3u);
}

BOOST_AUTO_TEST_CASE(head_gets_no_body_and_the_connection_stays_usable) {
  test::InProcessTarget t;
  NativeHarness h({spec("head", t.url("/bytes/5000"), 5000, "HEAD"), spec("get", t.url("/bytes/5000"))});
  const auto head = h.fetch(0, 0);
  BOOST_TEST((head.error == TransferError::none));
  BOOST_TEST(head.status == 200);
  const auto get = h.fetch(0, 1);
  BOOST_TEST(get.status == 200);
  BOOST_TEST(head.bytes_received + 5000 == get.bytes_received);  // same head, no body
  BOOST_TEST(h.transport->open_connections() == 1u);
}

BOOST_AUTO_TEST_CASE(responses_204_and_304_end_at_their_head) {
  test::InProcessTarget t;
  NativeHarness h({spec("204", t.url("/status/204")), spec("304", t.url("/status/304")), spec("ok", t.url("/"))});
  for (int round = 0; round < 3; ++round) {
    BOOST_TEST(h.fetch(0, 0).status == 204);
    BOOST_TEST(h.fetch(0, 1).status == 304);
    BOOST_TEST(h.fetch(0, 2).status == 200);
  }
  BOOST_TEST(h.transport->open_connections() == 1u);
}

BOOST_AUTO_TEST_CASE(a_large_body_is_counted_whole_and_captured_up_to_the_cap) {
  test::InProcessTarget t;
  const uint64_t size = 9u << 20;  // above the 8 MiB kept for checks
  NativeHarness h({spec("big", t.url("/bytes/" + std::to_string(size)), 30000)});
  h.capture = true;
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::none));
  BOOST_TEST(o.bytes_received > size);
  BOOST_TEST(o.bytes_received == size + h.users[0].response_headers.size());
  BOOST_TEST(h.users[0].response_body.size() == agent::Http1Response::kMaxKeptBody);
  const auto curl = curl_figures(h.work->requests[0].spec);
  BOOST_TEST(o.bytes_received == static_cast<uint64_t>(curl.header_size) + static_cast<uint64_t>(curl.size_download));
}

BOOST_AUTO_TEST_CASE(captured_headers_are_the_head_as_curl_delivers_it) {
  test::InProcessTarget t;
  NativeHarness h({spec("home", t.url("/bytes/7"))});
  h.capture = true;
  const auto o = h.fetch(0, 0);
  const std::string& head = h.users[0].response_headers;
  BOOST_TEST(head.rfind("HTTP/1.1 200", 0) == 0);
  BOOST_TEST(head.size() >= 4);
  BOOST_TEST(head.substr(head.size() - 4) == "\r\n\r\n");
  BOOST_TEST(o.bytes_received == head.size() + 7);
  BOOST_TEST(h.users[0].response_body.size() == 7u);
}

BOOST_AUTO_TEST_CASE(a_templated_request_sends_the_users_rendered_url_headers_and_body) {
  test::InProcessTarget t;
  wire::RequestSpec r = spec("echo", "http://127.0.0.1:${port}/echo", 5000, "POST");
  r.body = "${body}";
  r.headers = {"X-Who: ${who}"};
  NativeHarness h({r});
  BOOST_REQUIRE(!h.work->requests[0].literal);
  h.capture = true;
  auto& u = h.users[0];
  u.url = t.url("/echo");
  u.body = "rendered=body";
  u.header_lines = {"X-Who: user-0"};
  const auto o = h.fetch(0, 0);
  BOOST_TEST(o.status == 200);
  BOOST_TEST(u.response_body.find("X-Who: user-0") != std::string::npos);
  BOOST_TEST(u.response_body.find("rendered=body") != std::string::npos);
  wire::RequestSpec same = spec("same", u.url, 5000, "POST");
  same.body = u.body;
  same.headers = u.header_lines;
  BOOST_TEST(o.bytes_sent == static_cast<uint64_t>(curl_figures(same).request_size));
}

BOOST_AUTO_TEST_CASE(a_url_that_is_not_plain_http_fails_as_other_naming_it_and_never_inside_start) {
  wire::RequestSpec r = spec("t", "${url}");
  NativeHarness h({r});
  h.users[0].url = "https://127.0.0.1:1/x";
  BOOST_REQUIRE(h.start(0, 0));
  BOOST_TEST(h.done.empty());
  BOOST_REQUIRE(h.run_until_done(1));
  const auto& o = h.done[0].outcome;
  BOOST_TEST((o.error == TransferError::other));
  BOOST_TEST(o.detail.find("https://127.0.0.1:1/x") != std::string::npos);
  BOOST_TEST(o.detail.find("not plain http://") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_refused_port_is_a_connect_failure_delivered_after_start_returns) {
  test::RefusedPort refused;
  NativeHarness h({spec("r", "http://127.0.0.1:" + std::to_string(refused.port()) + "/")});
  BOOST_REQUIRE(h.start(0, 0));
  BOOST_TEST(h.done.empty());
  BOOST_REQUIRE(h.run_until_done(1));
  const auto& o = h.done[0].outcome;
  BOOST_TEST((o.error == TransferError::connect));
  BOOST_TEST(o.status == 0);
  BOOST_TEST(o.bytes_sent == 0u);
  BOOST_TEST(o.bytes_received == 0u);
  BOOST_TEST(o.detail.find("Connection refused") != std::string::npos);
  BOOST_TEST(h.transport->open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(a_name_with_no_address_is_a_connect_failure) {
  NativeHarness h({spec("r", "http://no-such-host.invalid/")});
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::connect));
  BOOST_TEST(o.detail.find("no-such-host.invalid") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_address_outside_allow_target_is_never_connected_and_fails_not_allowed) {
  test::InProcessTarget t;
  auto allow = agent::TargetAllowlist::parse({"10.0.0.0/8"});
  BOOST_REQUIRE(allow);
  NativeHarness h({spec("home", t.url("/"))}, 1, allow.value());
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::not_allowed));
  BOOST_TEST(o.detail == "connection to 127.0.0.1:" + t.port() + " is not in --allow-target (10.0.0.0/8)");
  BOOST_TEST(o.bytes_sent == 0u);
  t.server.stop();
  t.server.join();
  BOOST_TEST(t.server.requests_served() == 0u);
}

BOOST_AUTO_TEST_CASE(the_sink_may_start_the_users_next_request_from_inside_transfer_done) {
  test::InProcessTarget t;
  NativeHarness h({spec("home", t.url("/")), spec("stats", t.url("/__stats"))});
  int left = 200;
  h.then = [&](agent::VirtualUser& u, const agent::TransferOutcome&) {
    if (--left > 0) {
      u.started_ns = common::steady_now_ns();
      BOOST_REQUIRE(h.transport->start(u, h.work->requests[0], false));
    }
  };
  BOOST_REQUIRE(h.start(0, 0));
  BOOST_REQUIRE(h.run_until_done(200));
  for (const auto& d : h.done) BOOST_TEST_REQUIRE(d.outcome.status == 200);
  h.then = nullptr;
  h.capture = true;
  h.fetch(0, 1);
  BOOST_TEST(connections_in(h.users[0].response_body) == 1u);
}

BOOST_AUTO_TEST_CASE(many_users_run_side_by_side_and_each_request_completes_once) {
  test::InProcessTarget t;
  constexpr uint32_t kUsers = 50;
  NativeHarness h({spec("home", t.url("/bytes/100"))}, kUsers);
  std::vector<int> left(kUsers, 20);
  h.then = [&](agent::VirtualUser& u, const agent::TransferOutcome&) {
    if (--left[u.id] > 0) {
      u.started_ns = common::steady_now_ns();
      h.transport->start(u, h.work->requests[0], false);
    }
  };
  for (uint32_t u = 0; u < kUsers; ++u) BOOST_REQUIRE(h.start(u, 0));
  BOOST_REQUIRE(h.run_until_done(kUsers * 20));
  for (const auto& d : h.done) BOOST_TEST_REQUIRE((d.outcome.error == TransferError::none));
  BOOST_TEST(h.transport->open_connections() == kUsers);
  t.server.stop();
  t.server.join();
  BOOST_TEST(t.server.requests_served() == kUsers * 20u);
}

BOOST_AUTO_TEST_CASE(a_timeout_on_the_targets_delay_is_a_timeout_without_status) {
  test::InProcessTarget t;
  NativeHarness h({spec("slow", t.url("/delay/5000"), 200), spec("fast", t.url("/"))});
  const auto o = h.fetch(0, 0);
  BOOST_TEST((o.error == TransferError::timeout));
  BOOST_TEST(o.status == 0);
  BOOST_TEST(o.bytes_sent > 0u);
  BOOST_TEST(h.transport->open_connections() == 0u);
  BOOST_TEST(h.fetch(0, 1).status == 200);  // the next request connects anew
}

BOOST_AUTO_TEST_CASE(each_request_gets_its_whole_timeout_from_its_own_start_on_a_kept_connection) {
  // 12 requests of 40 ms each outlast one 300 ms timeout: the timer armed for the first
  // fires during a later one and must move on to that request's own deadline.
  test::InProcessTarget t;
  NativeHarness h({spec("wait", t.url("/delay/40"), 300), spec("slow", t.url("/delay/5000"), 300)});
  for (int i = 0; i < 12; ++i) BOOST_TEST_REQUIRE((h.fetch(0, 0).error == TransferError::none));
  BOOST_TEST(h.transport->open_connections() == 1u);
  const auto slow = h.fetch(0, 1);
  BOOST_TEST((slow.error == TransferError::timeout));
  BOOST_TEST(h.done.back().at_ns - h.users[0].started_ns >= 300'000'000);
}

BOOST_AUTO_TEST_SUITE_END()

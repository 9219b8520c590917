// http1_target and http1_request: what the native transport connects to and sends for a
// request definition, byte for byte, with curl's defaults and header rules.

#include <boost/test/unit_test.hpp>

#include "agent/http1_request.hpp"

using grid::agent::http1_request;
using grid::agent::http1_target;
using grid::agent::Http1Target;

BOOST_AUTO_TEST_SUITE(http1_request_bytes)

BOOST_AUTO_TEST_CASE(a_plain_url_gives_host_port_host_header_and_origin_form_target) {
  const auto t = http1_target("http://127.0.0.1:8080/a/b?x=1&y=2");
  BOOST_TEST_REQUIRE(t.ok(), (t.ok() ? std::string() : t.error()));
  BOOST_TEST((t.value() == Http1Target{"127.0.0.1", 8080, "127.0.0.1:8080", "/a/b?x=1&y=2"}));
  const auto bare = http1_target("http://localhost");
  BOOST_TEST_REQUIRE(bare.ok(), (bare.ok() ? std::string() : bare.error()));
  BOOST_TEST((bare.value() == Http1Target{"localhost", 80, "localhost", "/"}));
  const auto v6 = http1_target("http://[::1]:9000/p");
  BOOST_TEST_REQUIRE(v6.ok(), (v6.ok() ? std::string() : v6.error()));
  BOOST_TEST((v6.value() == Http1Target{"::1", 9000, "[::1]:9000", "/p"}));
}

BOOST_AUTO_TEST_CASE(urls_only_curl_can_serve_are_refused_naming_the_url_and_why) {
  const auto tls = http1_target("https://example.test/");
  BOOST_TEST_REQUIRE(!tls.ok());
  BOOST_TEST(tls.error().find("'https://example.test/'") != std::string::npos, tls.error());
  BOOST_TEST(tls.error().find("https goes through curl") != std::string::npos, tls.error());
  BOOST_TEST(http1_target("http://user:pw@127.0.0.1/").error().find("credentials") != std::string::npos);
  BOOST_TEST(http1_target("http://127.0.0.1:0/").error().find("port") != std::string::npos);
  BOOST_TEST(!http1_target("not a url").ok());
}

BOOST_AUTO_TEST_CASE(a_get_carries_host_and_accept_as_curl_sends_them) {
  const auto t = http1_target("http://127.0.0.1:8080/x").value();
  BOOST_TEST(http1_request("GET", t, {}, "") == "GET /x HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: */*\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(own_headers_replace_or_remove_the_defaults_and_expect_is_never_sent) {
  const auto t = http1_target("http://h/").value();
  BOOST_TEST(http1_request("GET", t, {"Host: other", "accept: text/plain", "X-A: 1", "Expect:", "Expect: 100-continue"},
                           "") == "GET / HTTP/1.1\r\nHost: other\r\naccept: text/plain\r\nX-A: 1\r\n\r\n");
  BOOST_TEST(http1_request("GET", t, {"Accept:"}, "") == "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(a_body_gets_its_content_length_and_so_does_an_empty_post) {
  const auto t = http1_target("http://h/echo").value();
  BOOST_TEST(http1_request("POST", t, {"Content-Type: application/json", "Content-Length: 99"}, "{\"a\":1}") ==
             "POST /echo HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Type: application/json\r\nContent-Length: "
             "7\r\n\r\n{\"a\":1}");
  BOOST_TEST(http1_request("POST", t, {}, "") ==
             "POST /echo HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Length: 0\r\n\r\n");
  BOOST_TEST(http1_request("HEAD", t, {}, "") == "HEAD /echo HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
}

BOOST_AUTO_TEST_SUITE_END()

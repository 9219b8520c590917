// http1_target and http1_request: what the native transport connects to and sends for a
// request definition, byte for byte, with curl's defaults and header rules.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include <boost/test/unit_test.hpp>
#include <curl/curl.h>

#include "agent/http1_request.hpp"

using grid::agent::http1_request;
using grid::agent::http1_target;
using grid::agent::Http1Target;

namespace {

// What libcurl sends for one request, configured the way the engine configures it: a
// loopback listener takes the request bytes, answers 204 and closes. With `authority`
// ("name:port"), the URL names it and curl connects to the listener instead (CONNECT_TO).
std::string bytes_curl_sends(const std::string& method, const std::string& path,
                             const std::vector<std::string>& headers, const std::string& body,
                             const std::string& authority = {}) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  BOOST_REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  BOOST_REQUIRE(::listen(listener, 1) == 0);
  BOOST_REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const std::string listener_at = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  const std::string url = "http://" + (authority.empty() ? listener_at : authority) + path;
  std::string got;
  std::thread server([&] {
    const int c = ::accept(listener, nullptr, nullptr);
    char buf[4096];
    // Headers, then as many body bytes as the request says (the test's bodies are small).
    for (;;) {
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
      const auto end = got.find("\r\n\r\n");
      if (end != std::string::npos && got.size() >= end + 4 + body.size()) break;
    }
    const std::string reply = "HTTP/1.1 204 No Content\r\n\r\n";
    (void)::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
    ::close(c);
  });
  CURL* e = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  if (!body.empty()) list = curl_slist_append(list, "Expect:");  // as the engine does
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_PROXY, "");
  curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
  curl_slist* connect_to =
      authority.empty() ? nullptr : curl_slist_append(nullptr, (authority + ":" + listener_at).c_str());
  curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to);
  if (method == "GET" && body.empty()) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method == "POST" ? nullptr : method.c_str());
  }
  curl_easy_perform(e);
  curl_slist_free_all(list);
  curl_slist_free_all(connect_to);
  curl_easy_cleanup(e);
  server.join();
  ::close(listener);
  // Same target: the Host header names the listener's port, which the caller cannot know.
  const auto host = got.find("Host: 127.0.0.1:");
  if (host != std::string::npos) got.replace(host, got.find("\r\n", host) - host, "Host: h");
  return got;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http1_request_bytes)

BOOST_AUTO_TEST_CASE(the_bytes_are_what_libcurl_sends_for_the_same_request) {
  const auto t = http1_target("http://h/p?q=1").value();
  struct Case {
    std::string method;
    std::vector<std::string> headers;
    std::string body;
  };
  const std::vector<Case> cases = {
      {"GET", {}, ""},
      {"GET", {"X-A: 1", "Accept: text/plain"}, ""},
      {"HEAD", {}, ""},
      {"POST", {"Content-Type: application/json"}, "{\"a\":1}"},
      {"POST", {}, "a=1&b=2"},
      {"PUT", {"Content-Type: text/plain"}, "put"},
      {"DELETE", {}, ""},
      {"GET", {}, "a body on a GET"},
      {"PATCH", {"X-B: 2"}, "x"},
      {"POST", {"Content-Type:"}, "no type"},
      {"GET", {"Accept:", "Host: other"}, ""},
  };
  for (const auto& c : cases) {
    BOOST_TEST(http1_request(c.method, t, c.headers, c.body) == bytes_curl_sends(c.method, "/p?q=1", c.headers, c.body),
               c.method << " " << c.body << "\nours:\n"
                        << http1_request(c.method, t, c.headers, c.body) << "curl:\n"
                        << bytes_curl_sends(c.method, "/p?q=1", c.headers, c.body));
  }
}

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

BOOST_AUTO_TEST_CASE(an_explicit_default_port_is_left_out_of_the_host_header_as_curl_does) {
  const auto t = http1_target("http://h.test:80/p");
  BOOST_TEST_REQUIRE(t.ok(), (t.ok() ? std::string() : t.error()));
  BOOST_TEST((t.value() == Http1Target{"h.test", 80, "h.test", "/p"}));
  BOOST_TEST(http1_request("GET", t.value(), {}, "") == bytes_curl_sends("GET", "/p", {}, "", "h.test:80"));
  const auto v6 = http1_target("http://[::1]:80/p");
  BOOST_TEST_REQUIRE(v6.ok(), (v6.ok() ? std::string() : v6.error()));
  BOOST_TEST(v6.value().host_header == "[::1]");
  // Any other port stays in it, as curl sends it.
  BOOST_TEST(http1_request("GET", http1_target("http://h.test:8080/p").value(), {}, "") ==
             bytes_curl_sends("GET", "/p", {}, "", "h.test:8080"));
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

BOOST_AUTO_TEST_CASE(a_body_gets_its_content_length_and_curls_form_type_unless_it_names_one) {
  const auto t = http1_target("http://h/echo").value();
  BOOST_TEST(http1_request("POST", t, {"Content-Type: application/json", "Content-Length: 99"}, "{\"a\":1}") ==
             "POST /echo HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Type: application/json\r\nContent-Length: "
             "7\r\n\r\n{\"a\":1}");
  BOOST_TEST(http1_request("POST", t, {}, "") ==
             "POST /echo HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nContent-Length: 0\r\n"
             "Content-Type: application/x-www-form-urlencoded\r\n\r\n");
  BOOST_TEST(http1_request("HEAD", t, {}, "") == "HEAD /echo HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n");
}

BOOST_AUTO_TEST_SUITE_END()

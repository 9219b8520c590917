// The ScriptedHttpServer fixture (tests/support/scripted_http_server.*): scripts run in
// order per path, kept connections serve the next request, closes and resets look to a
// client (libcurl) as they should, and stop() ends connections held open or paused.
#include <chrono>
#include <string>
#include <thread>

#include <boost/test/unit_test.hpp>
#include <curl/curl.h>

#include "support/scripted_http_server.hpp"

using namespace grid::test;
using namespace std::chrono_literals;

namespace {

struct Fetched {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
};

std::size_t append_body(char* data, std::size_t size, std::size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

// One request on `curl` (a handle keeps its connection for the next request).
Fetched fetch(CURL* curl, const std::string& url) {
  Fetched fetched;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10'000L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &fetched.body);
  fetched.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &fetched.status);
  return fetched;
}

Fetched fetch(const std::string& url) {
  CURL* curl = curl_easy_init();
  BOOST_REQUIRE(curl != nullptr);
  Fetched fetched = fetch(curl, url);
  curl_easy_cleanup(curl);
  return fetched;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scripted_http_server)

BOOST_AUTO_TEST_CASE(a_script_runs_in_order_and_the_connection_serves_the_next_request) {
  ScriptedHttpServer server;
  server.on("/parts", {ScriptStep::send(response_head(200, {"Content-Length: 6"}) + "abc"), ScriptStep::wait(10ms),
                       ScriptStep::send("def")});
  CURL* curl = curl_easy_init();
  BOOST_REQUIRE(curl != nullptr);
  const Fetched first = fetch(curl, server.url("/parts?x=1"));  // the query is not part of the path
  const Fetched second = fetch(curl, server.url("/parts"));
  curl_easy_cleanup(curl);
  BOOST_TEST(first.code == CURLE_OK);
  BOOST_TEST(first.body == "abcdef");
  BOOST_TEST(second.body == "abcdef");
  BOOST_TEST(server.connections() == 1u);
  BOOST_TEST(server.requests() == 2u);
}

BOOST_AUTO_TEST_CASE(an_unscripted_path_is_a_404) {
  ScriptedHttpServer server;
  const Fetched f = fetch(server.url("/nothing-here"));
  BOOST_TEST(f.code == CURLE_OK);
  BOOST_TEST(f.status == 404);
}

BOOST_AUTO_TEST_CASE(a_responder_sees_each_requests_index_on_its_connection) {
  ScriptedHttpServer server;
  server.on("/n", [](const ScriptedRequest& r) -> Script {
    return {ScriptStep::send(response(200, std::to_string(r.index_on_connection) + " " + r.method))};
  });
  CURL* curl = curl_easy_init();
  BOOST_REQUIRE(curl != nullptr);
  BOOST_TEST(fetch(curl, server.url("/n")).body == "0 GET");
  BOOST_TEST(fetch(curl, server.url("/n")).body == "1 GET");
  curl_easy_cleanup(curl);
}

BOOST_AUTO_TEST_CASE(chunked_frames_a_body_that_a_client_decodes) {
  ScriptedHttpServer server;
  const std::string body = filler(1000);
  server.on("/c", {ScriptStep::send(response_head(200, {"Transfer-Encoding: chunked"}) + chunked(body, 33))});
  const Fetched f = fetch(server.url("/c"));
  BOOST_TEST(f.code == CURLE_OK);
  BOOST_TEST(f.body == body);
}

BOOST_AUTO_TEST_CASE(a_close_mid_body_and_a_reset_are_what_a_client_sees) {
  ScriptedHttpServer server;
  server.on("/cut", {ScriptStep::send(response_head(200, {"Content-Length: 10"}) + "abc"), ScriptStep::close()});
  server.on("/rst", {ScriptStep::reset()});
  BOOST_TEST(fetch(server.url("/cut")).code == CURLE_PARTIAL_FILE);
  BOOST_TEST(fetch(server.url("/rst")).code == CURLE_RECV_ERROR);
}

BOOST_AUTO_TEST_CASE(stop_ends_connections_that_are_held_or_paused) {
  ScriptedHttpServer server;
  server.on("/hold", {ScriptStep::hold()});
  server.on("/pause", {ScriptStep::wait(60s)});
  Fetched held, paused;
  std::thread a([&] { held = fetch(server.url("/hold")); });
  std::thread b([&] { paused = fetch(server.url("/pause")); });
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (server.requests() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  BOOST_TEST(server.requests() == 2u);
  server.stop();
  a.join();
  b.join();
  // The server closed both before the clients' 10 s timeout: no response, not a timeout.
  BOOST_TEST(held.code == CURLE_GOT_NOTHING);
  BOOST_TEST(paused.code == CURLE_GOT_NOTHING);
}

BOOST_AUTO_TEST_SUITE_END()

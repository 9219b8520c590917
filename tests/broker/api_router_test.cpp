// The HTTP API's routing without sockets (broker/api_router.*): status codes, headers
// and bodies for good and bad requests, and the bearer token. The real server is
// exercised over loopback in the integration suite http_api.

#include <atomic>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "broker/api_router.hpp"

using namespace grid;
using broker::ApiRequest;
using broker::ApiResponse;

namespace {

std::string header_of(const ApiResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

struct Fixture {
  broker::SnapshotBox box;
  std::atomic<int> stops{0};
  broker::ApiRouter open{box, "", [this] { ++stops; }};
  broker::ApiRouter guarded{box, "s3cret", [this] { ++stops; }};
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(api_router, Fixture)

BOOST_AUTO_TEST_CASE(every_get_endpoint_answers_json_or_metrics) {
  for (const std::string path : {"/api/v1/status", "/api/v1/stats", "/api/v1/nodes", "/api/v1/warnings"}) {
    const auto r = open.handle({"GET", path, ""});
    BOOST_TEST(r.status == 200, path);
    BOOST_TEST(r.content_type == "application/json");
    BOOST_CHECK_NO_THROW(nlohmann::json::parse(r.body));
  }
  const auto m = open.handle({"GET", "/metrics", ""});
  BOOST_TEST(m.status == 200);
  BOOST_TEST(m.content_type == "text/plain; version=0.0.4; charset=utf-8");
}

BOOST_AUTO_TEST_CASE(a_query_string_is_ignored) {
  BOOST_TEST(open.handle({"GET", "/api/v1/status?x=1", ""}).status == 200);
}

BOOST_AUTO_TEST_CASE(an_unknown_path_is_404_with_a_json_error) {
  const auto r = open.handle({"GET", "/api/v2/nothing", ""});
  BOOST_TEST(r.status == 404);
  BOOST_TEST(nlohmann::json::parse(r.body)["error"].get<std::string>().find("/api/v2/nothing") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_wrong_method_is_405_with_allow) {
  const auto r = open.handle({"DELETE", "/api/v1/status", ""});
  BOOST_TEST(r.status == 405);
  BOOST_TEST(header_of(r, "Allow") == "GET");
  const auto s = open.handle({"GET", "/api/v1/stop", ""});
  BOOST_TEST(s.status == 405);
  BOOST_TEST(header_of(s, "Allow") == "POST");
  BOOST_TEST(stops == 0);
}

BOOST_AUTO_TEST_CASE(post_stop_stops_and_says_202) {
  BOOST_TEST(open.handle({"POST", "/api/v1/stop", ""}).status == 202);
  BOOST_TEST(stops == 1);
}

BOOST_AUTO_TEST_CASE(with_a_token_a_request_without_it_is_401_with_www_authenticate) {
  for (const std::string path : {"/api/v1/status", "/metrics", "/nowhere"}) {
    const auto r = guarded.handle({"GET", path, ""});
    BOOST_TEST(r.status == 401, path);
    BOOST_TEST(header_of(r, "WWW-Authenticate").rfind("Bearer", 0) == 0u);
  }
}

BOOST_AUTO_TEST_CASE(with_a_token_a_wrong_token_is_401_and_stops_nothing) {
  for (const std::string auth : {"Bearer s3cre", "Bearer s3cret2", "Basic s3cret", "Bearer ", "s3cret"}) {
    BOOST_TEST(guarded.handle({"POST", "/api/v1/stop", auth}).status == 401, auth);
  }
  BOOST_TEST(stops == 0);
}

BOOST_AUTO_TEST_CASE(with_a_token_the_right_token_is_served) {
  BOOST_TEST(guarded.handle({"GET", "/api/v1/status", "Bearer s3cret"}).status == 200);
  BOOST_TEST(guarded.handle({"POST", "/api/v1/stop", "Bearer s3cret"}).status == 202);
  BOOST_TEST(stops == 1);
}

BOOST_AUTO_TEST_SUITE_END()

#include <string>

#include <boost/test/unit_test.hpp>

#include "target/route.hpp"

namespace {

using grid::target::path_of;
using grid::target::route_request;
using grid::target::RouteKind;

}  // namespace

BOOST_AUTO_TEST_SUITE(route)

BOOST_AUTO_TEST_CASE(path_of_strips_query_and_fragment) {
  BOOST_TEST(path_of("/a/b?x=1#f") == "/a/b");
  BOOST_TEST(path_of("/a#f?x") == "/a");
  BOOST_TEST(path_of("/") == "/");
}

BOOST_AUTO_TEST_CASE(root_is_hello_for_any_method) {
  for (const char* method : {"GET", "POST", "PURGE"}) {
    const auto route = route_request(method, "/");
    BOOST_TEST((route.kind == RouteKind::hello));
    BOOST_TEST(route.status == 200);
    BOOST_TEST(route.body == grid::target::hello_body());
  }
}

BOOST_AUTO_TEST_CASE(delay_takes_milliseconds_up_to_ten_minutes) {
  const auto route = route_request("GET", "/delay/250");
  BOOST_TEST((route.kind == RouteKind::delay));
  BOOST_TEST(route.delay.count() == 250);
  BOOST_TEST(route_request("GET", "/delay/600000").delay.count() == 600000);
  for (const char* bad : {"/delay/600001", "/delay/", "/delay/-1", "/delay/1.5", "/delay/9x"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST((route_request("GET", bad).kind == RouteKind::bad_parameter));
      BOOST_TEST(route_request("GET", bad).status == 400);
    }
  }
}

BOOST_AUTO_TEST_CASE(status_takes_codes_200_to_599) {
  BOOST_TEST(route_request("GET", "/status/200").status == 200);
  const auto route = route_request("GET", "/status/503");
  BOOST_TEST(route.status == 503);
  BOOST_TEST(route.body == "503 Service Unavailable\n");
  BOOST_TEST(route_request("GET", "/status/204").body.empty());
  BOOST_TEST(route_request("GET", "/status/304").body.empty());
  for (const char* bad : {"/status/199", "/status/100", "/status/600", "/status/", "/status/20x"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(route_request("GET", bad).status == 400); }
  }
}

BOOST_AUTO_TEST_CASE(bytes_takes_sizes_up_to_16_mib) {
  const auto route = route_request("GET", "/bytes/1000");
  BOOST_TEST((route.kind == RouteKind::bytes));
  BOOST_TEST(route.body_bytes == 1000u);
  BOOST_TEST(route_request("GET", "/bytes/16777216").body_bytes == 16777216u);
  BOOST_TEST(route_request("GET", "/bytes/16777217").status == 400);
  BOOST_TEST(route_request("GET", "/bytes/99999999999999999999999").status == 400);
}

BOOST_AUTO_TEST_CASE(stats_path_reads_and_delete_or_reset_path_resets) {
  BOOST_TEST((route_request("GET", "/__stats").kind == RouteKind::stats));
  BOOST_TEST((route_request("POST", "/__stats").kind == RouteKind::stats));
  BOOST_TEST((route_request("DELETE", "/__stats").kind == RouteKind::reset));
  BOOST_TEST((route_request("GET", "/__reset").kind == RouteKind::reset));
}

BOOST_AUTO_TEST_CASE(echo_is_one_exact_path_for_any_method) {
  for (const char* method : {"GET", "POST", "PUT", "DELETE"}) {
    BOOST_TEST_CONTEXT(method) {
      BOOST_TEST((route_request(method, "/echo").kind == RouteKind::echo));
      BOOST_TEST(route_request(method, "/echo").status == 200);
    }
  }
}

BOOST_AUTO_TEST_CASE(json_token_takes_letters_digits_dash_and_underscore) {
  const auto route = route_request("GET", "/json/token/aZ09_-x");
  BOOST_TEST((route.kind == RouteKind::json_token));
  BOOST_TEST(route.status == 200);
  BOOST_TEST(route.token == "aZ09_-x");
  BOOST_TEST(route_request("GET", "/json/token/" + std::string(256, 'a')).status == 200);
  for (const std::string& bad :
       {std::string("/json/token/"), std::string("/json/token/a.b"), std::string("/json/token/a%20b"),
        std::string("/json/token/a/b"), std::string("/json/token/\"x"), "/json/token/" + std::string(257, 'a')}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST((route_request("GET", bad).kind == RouteKind::bad_parameter));
      BOOST_TEST(route_request("GET", bad).status == 400);
    }
  }
}

BOOST_AUTO_TEST_CASE(token_json_has_the_documented_shape) {
  std::string body;
  grid::target::append_token_json(body, "abc");
  BOOST_TEST(body == R"({"token":"abc","n":42,"ok":true,"items":[1,2,3]})");
}

BOOST_AUTO_TEST_CASE(stall_takes_milliseconds_up_to_ten_minutes_and_is_a_control_route) {
  const auto route = route_request("POST", "/__stall/1500");
  BOOST_TEST((route.kind == RouteKind::stall));
  BOOST_TEST(route.stall.count() == 1500);
  BOOST_TEST(route.delay.count() == 0);
  BOOST_TEST(route_request("GET", "/__stall/0").stall.count() == 0);
  BOOST_TEST(route_request("GET", "/__stall/600000").stall.count() == 600000);
  for (const char* bad : {"/__stall/600001", "/__stall/", "/__stall/-5", "/__stall/1s"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(route_request("GET", bad).status == 400); }
  }
  BOOST_TEST(grid::target::is_control(RouteKind::stall));
  BOOST_TEST(grid::target::is_control(RouteKind::stats));
  BOOST_TEST(grid::target::is_control(RouteKind::reset));
  BOOST_TEST(!grid::target::is_control(RouteKind::echo));
  BOOST_TEST(!grid::target::is_control(RouteKind::delay));
}

BOOST_AUTO_TEST_CASE(anything_else_is_404) {
  for (const char* path : {"/x", "/delay", "/status", "/bytes", "/__stats/x", "//", "/echo/", "/echox", "/json/token",
                           "/json", "/__stall"}) {
    BOOST_TEST_CONTEXT(path) {
      BOOST_TEST((route_request("GET", path).kind == RouteKind::not_found));
      BOOST_TEST(route_request("GET", path).status == 404);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

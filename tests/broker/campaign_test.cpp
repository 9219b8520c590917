#include <sstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "broker/campaign.hpp"

using grid::broker::Campaign;
using grid::broker::ConfigError;
using grid::broker::parse_campaign;

namespace {

const char* kValid = R"(
[campaign]
name = demo
duration = 30s
interval = 500ms
results = out/demo

[load]
users = 50
spawn_rate = 10
think_time = 100ms

[request.home]
method = GET
url = http://127.0.0.1:8080/
headers = Accept: text/plain
headers = X-Test: 1
timeout = 2s
expect_status = 200

[request.post]
method = POST
url = http://127.0.0.1:8080/submit
body = {"a": 1}
expect_status = 200-299
)";

Campaign parse(const std::string& text) {
  std::istringstream in(text);
  return parse_campaign(in, "test.ini");
}

// Parses `text` expecting a ConfigError whose message contains every fragment.
void expect_error(const std::string& text, std::initializer_list<std::string> fragments) {
  try {
    parse(text);
    BOOST_FAIL("expected a ConfigError for:\n" + text);
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    for (const auto& f : fragments) {
      BOOST_TEST(message.find(f) != std::string::npos, "'" << message << "' should mention '" << f << "'");
    }
  }
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  BOOST_REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(campaign_file)

BOOST_AUTO_TEST_CASE(valid_campaign_gives_every_value) {
  const Campaign c = parse(kValid);
  BOOST_TEST(c.name == "demo");
  BOOST_TEST(c.duration.count() == 30'000);
  BOOST_TEST(c.interval.count() == 500);
  BOOST_TEST(c.results_dir == "out/demo");
  BOOST_TEST(c.users == 50u);
  BOOST_TEST(c.spawn_rate == 10.0);
  BOOST_TEST(c.think_time.count() == 100);
  BOOST_REQUIRE(c.requests.size() == 2u);
  BOOST_TEST(c.requests[0].name == "home");
  BOOST_TEST(c.requests[0].headers.size() == 2u);
  BOOST_TEST(c.requests[0].headers[1] == "X-Test: 1");
  BOOST_TEST(c.requests[0].timeout_ms == 2000u);
  BOOST_TEST(c.requests[0].expect_status.low == 200);
  BOOST_TEST(c.requests[0].expect_status.high == 200);
  BOOST_TEST(c.requests[1].method == "POST");
  BOOST_TEST(c.requests[1].body == "{\"a\": 1}");
  BOOST_TEST(c.requests[1].expect_status.high == 299);
}

BOOST_AUTO_TEST_CASE(requests_keep_file_order) {
  const Campaign c = parse(replace(kValid, "[request.home]", "[request.zzz]"));
  BOOST_TEST(c.requests[0].name == "zzz");
  BOOST_TEST(c.requests[1].name == "post");
}

BOOST_AUTO_TEST_CASE(defaults_apply_when_keys_are_absent) {
  const Campaign c = parse("[campaign]\nname=x\nduration=5s\n[load]\nusers=1\n[request.a]\nurl=http://127.0.0.1:1/\n");
  BOOST_TEST(c.interval.count() == 1000);
  BOOST_TEST(c.spawn_rate == 0.0);
  BOOST_TEST(c.requests[0].method == "GET");
  BOOST_TEST(c.requests[0].timeout_ms == 10'000u);
  BOOST_TEST(c.requests[0].expect_status.low == 200);
  BOOST_TEST(c.requests[0].expect_status.high == 399);
}

BOOST_AUTO_TEST_CASE(unknown_key_is_an_error_naming_section_and_key) {
  expect_error(replace(kValid, "users = 50", "users = 50\nusrs = 3"),
               {"test.ini", "[load]", "usrs", "unknown key", "users"});
}

BOOST_AUTO_TEST_CASE(unknown_section_is_an_error) {
  expect_error(std::string(kValid) + "\n[thresholdz]\np99 = 1\n", {"test.ini", "[thresholdz]", "unknown section"});
}

BOOST_AUTO_TEST_CASE(bad_duration_names_key_and_expectation) {
  expect_error(replace(kValid, "duration = 30s", "duration = thirty"), {"[campaign] duration", "thirty", "30s"});
}

BOOST_AUTO_TEST_CASE(bad_users_names_key) {
  expect_error(replace(kValid, "users = 50", "users = ten"), {"[load] users", "ten", "count"});
  expect_error(replace(kValid, "users = 50", "users = 0"), {"[load] users", "out of range"});
}

BOOST_AUTO_TEST_CASE(bad_spawn_rate_names_key) {
  expect_error(replace(kValid, "spawn_rate = 10", "spawn_rate = fast"), {"[load] spawn_rate", "fast"});
}

BOOST_AUTO_TEST_CASE(bad_url_names_request_section) {
  expect_error(replace(kValid, "url = http://127.0.0.1:8080/submit", "url = ftp://x/"),
               {"[request.post] url", "ftp://x/", "http://"});
}

BOOST_AUTO_TEST_CASE(bad_header_names_request_section) {
  expect_error(replace(kValid, "headers = X-Test: 1", "headers = no-colon"), {"[request.home] headers", "Name: value"});
}

BOOST_AUTO_TEST_CASE(bad_expect_status_names_request_section) {
  expect_error(replace(kValid, "expect_status = 200-299", "expect_status = 299-200"),
               {"[request.post] expect_status", "'299-200' is not a status or range", "300-399"});
  expect_error(replace(kValid, "expect_status = 200-299", "expect_status = ok"),
               {"[request.post] expect_status", "'ok'", "200, 201, 300-399"});
}

BOOST_AUTO_TEST_CASE(bad_method_names_request_section) {
  expect_error(replace(kValid, "method = POST", "method = post"), {"[request.post] method", "post"});
}

BOOST_AUTO_TEST_CASE(bad_timeout_names_request_section) {
  expect_error(replace(kValid, "timeout = 2s", "timeout = 0s"), {"[request.home] timeout", "out of range"});
}

BOOST_AUTO_TEST_CASE(missing_required_keys_are_named) {
  expect_error("[campaign]\nduration=5s\n[load]\nusers=1\n[request.a]\nurl=http://127.0.0.1:1/\n",
               {"[campaign] name", "missing"});
  expect_error("[campaign]\nname=x\n[load]\nusers=1\n[request.a]\nurl=http://127.0.0.1:1/\n",
               {"[campaign] duration", "missing"});
  expect_error("[campaign]\nname=x\nduration=5s\n[request.a]\nurl=http://127.0.0.1:1/\n",
               {"[load]", "missing section"});
  expect_error("[campaign]\nname=x\nduration=5s\n[load]\n[request.a]\nurl=http://127.0.0.1:1/\n",
               {"[load] users", "missing"});
  expect_error("[campaign]\nname=x\nduration=5s\n[load]\nusers=1\n", {"no [request.NAME]"});
  expect_error("[campaign]\nname=x\nduration=5s\n[load]\nusers=1\n[request.a]\nmethod=GET\n",
               {"[request.a] url", "missing"});
}

BOOST_AUTO_TEST_CASE(repeated_single_valued_key_is_an_error) {
  expect_error(replace(kValid, "users = 50", "users = 50\nusers = 60"), {"[load] users", "twice"});
}

BOOST_AUTO_TEST_CASE(key_outside_any_section_is_an_error) {
  expect_error(std::string("users = 5\n") + kValid, {"users", "outside any section"});
}

BOOST_AUTO_TEST_CASE(regions_section_gives_weights_by_name) {
  const Campaign c = parse(std::string(kValid) + "\n[regions]\neu.west = 3\nus = 1\n");
  BOOST_REQUIRE(c.regions.size() == 2u);
  BOOST_TEST(c.regions.at("eu.west") == 3.0);
  BOOST_TEST(c.regions.at("us") == 1.0);
}

BOOST_AUTO_TEST_CASE(bad_region_weight_names_the_region) {
  expect_error(std::string(kValid) + "\n[regions]\neu = lots\n", {"[regions] eu", "lots", "weight"});
  expect_error(std::string(kValid) + "\n[regions]\neu = 0\nus = 0\n", {"[regions]", "every weight is 0"});
}

BOOST_AUTO_TEST_CASE(unreadable_file_is_an_error_naming_the_path) {
  try {
    grid::broker::load_campaign("/nonexistent/campaign.ini");
    BOOST_FAIL("expected ConfigError");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("/nonexistent/campaign.ini") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(shipped_example_campaigns_parse) {
  for (const char* name : {"local-target.ini", "any-url.ini", "grid-regions.ini", "journeys.ini"}) {
    BOOST_TEST_CONTEXT(name) {
      const Campaign c = grid::broker::load_campaign(std::string(LOADGRID_SOURCE_DIR) + "/configs/" + name);
      BOOST_TEST(!c.requests.empty());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

// [request.NAME]: expected statuses, checks, extraction, HTTP version, TLS, body_file and
// ca_file, and the ${...} variables of url, headers and body.

#include <filesystem>
#include <fstream>

#include <boost/test/unit_test.hpp>

#include "campaign_fixture.hpp"
#include "protocol/workload/template.hpp"
#include "support/child_process.hpp"

using namespace grid::test;
using grid::wire::CheckKind;
using grid::wire::ExtractKind;
using grid::wire::HttpVersion;
using grid::wire::StatusRange;

namespace {

// kMinimal plus `keys` in [request.home] (its last section).
std::string with_request(const std::string& keys) { return kMinimal + keys; }

const std::string kPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(campaign_request)

BOOST_AUTO_TEST_CASE(expect_status_takes_a_list_of_codes_and_ranges) {
  const auto c = parse(with_request("expect_status = 200, 201,300-399\n"));
  const auto& r = c.requests.at(0);
  BOOST_REQUIRE(r.expect.size() == 3u);
  BOOST_TEST((r.expect[0] == StatusRange{200, 200}));
  BOOST_TEST((r.expect[1] == StatusRange{201, 201}));
  BOOST_TEST((r.expect[2] == StatusRange{300, 399}));
  BOOST_TEST(r.expects(201));
  BOOST_TEST(!r.expects(204));
  BOOST_TEST(r.expects(302));
}

BOOST_AUTO_TEST_CASE(expect_status_also_sets_the_first_range_for_older_peers) {
  const auto c = parse(with_request("expect_status = 204, 300-399\n"));
  BOOST_TEST((c.requests.at(0).expect_status == StatusRange{204, 204}));
}

BOOST_AUTO_TEST_CASE(without_expect_status_the_default_range_stays) {
  const auto& r = parse(kMinimal).requests.at(0);
  BOOST_TEST(r.expect.empty());
  BOOST_TEST((r.expect_status == StatusRange{200, 399}));
}

BOOST_AUTO_TEST_CASE(transport_is_auto_unless_the_request_names_one) {
  BOOST_TEST((parse(kMinimal).requests.at(0).transport == grid::wire::TransportChoice::automatic));
  BOOST_TEST((parse(with_request("transport = curl\n")).requests.at(0).transport == grid::wire::TransportChoice::curl));
  BOOST_TEST(
      (parse(with_request("transport = native\n")).requests.at(0).transport == grid::wire::TransportChoice::native));
}

BOOST_AUTO_TEST_CASE(a_bad_transport_is_named_with_the_choices) {
  const auto problems = problems_of(with_request("transport = fast\n"));
  BOOST_TEST(problems.size() == 1u, joined(problems));
  BOOST_TEST(contains_all(joined(problems), {"test.ini:8: [request.home] transport: 'fast' is not a transport",
                                             "expected auto, curl or native"}));
}

BOOST_AUTO_TEST_CASE(native_transport_on_a_request_that_needs_curl_is_refused_with_the_reason) {
  const std::string ini =
      "[campaign]\nname = t\nduration = 10s\n[load]\nusers = 5\n[request.home]\nurl = "
      "https://127.0.0.1:18443/\ntransport = native\n";
  const auto problems = problems_of(ini);
  BOOST_TEST(problems.size() == 1u, joined(problems));
  BOOST_TEST(contains_all(joined(problems), {"[request.home] transport: native cannot serve this request", "https://",
                                             "expected auto or curl"}));
}

BOOST_AUTO_TEST_CASE(each_bad_piece_of_expect_status_is_named) {
  const auto problems = problems_of(with_request("expect_status = 200, 99, 300-200, ok\n"));
  BOOST_TEST(problems.size() == 3u, joined(problems));
  for (const auto* piece : {"'99'", "'300-200'", "'ok'"}) {
    BOOST_TEST_CONTEXT(piece) {
      BOOST_TEST(contains_all(joined(problems), {"test.ini:8: [request.home] expect_status: ", piece}));
    }
  }
}

BOOST_AUTO_TEST_CASE(checks_of_every_kind_are_parsed_in_order) {
  const auto c =
      parse(with_request("check = contains hello grid\ncheck = regex ^user-[0-9]+$\ncheck = json /items/0/id == "
                         "42\ncheck = json == \"x\"\n"));
  const auto& checks = c.requests.at(0).checks;
  BOOST_REQUIRE(checks.size() == 4u);
  BOOST_TEST((checks[0].kind == CheckKind::contains));
  BOOST_TEST(checks[0].text == "hello grid");
  BOOST_TEST((checks[1].kind == CheckKind::regex));
  BOOST_TEST(checks[1].text == "^user-[0-9]+$");
  BOOST_TEST((checks[2].kind == CheckKind::json_equals));
  BOOST_TEST(checks[2].path == "/items/0/id");
  BOOST_TEST(checks[2].text == "42");
  BOOST_TEST(checks[3].path == "");
  BOOST_TEST(checks[3].text == "\"x\"");
}

BOOST_AUTO_TEST_CASE(a_regex_that_does_not_compile_is_an_error) {
  expect_only_problem(with_request("check = regex ([a-z\n"),
                      {"test.ini:8: [request.home] check", "regex '([a-z'", "not a valid regex"});
}

BOOST_AUTO_TEST_CASE(a_regex_whose_repeats_would_explode_is_an_error) {
  expect_only_problem(with_request("check = regex ((a{1000}){1000}){1000}\n"), {"[request.home] check", "100,000"});
  // Ordinary counted repeats pass.
  parse(with_request("check = regex [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n"));
}

// std::regex would read these numbers into a long and overflow (found by campaign_fuzz).
BOOST_AUTO_TEST_CASE(a_regex_number_too_long_for_std_regex_is_an_error_before_it_is_built) {
  expect_only_problem(with_request("check = regex (a)\\99999999999999999999\n"),
                      {"[request.home] check", "group numbered above 999"});
  expect_only_problem(with_request("check = regex a*{99999999999999999999}\n"),
                      {"[request.home] check", "more than 9 digits"});
  expect_only_problem(with_request("check = regex x{1,99999999999999999999\n"), {"more than 9 digits"});
  expect_only_problem(with_request("extract = v regex (a)?{,99999999999999999999}\n"), {"more than 9 digits"});
  // Back-references to real groups, and long numbers that are plain text, pass.
  parse(with_request("check = regex (a)(b)\\2\\1 [0-9]{3} 01234567890123456789\n"));
}

BOOST_AUTO_TEST_CASE(bad_checks_name_the_expected_forms) {
  expect_only_problem(with_request("check = contain x\n"), {"[request.home] check", "'contain x' is not a check",
                                                            "did you mean 'contains'?", "json /pointer == VALUE"});
  expect_only_problem(with_request("check = contains\n"), {"[request.home] check", "contains TEXT"});
  expect_only_problem(with_request("check = json items == 1\n"),
                      {"[request.home] check", "'items' is not a JSON pointer"});
  expect_only_problem(with_request("check = json /a~2 == 1\n"), {"'/a~2' is not a JSON pointer", "~0"});
  expect_only_problem(with_request("check = json /a 1\n"), {"has no '=='"});
  expect_only_problem(with_request("check = json /a ==\n"), {"no value after '=='"});
}

BOOST_AUTO_TEST_CASE(extracts_of_every_kind_are_parsed_in_order) {
  const auto c =
      parse(with_request("extract = token regex \"token\":\"([^\"]+)\"\nextract = id json /user/id\nextract = session "
                         "header Set-Cookie\n"));
  const auto& x = c.requests.at(0).extracts;
  BOOST_REQUIRE(x.size() == 3u);
  BOOST_TEST(x[0].variable == "token");
  BOOST_TEST((x[0].kind == ExtractKind::regex));
  BOOST_TEST(x[0].source == "\"token\":\"([^\"]+)\"");
  BOOST_TEST((x[1].kind == ExtractKind::json));
  BOOST_TEST(x[1].source == "/user/id");
  BOOST_TEST((x[2].kind == ExtractKind::header));
  BOOST_TEST(x[2].source == "Set-Cookie");
}

BOOST_AUTO_TEST_CASE(bad_extracts_name_the_problem) {
  expect_only_problem(with_request("extract = 1x json /a\n"),
                      {"[request.home] extract", "'1x' is not a variable name"});
  expect_only_problem(with_request("extract = user json /a\n"), {"'user' is a built-in variable"});
  expect_only_problem(with_request("extract = t jsn /a\n"), {"is not an extraction", "did you mean 'json'?"});
  expect_only_problem(with_request("extract = t header Bad:Name\n"), {"'Bad:Name' is not a header name"});
  expect_only_problem(with_request("extract = t regex (\n"), {"regex '('", "not a valid regex"});
}

BOOST_AUTO_TEST_CASE(http_version_and_tls_verify_are_parsed) {
  const auto c = parse(with_request("http = 2\ntls_verify = false\n"));
  BOOST_TEST((c.requests.at(0).http == HttpVersion::http2));
  BOOST_TEST(c.requests.at(0).tls_verify == false);
  const auto d = parse(kMinimal);
  BOOST_TEST((d.requests.at(0).http == HttpVersion::http1_1));
  BOOST_TEST(d.requests.at(0).tls_verify == true);
  expect_only_problem(with_request("http = 3\n"), {"[request.home] http", "1.1 or 2"});
  expect_only_problem(with_request("tls_verify = yes\n"), {"[request.home] tls_verify", "true or false"});
}

BOOST_AUTO_TEST_CASE(body_file_and_ca_file_are_read_relative_to_the_campaign_directory) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/payloads");
  std::ofstream(dir.path() + "/payloads/order.json") << "{\"sku\": \"${sku}\"}";
  std::ofstream(dir.path() + "/ca.pem") << kPem;
  std::ofstream(dir.path() + "/items.csv") << "sku\nA1\n";
  std::ofstream(dir.path() + "/c.ini") << kMinimal
                                       << "body_file = payloads/order.json\nca_file = " << dir.path() + "/ca.pem\n"
                                       << "[data.items]\nfile = items.csv\n";
  const auto c = grid::broker::load_campaign(dir.path() + "/c.ini");
  BOOST_TEST(c.requests.at(0).body == "{\"sku\": \"${sku}\"}");
  BOOST_TEST(c.requests.at(0).ca_pem == kPem);
}

BOOST_AUTO_TEST_CASE(a_missing_body_file_names_the_path_it_looked_for) {
  TempDir dir;
  std::ofstream(dir.path() + "/c.ini") << kMinimal << "body_file = nope.json\n";
  try {
    grid::broker::load_campaign(dir.path() + "/c.ini");
    BOOST_FAIL("expected a ConfigError");
  } catch (const grid::broker::ConfigError& e) {
    BOOST_TEST(e.problems.size() == 1u);
    BOOST_TEST(contains_all(
        e.what(), {dir.path() + "/c.ini:8: [request.home] body_file: " + dir.path() + "/nope.json", "no such file"}));
  }
}

BOOST_AUTO_TEST_CASE(a_directory_is_not_a_body_file) {
  TempDir dir;
  std::filesystem::create_directories(dir.path() + "/sub");
  std::ofstream(dir.path() + "/c.ini") << kMinimal << "body_file = sub\n";
  BOOST_CHECK_EXCEPTION(grid::broker::load_campaign(dir.path() + "/c.ini"), grid::broker::ConfigError,
                        [](const auto& e) {
                          return contains_all(e.what(), {"body_file", "not a regular file"});
                        });
}

BOOST_AUTO_TEST_CASE(body_and_body_file_exclude_each_other) {
  FakeEnvironment env;
  env.files["b.txt"] = "x";
  expect_only_problem(with_request("body = a\nbody_file = b.txt\n"),
                      {"test.ini:9: [request.home] body_file", "exclude each other"}, env);
}

BOOST_AUTO_TEST_CASE(a_ca_file_without_a_certificate_is_an_error) {
  FakeEnvironment env;
  env.files["ca.pem"] = "not a certificate";
  expect_only_problem(with_request("ca_file = ca.pem\n"), {"[request.home] ca_file", "-----BEGIN CERTIFICATE-----"},
                      env);
}

BOOST_AUTO_TEST_CASE(variables_may_be_builtins_columns_extracted_or_random) {
  FakeEnvironment env;
  env.files["d.csv"] = "account,pin\nA,1\n";
  const auto c =
      parse(kMinimal + "extract = token json /token\nheaders = Authorization: Bearer ${token}\n" +
                "[request.next]\nurl = http://127.0.0.1:18080/${account}/${user}/${iteration}?r=${random(1,9)}\n" +
                "body = pin=${pin}&a=${agent}&u=${uuid}&t=${unix_time}&m=${unix_ms}\n" + "[data.d]\nfile = d.csv\n",
            env);
  BOOST_TEST(c.requests.at(1).url == "http://127.0.0.1:18080/${account}/${user}/${iteration}?r=${random(1,9)}");
  BOOST_TEST(c.requests.at(0).headers.at(0) == "Authorization: Bearer ${token}");
}

BOOST_AUTO_TEST_CASE(an_unknown_variable_is_named_with_a_suggestion) {
  FakeEnvironment env;
  env.files["d.csv"] = "account\nA\n";
  expect_only_problem(
      kMinimal + "body = ${acount}\n[data.d]\nfile = d.csv\n",
      {"test.ini:8: [request.home] body", "${acount}: unknown variable", "did you mean 'account'?", "built-in"}, env);
}

BOOST_AUTO_TEST_CASE(template_syntax_errors_are_reported_where_they_are) {
  expect_only_problem(with_request("headers = X-A: ${oops\n"), {"test.ini:8: [request.home] headers", "unterminated"});
  expect_only_problem(replace(kMinimal, "18080/", "18080/${random(9,1)}"),
                      {"test.ini:7: [request.home] url", "LO is above HI"});
}

BOOST_AUTO_TEST_CASE(env_variables_are_resolved_at_parse_time_and_escaped) {
  FakeEnvironment env;
  env.vars["TOKEN"] = "s3cr3t";
  env.vars["ODD"] = "a${b}";
  const auto c = parse(with_request("headers = Authorization: Bearer ${env.TOKEN}\nbody = ${env.ODD}/${user}\n"), env);
  BOOST_TEST(c.requests.at(0).headers.at(0) == "Authorization: Bearer s3cr3t");
  BOOST_TEST(c.requests.at(0).body == "a$${b}/${user}");
  // What agents get reads back as the environment's value, literally.
  const auto t = grid::workload::parse_template(c.requests.at(0).body);
  BOOST_REQUIRE(t.ok());
  BOOST_TEST(t.value().parts.at(0).text == "a${b}/");
}

BOOST_AUTO_TEST_CASE(env_variables_may_give_the_url_its_host) {
  FakeEnvironment env;
  env.vars["BASE"] = "http://127.0.0.1:18080";
  const auto c = parse(replace(kMinimal, "url = http://127.0.0.1:18080/", "url = ${env.BASE}/x"), env);
  BOOST_TEST(c.requests.at(0).url == "http://127.0.0.1:18080/x");
}

BOOST_AUTO_TEST_CASE(an_unset_env_variable_is_an_error_naming_it) {
  expect_only_problem(with_request("body = ${env.NOT_SET_ANYWHERE}\n"),
                      {"test.ini:8: [request.home] body", "environment variable NOT_SET_ANYWHERE is not set"});
}

BOOST_AUTO_TEST_CASE(env_variables_come_from_the_real_environment_by_default) {
  ::setenv("LOADGRID_CAMPAIGN_TEST_TOKEN", "from-env", 1);
  std::istringstream in(with_request("body = ${env.LOADGRID_CAMPAIGN_TEST_TOKEN}\n"));
  const auto c = grid::broker::parse_campaign(in, "test.ini");
  BOOST_TEST(c.requests.at(0).body == "from-env");
  ::unsetenv("LOADGRID_CAMPAIGN_TEST_TOKEN");
}

BOOST_AUTO_TEST_CASE(an_env_value_with_a_line_break_is_not_a_header) {
  FakeEnvironment env;
  env.vars["EVIL"] = "x\r\nX-Injected: 1";
  expect_only_problem(with_request("headers = X-A: ${env.EVIL}\n"), {"[request.home] headers", "is not a header"}, env);
}

BOOST_AUTO_TEST_CASE(a_url_must_write_out_scheme_and_host) {
  expect_only_problem(replace(kMinimal, "url = http://127.0.0.1:18080/", "url = ${user}/x"),
                      {"[request.home] url", "not an http:// or https:// URL"});
  expect_only_problem(replace(kMinimal, "url = http://127.0.0.1:18080/", "url = http://a b/"),
                      {"[request.home] url", "space or control character"});
}

BOOST_AUTO_TEST_CASE(body_file_variables_are_checked_and_named_with_the_file) {
  FakeEnvironment env;
  env.files["b.json"] = "{\"x\": \"${nope}\"}";
  expect_only_problem(with_request("body_file = b.json\n"),
                      {"test.ini:8: [request.home] body_file: b.json: ${nope}: unknown variable"}, env);
}

BOOST_AUTO_TEST_SUITE_END()

#include <string>

#include <boost/test/unit_test.hpp>

#include "target/http_request_parser.hpp"

namespace {

using grid::target::kMaxHeadBytes;
using grid::target::parse_request_head;
using grid::target::ParseResult;
using grid::target::ParseStatus;

ParseResult parse(const std::string& input) { return parse_request_head(input); }

int error_of(const std::string& input) {
  const ParseResult result = parse(input);
  return result.status == ParseStatus::error ? result.error_status : 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_request_parser)

BOOST_AUTO_TEST_CASE(simple_get_is_complete_with_its_parts) {
  const std::string input = "GET /a?b=c HTTP/1.1\r\nHost: x\r\n\r\n";
  const ParseResult result = parse(input);
  BOOST_REQUIRE(result.status == ParseStatus::complete);
  BOOST_TEST(result.head_bytes == input.size());
  BOOST_TEST(result.head.method == "GET");
  BOOST_TEST(result.head.target == "/a?b=c");
  BOOST_TEST(result.head.minor_version == 1);
  BOOST_TEST(result.head.keep_alive);
  BOOST_TEST(result.head.content_length == 0u);
}

BOOST_AUTO_TEST_CASE(raw_head_is_exactly_the_bytes_received_without_leading_blank_lines) {
  const std::string head = "POST /echo?q=1 HTTP/1.1\r\nX-Token:  abc \nHost: x\r\nContent-Length: 4\r\n\r\n";
  const std::string input = "\r\n" + head + "bodyGET / HTTP/1.1\r\n\r\n";
  const ParseResult result = parse(input);
  BOOST_REQUIRE(result.status == ParseStatus::complete);
  BOOST_TEST(result.head.raw == head);
  BOOST_TEST(result.head_bytes == 2 + head.size());
}

BOOST_AUTO_TEST_CASE(head_cut_anywhere_before_the_blank_line_is_incomplete) {
  const std::string input = "POST /x HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\n";
  for (std::size_t cut = 0; cut < input.size(); ++cut) {
    BOOST_TEST_CONTEXT("cut " << cut) { BOOST_TEST((parse(input.substr(0, cut)).status == ParseStatus::incomplete)); }
  }
  const ParseResult whole = parse(input);
  BOOST_REQUIRE(whole.status == ParseStatus::complete);
  BOOST_TEST(whole.head.content_length == 3u);
  BOOST_TEST(!whole.head.keep_alive);
}

BOOST_AUTO_TEST_CASE(only_the_first_of_pipelined_requests_is_taken) {
  const std::string first = "GET /1 HTTP/1.1\r\n\r\n";
  const std::string input = first + "GET /2 HTTP/1.1\r\n\r\n";  // outlives the views
  const ParseResult result = parse(input);
  BOOST_REQUIRE(result.status == ParseStatus::complete);
  BOOST_TEST(result.head_bytes == first.size());
  BOOST_TEST(result.head.target == "/1");
}

BOOST_AUTO_TEST_CASE(bare_lf_line_endings_and_leading_blank_lines_are_accepted) {
  const std::string input = "\r\n\nGET / HTTP/1.1\nHost: x\n\n";
  const ParseResult result = parse(input);
  BOOST_REQUIRE(result.status == ParseStatus::complete);
  BOOST_TEST(result.head_bytes == input.size());
  BOOST_TEST(result.head.target == "/");
}

BOOST_AUTO_TEST_CASE(http10_closes_unless_keep_alive_is_asked_for) {
  BOOST_TEST(!parse("GET / HTTP/1.0\r\n\r\n").head.keep_alive);
  const ParseResult kept = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  BOOST_TEST(kept.head.keep_alive);
  BOOST_TEST(kept.head.minor_version == 0);
}

BOOST_AUTO_TEST_CASE(connection_close_option_is_found_in_a_list_in_any_case) {
  BOOST_TEST(!parse("GET / HTTP/1.1\r\nconnection: Upgrade ,  CLOSE\r\n\r\n").head.keep_alive);
  BOOST_TEST(parse("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n").head.keep_alive);
}

BOOST_AUTO_TEST_CASE(content_length_must_be_a_single_decimal_number) {
  BOOST_TEST(parse("POST / HTTP/1.1\r\nContent-Length:  42 \r\n\r\n").head.content_length == 42u);
  BOOST_TEST(parse("POST / HTTP/1.1\r\nContent-Length: 4\r\ncontent-length: 4\r\n\r\n").head.content_length == 4u);
  BOOST_TEST(error_of("POST / HTTP/1.1\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n") == 400);
  BOOST_TEST(error_of("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == 400);
  BOOST_TEST(error_of("POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n") == 400);
  BOOST_TEST(error_of("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n") == 400);
}

BOOST_AUTO_TEST_CASE(expect_100_continue_is_reported_for_http11_only) {
  BOOST_TEST(parse("POST / HTTP/1.1\r\nExpect: 100-Continue\r\n\r\n").head.expect_continue);
  BOOST_TEST(!parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").head.expect_continue);
  BOOST_TEST(!parse("POST / HTTP/1.1\r\n\r\n").head.expect_continue);
}

BOOST_AUTO_TEST_CASE(transfer_encoding_is_411) {
  BOOST_TEST(error_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == 411);
}

BOOST_AUTO_TEST_CASE(malformed_request_lines_and_fields_are_400) {
  const char* inputs[] = {
      "GET /\r\n\r\n",                              // no version
      "GET  / HTTP/1.1\r\n\r\n",                    // empty target
      "GET / HTTP/1.1 x\r\n\r\n",                   // trailing garbage
      "G@T / HTTP/1.1\r\n\r\n",                     // method is not a token
      "GET noslash HTTP/1.1\r\n\r\n",               // not origin form
      "GET /\x01 HTTP/1.1\r\n\r\n",                 // control byte in target
      "GET /\xc3\xa9 HTTP/1.1\r\n\r\n",             // non-ASCII target
      "GET / HTTX/1.1\r\n\r\n",                     // bad protocol name
      "GET / HTTP/1.1\r\nNo colon\r\n\r\n",         // field without colon
      "GET / HTTP/1.1\r\nName : v\r\n\r\n",         // space before colon
      "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",  // obs-fold
      "GET / HTTP/1.1\r\nA: b\x01\r\n\r\n",         // control byte in value
      "\rGET / HTTP/1.1\r\n\r\n",                   // stray CR
  };
  for (const char* input : inputs) {
    BOOST_TEST_CONTEXT(input) { BOOST_TEST(error_of(input) == 400); }
  }
}

BOOST_AUTO_TEST_CASE(http_major_version_other_than_1_is_505) {
  BOOST_TEST(error_of("GET / HTTP/2.0\r\n\r\n") == 505);
  BOOST_TEST(parse("GET / HTTP/1.7\r\n\r\n").head.minor_version == 1);
}

BOOST_AUTO_TEST_CASE(head_larger_than_the_limit_is_431_even_when_incomplete) {
  const std::string line = "GET / HTTP/1.1\r\n";
  std::string filler = "X: " + std::string(kMaxHeadBytes, 'a');
  BOOST_TEST(error_of(line + filler) == 431);
  BOOST_TEST(error_of(line + filler + "\r\n\r\n") == 431);
}

BOOST_AUTO_TEST_CASE(head_of_exactly_the_limit_is_accepted) {
  const std::string line = "GET / HTTP/1.1\r\n";
  const std::string padding(kMaxHeadBytes - line.size() - 3 - 4, 'a');
  const std::string input = line + "X: " + padding + "\r\n\r\n";
  BOOST_REQUIRE_EQUAL(input.size(), kMaxHeadBytes);
  BOOST_TEST((parse(input).status == ParseStatus::complete));
  BOOST_TEST(error_of(line + "X: a" + padding + "\r\n\r\n") == 431);
}

BOOST_AUTO_TEST_SUITE_END()

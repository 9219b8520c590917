// protocol/workload/csv_table: the RFC 4180 reader behind [data.NAME] feeds.

#include <boost/test/unit_test.hpp>

#include "protocol/workload/csv_table.hpp"

using grid::workload::CsvTable;
using grid::workload::parse_csv;

namespace {

using Rows = std::vector<std::vector<std::string>>;

CsvTable ok(std::string_view text) {
  auto r = parse_csv(text);
  BOOST_REQUIRE_MESSAGE(r.ok(), "parse_csv failed: " + (r.ok() ? std::string() : r.error()));
  return std::move(r).value();
}

std::string error_of(std::string_view text) {
  auto r = parse_csv(text);
  BOOST_REQUIRE_MESSAGE(!r.ok(), "expected an error for: " + std::string(text));
  return r.error();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(csv_table)

BOOST_AUTO_TEST_CASE(header_and_rows_are_read) {
  const auto t = ok("user,pin\nann,1\nbob,2\n");
  BOOST_TEST((t.header == std::vector<std::string>{"user", "pin"}));
  BOOST_TEST((t.rows == Rows{{"ann", "1"}, {"bob", "2"}}));
}

BOOST_AUTO_TEST_CASE(the_final_line_end_is_optional) {
  BOOST_TEST((ok("a,b\n1,2").rows == Rows{{"1", "2"}}));
  BOOST_TEST((ok("a,b\r\n1,2").rows == Rows{{"1", "2"}}));
  BOOST_TEST((ok("a,b\r\n1,2\r\n").rows == Rows{{"1", "2"}}));
}

BOOST_AUTO_TEST_CASE(crlf_and_lf_may_mix) { BOOST_TEST((ok("a\r\n1\n2\r\n3").rows == Rows{{"1"}, {"2"}, {"3"}})); }

BOOST_AUTO_TEST_CASE(quoted_fields_hold_commas_line_ends_and_doubled_quotes) {
  const auto t = ok("a,b\n\"x, y\",\"line 1\r\nline 2\"\n\"say \"\"hi\"\"\",\"\"\n");
  BOOST_TEST((t.rows == Rows{{"x, y", "line 1\r\nline 2"}, {"say \"hi\"", ""}}));
}

BOOST_AUTO_TEST_CASE(empty_fields_are_kept) {
  BOOST_TEST((ok("a,b,c\n,,\n1,,3\n").rows == Rows{{"", "", ""}, {"1", "", "3"}}));
  BOOST_TEST((ok("a,b\n1,").rows == Rows{{"1", ""}}));
}

BOOST_AUTO_TEST_CASE(spaces_are_part_of_fields) { BOOST_TEST((ok("a,b\n x , y \n").rows == Rows{{" x ", " y "}})); }

BOOST_AUTO_TEST_CASE(a_header_alone_gives_no_rows) {
  const auto t = ok("a,b\n");
  BOOST_TEST(t.header.size() == 2u);
  BOOST_TEST(t.rows.empty());
}

BOOST_AUTO_TEST_CASE(a_byte_order_mark_is_skipped) {
  BOOST_TEST((ok("\xEF\xBB\xBFid\n7\n").header == std::vector<std::string>{"id"}));
}

BOOST_AUTO_TEST_CASE(a_lone_cr_is_field_text) { BOOST_TEST((ok("a\nx\ry\n").rows == Rows{{"x\ry"}})); }

BOOST_AUTO_TEST_CASE(an_empty_line_is_a_record_of_one_empty_field) {
  BOOST_TEST((ok("a\n\nx\n").rows == Rows{{""}, {"x"}}));
  BOOST_TEST(error_of("a,b\n1,2\n\n3,4\n").find("line 3: 1 field but the header has 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(empty_text_is_an_error) {
  BOOST_TEST(error_of("").find("header row") != std::string::npos);
  BOOST_TEST(error_of("\xEF\xBB\xBF").find("header row") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_row_of_another_width_names_its_line) {
  BOOST_TEST(error_of("a,b\n1,2\n1,2,3\n") ==
             "line 3: 3 fields but the header has 2 (expected every row as wide as the header)");
  // Lines count inside quoted fields too.
  BOOST_TEST(error_of("a,b\n\"1\n2\",x\n9\n").find("line 4: 1 field") == 0u);
}

BOOST_AUTO_TEST_CASE(an_unclosed_quote_names_the_line_it_opened_on) {
  BOOST_TEST(error_of("a\nx\n\"open\nmore\n").find("line 3: a quoted field is never closed") == 0u);
}

BOOST_AUTO_TEST_CASE(text_after_a_closing_quote_is_an_error) {
  BOOST_TEST(error_of("a,b\n\"x\"y,1\n").find("line 2: text after a closing quote") == 0u);
}

BOOST_AUTO_TEST_CASE(a_quote_inside_an_unquoted_field_is_an_error) {
  BOOST_TEST(error_of("a,b\nx\"y,1\n").find("line 2: a '\"' inside an unquoted field") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

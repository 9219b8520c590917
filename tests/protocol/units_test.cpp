// Unit parsing shared by every node's options: durations ("1h30m") and counts ("10k").

#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include <boost/test/unit_test.hpp>

#include "protocol/common/units.hpp"
#include "sample_messages.hpp"

using namespace std::chrono_literals;
using grid::common::format_duration;
using grid::common::parse_count;
using grid::common::parse_duration;
using grid::test::error_of;

namespace {

/// Parses `text` as a duration and returns its milliseconds, or -1 on an error.
int64_t ms_of(const std::string& text) {
  const auto r = parse_duration(text);
  return r.ok() ? r.value().count() : -1;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(units)

BOOST_AUTO_TEST_CASE(parse_duration_reads_every_unit) {
  BOOST_TEST(ms_of("250ms") == 250);
  BOOST_TEST(ms_of("30s") == 30'000);
  BOOST_TEST(ms_of("5m") == 300'000);
  BOOST_TEST(ms_of("5min") == 300'000);
  BOOST_TEST(ms_of("2h") == 7'200'000);
  BOOST_TEST(ms_of("1d") == 86'400'000);
  BOOST_TEST(ms_of("0s") == 0);
}

BOOST_AUTO_TEST_CASE(parse_duration_adds_compound_parts) {
  BOOST_TEST(ms_of("1h30m") == 5'400'000);
  BOOST_TEST(ms_of("1m30s") == 90'000);
  BOOST_TEST(ms_of("2h0m5s250ms") == 7'205'250);
}

BOOST_AUTO_TEST_CASE(parse_duration_reads_fractions) {
  BOOST_TEST(ms_of("1.5s") == 1500);
  BOOST_TEST(ms_of("0.25h") == 900'000);
  BOOST_TEST(ms_of(".5s") == 500);
}

BOOST_AUTO_TEST_CASE(parse_duration_reads_a_bare_number_as_seconds) {
  BOOST_TEST(ms_of("10") == 10'000);
  BOOST_TEST(ms_of("0.5") == 500);
}

BOOST_AUTO_TEST_CASE(parse_duration_ignores_surrounding_whitespace) { BOOST_TEST(ms_of("  30s\t") == 30'000); }

BOOST_AUTO_TEST_CASE(parse_duration_rejects_malformed_text_naming_it) {
  for (const std::string text : {"", "   ", "abc", "10x", "-5s", "s", "ms", "1h30", "1..5s", "1.2.3s", "5 s", "1e3s",
                                 "+5s", "10S", "1h-5m", "99999999999999999999h"}) {
    BOOST_TEST_CONTEXT("'" << text << "'") {
      const auto r = parse_duration(text);
      BOOST_TEST(!r.ok(), "accepted as " << (r.ok() ? r.value().count() : 0) << " ms");
      BOOST_TEST(error_of(r).find("'" + text + "' is not a duration") != std::string::npos, error_of(r));
    }
  }
}

BOOST_AUTO_TEST_CASE(parse_duration_errors_say_what_was_wrong) {
  BOOST_TEST(error_of(parse_duration("10x")).find("unknown unit 'x'") != std::string::npos);
  BOOST_TEST(error_of(parse_duration("")).find("empty") != std::string::npos);
  BOOST_TEST(error_of(parse_duration("1h30")).find("missing unit") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(format_duration_writes_the_largest_units_first) {
  BOOST_TEST(format_duration(0ms) == "0s");
  BOOST_TEST(format_duration(250ms) == "250ms");
  BOOST_TEST(format_duration(30s) == "30s");
  BOOST_TEST(format_duration(90s) == "1m30s");
  BOOST_TEST(format_duration(5'400'000ms) == "1h30m");
  BOOST_TEST(format_duration(3'601'001ms) == "1h1s1ms");
  BOOST_TEST(format_duration(49h) == "49h");
}

BOOST_AUTO_TEST_CASE(format_duration_round_trips_through_parse_duration) {
  std::mt19937_64 rng(71);
  for (int i = 0; i < 10'000; ++i) {
    // Spread over magnitudes: ms to ~ a year.
    const auto d = std::chrono::milliseconds(static_cast<int64_t>(rng() % (uint64_t{1} << (rng() % 35))));
    const std::string text = format_duration(d);
    const auto back = parse_duration(text);
    BOOST_TEST_REQUIRE(back.ok(), text << ": " << error_of(back));
    BOOST_TEST_REQUIRE(back.value().count() == d.count(), text);
  }
}

BOOST_AUTO_TEST_CASE(parse_count_reads_plain_and_suffixed_counts) {
  BOOST_TEST(parse_count("50").value() == 50u);
  BOOST_TEST(parse_count("0").value() == 0u);
  BOOST_TEST(parse_count("10k").value() == 10'000u);
  BOOST_TEST(parse_count("10K").value() == 10'000u);
  BOOST_TEST(parse_count("2M").value() == 2'000'000u);
  BOOST_TEST(parse_count(" 7 ").value() == 7u);
  BOOST_TEST(parse_count("18446744073709551615").value() == UINT64_MAX);
  BOOST_TEST(parse_count("18446744073709551k").value() == 18'446'744'073'709'551'000u);
}

BOOST_AUTO_TEST_CASE(parse_count_rejects_malformed_text_naming_it) {
  for (const std::string text : {"", "1.5", "-1", "+1", "k", "10x", "2m", "10kk", "1 000", "abc", "0x10"}) {
    BOOST_TEST_CONTEXT("'" << text << "'") {
      const auto r = parse_count(text);
      BOOST_TEST(!r.ok(), "accepted as " << (r.ok() ? r.value() : 0));
      BOOST_TEST(error_of(r).find("'" + text + "' is not a count") != std::string::npos, error_of(r));
    }
  }
}

BOOST_AUTO_TEST_CASE(parse_count_rejects_overflow) {
  for (const std::string text :
       {"18446744073709551616", "99999999999999999999999", "18446744073709552k", "18446744073710M"}) {
    BOOST_TEST_CONTEXT("'" << text << "'") {
      const auto r = parse_count(text);
      BOOST_TEST(!r.ok());
      BOOST_TEST(error_of(r).find("too large") != std::string::npos, error_of(r));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

// Logging: levels from the command line, and the one rate limit for repeated events.

#include <regex>

#include <boost/test/unit_test.hpp>
#include <spdlog/sinks/sink.h>

#include "protocol/common/log.hpp"
#include "protocol/common/log_rate_limit.hpp"

using namespace std::chrono_literals;
using grid::common::FileIdentity;
using grid::common::LogLevel;
using grid::common::LogRateLimit;
using grid::common::SteadyTime;

BOOST_AUTO_TEST_SUITE(logging)

BOOST_AUTO_TEST_CASE(log_levels_parse_by_name_and_a_bad_one_is_named_with_the_choices) {
  BOOST_TEST((grid::common::parse_log_level("debug").value() == LogLevel::debug));
  BOOST_TEST((grid::common::parse_log_level("warn").value() == LogLevel::warning));
  BOOST_TEST((grid::common::parse_log_level("off").value() == LogLevel::off));
  const auto bad = grid::common::parse_log_level("loud");
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error() == "'loud' is not a log level (expected debug, info, warning, error or off)");
}

BOOST_AUTO_TEST_CASE(a_logger_names_its_node_and_follows_the_process_level) {
  const auto log = grid::common::make_logger("node-under-test");
  BOOST_TEST(log->name() == "node-under-test");
  grid::common::set_log_level(LogLevel::error);
  // Warnings still reach a logger's other sinks (they travel upstream); stderr's sink
  // shows errors only.
  BOOST_TEST(log->should_log(spdlog::level::warn));
  BOOST_TEST(!log->should_log(spdlog::level::info));
  BOOST_TEST(!log->sinks().front()->should_log(spdlog::level::warn));
  BOOST_TEST(log->sinks().front()->should_log(spdlog::level::err));
  BOOST_TEST(grid::common::make_logger("made-after")->should_log(spdlog::level::err));
  BOOST_TEST(!grid::common::make_logger("made-after-2")->should_log(spdlog::level::info));
  grid::common::set_log_level(LogLevel::info);
  BOOST_TEST(log->should_log(spdlog::level::info));
}

BOOST_AUTO_TEST_CASE(a_repeated_event_makes_one_line_a_second_that_counts_the_others) {
  LogRateLimit limit(1s);
  const SteadyTime t0{5s};
  BOOST_TEST(limit.admit(t0).value() == 1u);
  for (int i = 1; i <= 99; ++i) BOOST_TEST(!limit.admit(t0 + i * 10ms).has_value());
  BOOST_TEST(limit.admit(t0 + 1s).value() == 100u);  // this one and the 99 suppressed
  BOOST_TEST(!limit.admit(t0 + 1500ms).has_value());
}

BOOST_AUTO_TEST_CASE(events_suppressed_at_the_end_of_a_burst_are_flushed_once_a_line_is_due) {
  LogRateLimit limit(1s);
  const SteadyTime t0{5s};
  BOOST_TEST(!limit.flush(t0).has_value());  // nothing pending
  BOOST_TEST(limit.admit(t0).value() == 1u);
  BOOST_TEST(!limit.admit(t0 + 10ms).has_value());
  BOOST_TEST(!limit.admit(t0 + 20ms).has_value());
  BOOST_TEST(!limit.flush(t0 + 999ms).has_value());  // not due yet
  BOOST_TEST(limit.flush(t0 + 1s).value() == 2u);
  BOOST_TEST(!limit.flush(t0 + 5s).has_value());      // said once
  BOOST_TEST(!limit.admit(t0 + 1500ms).has_value());  // the flush was a line: the next is due a second later
  BOOST_TEST(limit.admit(t0 + 2s).value() == 2u);
}

namespace {

// One line as the stderr sink would write it.
std::string formatted(bool journal, spdlog::level::level_enum level, const std::string& text) {
  const auto formatter = grid::common::make_stderr_formatter(journal);
  spdlog::details::log_msg msg("relay-a", level, text);
  spdlog::memory_buf_t out;
  formatter->format(msg, out);
  return std::string(out.data(), out.size());
}

}  // namespace

BOOST_AUTO_TEST_CASE(stderr_is_the_journal_only_when_journal_stream_names_its_device_and_inode) {
  const FileIdentity stderr_file{2049, 131077};
  BOOST_TEST(grid::common::is_journal_stream("2049:131077", stderr_file));
  BOOST_TEST(!grid::common::is_journal_stream(std::nullopt, stderr_file));  // not under systemd
  // Inherited by a child whose stderr went elsewhere: another file.
  BOOST_TEST(!grid::common::is_journal_stream("2049:131078", stderr_file));
  BOOST_TEST(!grid::common::is_journal_stream("2050:131077", stderr_file));
  BOOST_TEST(!grid::common::is_journal_stream("2049:131077", std::nullopt));  // no stderr
  for (const char* bad : {"", ":", "2049", "2049:", ":131077", "2049:131077:1", " 2049:131077", "2049:131077 ",
                          "-2049:131077", "0x801:131077", "2049;131077", "99999999999999999999:131077"}) {
    BOOST_TEST(!grid::common::is_journal_stream(bad, stderr_file), bad);
  }
  const FileIdentity big{18446744073709551615ull, 1};  // dev_t is 64-bit: the whole range parses
  BOOST_TEST(grid::common::is_journal_stream("18446744073709551615:1", big));
}

BOOST_AUTO_TEST_CASE(journal_lines_carry_the_syslog_priority_and_no_timestamp) {
  BOOST_TEST(formatted(true, spdlog::level::err, "child a1 lost") == "<3>error relay-a: child a1 lost\n");
  BOOST_TEST(formatted(true, spdlog::level::warn, "slow") == "<4>warning relay-a: slow\n");
  BOOST_TEST(formatted(true, spdlog::level::info, "up") == "<6>info relay-a: up\n");
  BOOST_TEST(formatted(true, spdlog::level::debug, "detail") == "<7>debug relay-a: detail\n");
  BOOST_TEST(formatted(true, spdlog::level::trace, "detail") == "<7>trace relay-a: detail\n");
  BOOST_TEST(formatted(true, spdlog::level::critical, "gone") == "<2>critical relay-a: gone\n");
}

BOOST_AUTO_TEST_CASE(terminal_lines_start_with_the_time_and_carry_no_priority) {
  const std::string line = formatted(false, spdlog::level::warn, "slow");
  BOOST_TEST(std::regex_match(line, std::regex(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} warning relay-a: slow\n)")),
             line);
}

BOOST_AUTO_TEST_SUITE_END()

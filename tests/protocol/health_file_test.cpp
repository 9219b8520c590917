// HealthFile, the node loop's writer of --health-file (docs/adr/0024): at most once a
// second over the caller's time, atomic, removed at the end, failures counted and warned
// about once.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/test/unit_test.hpp>

#include "protocol/common/health_file.hpp"
#include "protocol/common/log.hpp"
#include "protocol/common/log_capture.hpp"
#include "support/child_process.hpp"

using namespace std::chrono_literals;
using grid::common::HealthFile;
using grid::common::HealthRecord;
using grid::common::SteadyTime;
using grid::common::WallTime;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HealthRecord record(const std::string& state) {
  return grid::common::make_health_record("agent-h", "agent", state, true, WallTime(1'767'225'600'000ms));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(health_file)

BOOST_AUTO_TEST_CASE(the_first_update_writes_then_at_most_once_per_second) {
  grid::test::TempDir dir;
  const std::string path = dir.path() + "/health.json";
  const SteadyTime t0{100s};
  HealthFile file(path, grid::common::make_logger("health-cadence"), t0);
  int made = 0;
  auto make = [&] {
    ++made;
    return record("idle");
  };
  file.update(t0, make);
  BOOST_TEST(made == 1);
  BOOST_TEST(read(path) == grid::common::encode_health_record(record("idle")));
  for (auto t = t0; t < t0 + 1s; t += 50ms) file.update(t, make);
  BOOST_TEST(made == 1);  // not again within the second: the record is not even built
  file.update(t0 + 1s, [] { return record("running"); });
  BOOST_TEST(file.writes() == 2u);
  BOOST_TEST(read(path).find("\"running\"") != std::string::npos);
  BOOST_TEST(!std::filesystem::exists(path + ".tmp"));  // renamed into place
}

BOOST_AUTO_TEST_CASE(remove_deletes_the_file_and_so_does_the_destructor) {
  grid::test::TempDir dir;
  const std::string a = dir.path() + "/a.json", b = dir.path() + "/b.json";
  {
    HealthFile file(a, grid::common::make_logger("health-remove"), SteadyTime{});
    file.write(record("idle"));
    BOOST_TEST(std::filesystem::exists(a));
    file.remove();
    BOOST_TEST(!std::filesystem::exists(a));
    file.remove();  // idempotent
  }
  {
    HealthFile file(b, grid::common::make_logger("health-dtor"), SteadyTime{});
    file.write(record("idle"));
  }
  BOOST_TEST(!std::filesystem::exists(b));
}

BOOST_AUTO_TEST_CASE(an_empty_path_writes_nothing) {
  HealthFile file("", grid::common::make_logger("health-off"), SteadyTime{});
  int made = 0;
  file.update(SteadyTime{}, [&] {
    ++made;
    return record("idle");
  });
  BOOST_TEST(made == 0);
  BOOST_TEST(file.writes() == 0u);
}

BOOST_AUTO_TEST_CASE(an_unwritable_path_is_counted_and_warned_about_once_never_thrown) {
  grid::test::TempDir dir;
  const std::string path = dir.path() + "/no/such/dir/health.json";
  const auto log = grid::common::make_logger("health-unwritable");
  grid::common::LogCapture capture(log);
  const SteadyTime t0{100s};
  HealthFile file(path, log, t0);
  for (int i = 0; i < 5; ++i) BOOST_REQUIRE_NO_THROW(file.update(t0 + i * 1s, [] { return record("idle"); }));
  BOOST_TEST(file.failed_writes() == 5u);
  BOOST_TEST(file.writes() == 0u);
  const auto warnings = capture.take();
  BOOST_TEST_REQUIRE(warnings.size() == 1u);
  BOOST_TEST(warnings[0].message.find(path) != std::string::npos);
  BOOST_TEST(warnings[0].message.find("goes on") != std::string::npos);
  BOOST_REQUIRE_NO_THROW(file.remove());
}

BOOST_AUTO_TEST_SUITE_END()

#include <string>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "target/request_counters.hpp"

namespace {

using grid::target::RequestCounters;

RequestCounters counters_of(std::initializer_list<std::pair<const char*, int>> counts) {
  RequestCounters counters;
  for (const auto& [path, count] : counts) {
    for (int i = 0; i < count; ++i) counters.record(path);
  }
  return counters;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(request_counters)

BOOST_AUTO_TEST_CASE(record_counts_the_total_and_each_path) {
  const RequestCounters counters = counters_of({{"/", 3}, {"/a", 2}});
  BOOST_TEST(counters.total() == 5u);
  BOOST_TEST(counters.paths().at("/") == 3u);
  BOOST_TEST(counters.paths().at("/a") == 2u);
}

BOOST_AUTO_TEST_CASE(paths_beyond_the_distinct_limit_are_counted_as_other) {
  RequestCounters counters;
  for (std::size_t i = 0; i < RequestCounters::kMaxDistinctPaths + 5; ++i) {
    counters.record("/p" + std::to_string(i));
  }
  counters.record("/p0");  // a kept path keeps counting individually
  BOOST_TEST(counters.total() == RequestCounters::kMaxDistinctPaths + 6);
  BOOST_TEST(counters.paths().size() == RequestCounters::kMaxDistinctPaths + 1);
  BOOST_TEST(counters.paths().at(std::string(RequestCounters::kOtherPath)) == 5u);
  BOOST_TEST(counters.paths().at("/p0") == 2u);
}

BOOST_AUTO_TEST_CASE(overlong_paths_are_counted_as_other) {
  RequestCounters counters;
  counters.record("/" + std::string(RequestCounters::kMaxPathKeyBytes, 'x'));
  BOOST_TEST(counters.paths().at(std::string(RequestCounters::kOtherPath)) == 1u);
}

BOOST_AUTO_TEST_CASE(merge_adds_counts_and_is_commutative) {
  const RequestCounters a = counters_of({{"/", 3}, {"/a", 1}});
  const RequestCounters b = counters_of({{"/", 2}, {"/b", 4}});
  RequestCounters ab = a;
  ab.merge(b);
  RequestCounters ba = b;
  ba.merge(a);
  BOOST_TEST(ab.total() == 10u);
  BOOST_TEST(ab.paths().at("/") == 5u);
  BOOST_TEST(ab.to_json() == ba.to_json());
}

BOOST_AUTO_TEST_CASE(merge_of_a_split_stream_equals_the_whole) {
  const RequestCounters whole = counters_of({{"/", 4}, {"/x", 2}});
  RequestCounters merged = counters_of({{"/", 1}, {"/x", 2}});
  merged.merge(counters_of({{"/", 3}}));
  BOOST_TEST(merged.to_json() == whole.to_json());
}

BOOST_AUTO_TEST_CASE(json_has_requests_and_sorted_paths) {
  const RequestCounters counters = counters_of({{"/b", 1}, {"/a", 2}});
  BOOST_TEST(counters.to_json() == R"({"requests":3,"connections":0,"paths":{"/a":2,"/b":1}})");
  BOOST_TEST(RequestCounters().to_json() == R"({"requests":0,"connections":0,"paths":{}})");
}

BOOST_AUTO_TEST_CASE(clear_forgets_everything) {
  RequestCounters counters = counters_of({{"/", 2}});
  counters.clear();
  BOOST_TEST(counters.total() == 0u);
  BOOST_TEST(counters.paths().empty());
}

BOOST_AUTO_TEST_CASE(accepted_connections_are_counted_merged_and_cleared) {
  RequestCounters a, b;
  a.record_connection();
  b.record_connection();
  b.record_connection();
  a.merge(b);
  BOOST_TEST(a.connections() == 3u);
  BOOST_TEST(a.to_json().find(R"("connections":3)") != std::string::npos);
  a.clear();
  BOOST_TEST(a.connections() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

#include <limits>
#include <stdexcept>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "agent/fast_rng.hpp"
#include "agent/scenario_picker.hpp"

using grid::agent::FastRng;
using grid::agent::ScenarioPicker;

BOOST_AUTO_TEST_SUITE(scenario_picker)

BOOST_AUTO_TEST_CASE(weights_3_to_1_pick_the_first_75_percent_of_the_time) {
  const ScenarioPicker picker(std::vector<double>{3, 1});
  FastRng rng(11);
  int first = 0;
  for (int i = 0; i < 100'000; ++i) first += picker.pick(rng) == 0;
  BOOST_TEST(first / 100'000.0 == 0.75, boost::test_tools::tolerance(0.01 / 0.75));
}

BOOST_AUTO_TEST_CASE(a_zero_weight_is_never_picked) {
  const ScenarioPicker picker(std::vector<double>{0, 2, 0, 1, 0});
  FastRng rng(12);
  std::vector<int> counts(5);
  for (int i = 0; i < 100'000; ++i) ++counts[picker.pick(rng)];
  BOOST_TEST(counts[0] == 0);
  BOOST_TEST(counts[2] == 0);
  BOOST_TEST(counts[4] == 0);
  BOOST_TEST(counts[1] / 100'000.0 == 2.0 / 3, boost::test_tools::tolerance(0.015));
}

BOOST_AUTO_TEST_CASE(picks_follow_the_scenarios_weights) {
  std::vector<grid::wire::Scenario> scenarios(3);
  scenarios[0].weight = 1;
  scenarios[1].weight = 1;
  scenarios[2].weight = 2;
  const ScenarioPicker picker(scenarios);
  BOOST_TEST(picker.size() == 3u);
  FastRng rng(13);
  std::vector<int> counts(3);
  for (int i = 0; i < 100'000; ++i) ++counts[picker.pick(rng)];
  BOOST_TEST(counts[2] / 100'000.0 == 0.5, boost::test_tools::tolerance(0.02));
}

BOOST_AUTO_TEST_CASE(a_single_scenario_is_always_picked) {
  const ScenarioPicker picker(std::vector<double>{0.001});
  FastRng rng(14);
  for (int i = 0; i < 1'000; ++i) BOOST_REQUIRE_EQUAL(picker.pick(rng), 0u);
}

BOOST_AUTO_TEST_CASE(no_positive_weight_is_rejected) {
  BOOST_CHECK_THROW(ScenarioPicker(std::vector<double>{}), std::invalid_argument);
  BOOST_CHECK_THROW(ScenarioPicker(std::vector<double>{0, 0}), std::invalid_argument);
  BOOST_CHECK_THROW(ScenarioPicker(std::vector<double>{1, -1}), std::invalid_argument);
  BOOST_CHECK_THROW(ScenarioPicker(std::vector<double>{1, std::numeric_limits<double>::infinity()}),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

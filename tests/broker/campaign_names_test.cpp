// Names from a campaign that become parts of paths (the default results directory is
// results/NAME-TIME) are refused unless safe.

#include <boost/test/unit_test.hpp>

#include "campaign_fixture.hpp"

using namespace grid::test;

BOOST_AUTO_TEST_SUITE(campaign_names)

BOOST_AUTO_TEST_CASE(a_campaign_name_that_would_escape_the_results_directory_is_refused) {
  expect_problem(replace(kMinimal, "name = t", "name = ../../escaped"),
                 {"test.ini:2: [campaign] name", "'../../escaped' is not a safe name"});
  expect_problem(replace(kMinimal, "name = t", "name = a/b"), {"[campaign] name", "not a safe name"});
}

BOOST_AUTO_TEST_CASE(a_region_name_outside_the_safe_alphabet_is_refused) {
  expect_problem(kMinimal + "[regions]\na/b = 1\n", {"[regions] a/b", "not a safe name"});
  BOOST_TEST(parse(kMinimal + "[regions]\neu.west = 1\n").regions.count("eu.west") == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

#include <string>

#include <boost/test/unit_test.hpp>

#include "protocol/common/safe_name.hpp"

using grid::common::is_safe_name;
using grid::common::safe_name_problem;

BOOST_AUTO_TEST_SUITE(safe_name)

BOOST_AUTO_TEST_CASE(ordinary_names_ids_and_regions_are_safe) {
  for (const char* name : {"checkout", "local-target", "eu.west", "agent-host1-4711", "A_1", "7days"}) {
    BOOST_TEST(is_safe_name(name), name);
    BOOST_TEST(safe_name_problem(name).empty(), name);
  }
}

BOOST_AUTO_TEST_CASE(names_that_could_escape_a_directory_or_look_like_options_are_not) {
  for (const char* name : {"", ".", "..", "../../escaped", "a/b", "/abs", "-x", ".hidden", "a b", "a\\b", "a\nb"}) {
    BOOST_TEST(!is_safe_name(name), name);
  }
  BOOST_TEST(!is_safe_name(std::string(129, 'a')));
  BOOST_TEST(is_safe_name(std::string(128, 'a')));
  BOOST_TEST(safe_name_problem("../x").find("'../x' is not a safe name") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

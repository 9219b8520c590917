#define BOOST_TEST_MODULE relay
#include <boost/test/unit_test.hpp>

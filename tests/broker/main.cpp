#define BOOST_TEST_MODULE broker
#include <boost/test/unit_test.hpp>

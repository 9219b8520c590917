#include <boost/test/unit_test.hpp>

#include "target/listen_address.hpp"

namespace {

using grid::target::format_host_port;
using grid::target::parse_listen_address;

}  // namespace

BOOST_AUTO_TEST_SUITE(listen_address)

BOOST_AUTO_TEST_CASE(ipv4_and_names_parse_as_host_colon_port) {
  const auto address = parse_listen_address("127.0.0.1:18555");
  BOOST_REQUIRE(address.has_value());
  BOOST_TEST(address->host == "127.0.0.1");
  BOOST_TEST(address->port == 18555);
  BOOST_TEST(parse_listen_address("localhost:0")->port == 0);
  BOOST_TEST(parse_listen_address("localhost:65535")->port == 65535);
}

BOOST_AUTO_TEST_CASE(ipv6_needs_brackets) {
  const auto address = parse_listen_address("[::1]:8080");
  BOOST_REQUIRE(address.has_value());
  BOOST_TEST(address->host == "::1");
  BOOST_TEST(address->port == 8080);
  BOOST_TEST(!parse_listen_address("::1:8080").has_value());
}

BOOST_AUTO_TEST_CASE(bad_shapes_are_rejected) {
  for (const char* text : {"", "127.0.0.1", "127.0.0.1:", ":80", "host:65536", "host:8o", "host:-1", "[::1]8080",
                           "[]:80", "host:123456"}) {
    BOOST_TEST_CONTEXT(text) { BOOST_TEST(!parse_listen_address(text).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(format_brackets_ipv6_hosts) {
  BOOST_TEST(format_host_port("127.0.0.1", 80) == "127.0.0.1:80");
  BOOST_TEST(format_host_port("::1", 80) == "[::1]:80");
}

BOOST_AUTO_TEST_SUITE_END()

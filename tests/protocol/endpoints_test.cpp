// parent_endpoints and listen_endpoints: one parent address gives the plans (PUB) and
// reports (PULL) endpoints; bound_parent_address turns two bound sockets back into one.

#include <string>

#include <boost/test/unit_test.hpp>

#include "protocol/common/endpoints.hpp"
#include "sample_messages.hpp"

using grid::common::bound_parent_address;
using grid::common::listen_endpoints;
using grid::common::parent_endpoints;

namespace {

/// The error text for `address`, or "" when it was (wrongly) accepted.
std::string error_for(const std::string& address) {
  const auto r = parent_endpoints(address);
  return r.ok() ? std::string() : r.error();
}

/// Checks that `address` is refused with an error that quotes it, says `why` and says
/// what is expected.
void check_refused(const std::string& address, const std::string& why) {
  const auto r = parent_endpoints(address);
  BOOST_TEST_CONTEXT("address '" << address << "'") {
    BOOST_TEST_REQUIRE(!r.ok());
    BOOST_TEST(r.error().find("'" + address + "'") != std::string::npos, "error names the text: " << r.error());
    BOOST_TEST(r.error().find(why) != std::string::npos, "error says " << why << ": " << r.error());
    BOOST_TEST(r.error().find("tcp://HOST:PORT") != std::string::npos, "error says what is expected");
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(endpoints)

BOOST_AUTO_TEST_CASE(a_tcp_address_gives_its_port_for_plans_and_the_next_for_reports) {
  const auto r = parent_endpoints("tcp://127.0.0.1:5557");
  BOOST_TEST_REQUIRE(r.ok(), grid::test::error_of(r));
  BOOST_TEST(r.value().plans == "tcp://127.0.0.1:5557");
  BOOST_TEST(r.value().reports == "tcp://127.0.0.1:5558");
}

BOOST_AUTO_TEST_CASE(host_names_wildcards_and_ipv6_hosts_are_kept_as_written) {
  const auto named = parent_endpoints("tcp://broker.example.net:7000");
  BOOST_TEST_REQUIRE(named.ok(), grid::test::error_of(named));
  BOOST_TEST(named.value().reports == "tcp://broker.example.net:7001");
  const auto any = parent_endpoints("tcp://*:9000");
  BOOST_TEST_REQUIRE(any.ok(), grid::test::error_of(any));
  BOOST_TEST(any.value().plans == "tcp://*:9000");
  BOOST_TEST(any.value().reports == "tcp://*:9001");
  const auto v6 = parent_endpoints("tcp://[::1]:5557");
  BOOST_TEST_REQUIRE(v6.ok(), grid::test::error_of(v6));
  BOOST_TEST(v6.value().plans == "tcp://[::1]:5557");
  BOOST_TEST(v6.value().reports == "tcp://[::1]:5558");
}

BOOST_AUTO_TEST_CASE(the_lowest_and_highest_ports_with_a_neighbour_are_accepted) {
  const auto low = parent_endpoints("tcp://h:1");
  BOOST_TEST_REQUIRE(low.ok(), grid::test::error_of(low));
  BOOST_TEST(low.value().reports == "tcp://h:2");
  const auto high = parent_endpoints("tcp://h:65534");
  BOOST_TEST_REQUIRE(high.ok(), grid::test::error_of(high));
  BOOST_TEST(high.value().plans == "tcp://h:65534");
  BOOST_TEST(high.value().reports == "tcp://h:65535");
}

BOOST_AUTO_TEST_CASE(an_inproc_address_gives_two_named_endpoints) {
  const auto r = parent_endpoints("inproc://grid-broker");
  BOOST_TEST_REQUIRE(r.ok(), grid::test::error_of(r));
  BOOST_TEST(r.value().plans == "inproc://grid-broker.plans");
  BOOST_TEST(r.value().reports == "inproc://grid-broker.reports");
}

BOOST_AUTO_TEST_CASE(another_transport_is_refused) {
  check_refused("udp://127.0.0.1:5557", "unknown transport");
  check_refused("ipc:///tmp/grid", "unknown transport");
  check_refused("127.0.0.1:5557", "unknown transport");
  check_refused("TCP://127.0.0.1:5557", "unknown transport");
  check_refused("", "unknown transport");
}

BOOST_AUTO_TEST_CASE(a_tcp_address_without_a_port_is_refused) {
  check_refused("tcp://127.0.0.1", "missing port");
  check_refused("tcp://", "missing port");
}

BOOST_AUTO_TEST_CASE(an_empty_port_or_a_port_that_is_not_a_number_is_refused) {
  check_refused("tcp://127.0.0.1:", "not a number");
  check_refused("tcp://127.0.0.1:http", "not a number");
  check_refused("tcp://127.0.0.1:55x", "not a number");
  check_refused("tcp://127.0.0.1:-1", "not a number");
  check_refused("tcp://127.0.0.1:+80", "not a number");
  check_refused("tcp://127.0.0.1: 80", "not a number");
  check_refused("tcp://127.0.0.1:99999999999999999999", "not a number");
}

BOOST_AUTO_TEST_CASE(port_zero_and_ports_without_a_neighbour_are_refused) {
  check_refused("tcp://127.0.0.1:0", "port must be 1 to 65534");
  check_refused("tcp://127.0.0.1:65535", "port must be 1 to 65534");
  check_refused("tcp://127.0.0.1:65536", "port must be 1 to 65534");
  check_refused("tcp://127.0.0.1:4294967296", "not a number");  // past unsigned: out of range
}

BOOST_AUTO_TEST_CASE(a_tcp_address_with_an_empty_host_is_refused) { check_refused("tcp://:5557", "missing host"); }

BOOST_AUTO_TEST_CASE(an_inproc_address_with_an_empty_name_is_refused) {
  check_refused("inproc://", "empty inproc name");
}

BOOST_AUTO_TEST_CASE(every_error_quotes_the_address_it_was_given) {
  for (const std::string address : {"udp://x:1", "tcp://x", "tcp://:1", "tcp://x:y", "tcp://x:0", "inproc://"}) {
    BOOST_TEST_CONTEXT(address) { BOOST_TEST(error_for(address).find(address) != std::string::npos); }
  }
}

BOOST_AUTO_TEST_CASE(an_explicit_pair_gives_plans_and_reports_as_written) {
  const auto adjacent = parent_endpoints("tcp://127.0.0.1:5557,5558");
  BOOST_TEST_REQUIRE(adjacent.ok(), grid::test::error_of(adjacent));
  BOOST_TEST(adjacent.value().plans == "tcp://127.0.0.1:5557");
  BOOST_TEST(adjacent.value().reports == "tcp://127.0.0.1:5558");
  // Ephemeral ports are rarely neighbours, and reports may come first.
  const auto apart = parent_endpoints("tcp://broker:41000,39007");
  BOOST_TEST_REQUIRE(apart.ok(), grid::test::error_of(apart));
  BOOST_TEST(apart.value().plans == "tcp://broker:41000");
  BOOST_TEST(apart.value().reports == "tcp://broker:39007");
  const auto v6 = parent_endpoints("tcp://[::1]:7000,7100");
  BOOST_TEST_REQUIRE(v6.ok(), grid::test::error_of(v6));
  BOOST_TEST(v6.value().plans == "tcp://[::1]:7000");
  BOOST_TEST(v6.value().reports == "tcp://[::1]:7100");
  // Unlike a single port, a pair may use the highest port.
  const auto high = parent_endpoints("tcp://h:65535,1");
  BOOST_TEST_REQUIRE(high.ok(), grid::test::error_of(high));
  BOOST_TEST(high.value().plans == "tcp://h:65535");
  BOOST_TEST(high.value().reports == "tcp://h:1");
}

BOOST_AUTO_TEST_CASE(a_pair_with_a_missing_or_malformed_port_is_refused) {
  check_refused("tcp://127.0.0.1:5557,", "ports are not numbers");
  check_refused("tcp://127.0.0.1:,5558", "ports are not numbers");
  check_refused("tcp://127.0.0.1:5557,x", "ports are not numbers");
  check_refused("tcp://127.0.0.1:5557, 5558", "ports are not numbers");
  check_refused("tcp://127.0.0.1:1,2,3", "ports are not numbers");
  check_refused("tcp://127.0.0.1:5557,99999999999999999999", "ports are not numbers");
}

BOOST_AUTO_TEST_CASE(a_pair_with_port_zero_a_port_past_65535_or_one_port_twice_is_refused) {
  check_refused("tcp://127.0.0.1:0,5558", "ports must be 1 to 65535");
  check_refused("tcp://127.0.0.1:5557,0", "ports must be 1 to 65535");
  check_refused("tcp://127.0.0.1:5557,65536", "ports must be 1 to 65535");
  check_refused("tcp://127.0.0.1:5557,5557", "two different ports");
}

BOOST_AUTO_TEST_CASE(a_pair_without_a_host_is_refused) { check_refused("tcp://:5557,5558", "missing host"); }

BOOST_AUTO_TEST_CASE(a_child_cannot_be_given_ephemeral_ports) {
  check_refused("tcp://127.0.0.1:*", "not a number");
  check_refused("tcp://127.0.0.1:0", "port must be 1 to 65534");
  BOOST_TEST(error_for("tcp://127.0.0.1:0").find("tcp://HOST:0") == std::string::npos,
             "a child's error does not offer ephemeral ports");
}

BOOST_AUTO_TEST_CASE(listening_on_port_zero_or_star_binds_both_sockets_to_ephemeral_ports) {
  for (const std::string address : {"tcp://127.0.0.1:0", "tcp://127.0.0.1:*"}) {
    BOOST_TEST_CONTEXT(address) {
      const auto r = listen_endpoints(address);
      BOOST_TEST_REQUIRE(r.ok(), grid::test::error_of(r));
      BOOST_TEST(r.value().plans == "tcp://127.0.0.1:*");
      BOOST_TEST(r.value().reports == "tcp://127.0.0.1:*");
    }
  }
  const auto any = listen_endpoints("tcp://*:0");
  BOOST_TEST_REQUIRE(any.ok(), grid::test::error_of(any));
  BOOST_TEST(any.value().plans == "tcp://*:*");
}

BOOST_AUTO_TEST_CASE(listening_accepts_every_parent_address_form_with_the_same_endpoints) {
  for (const std::string address :
       {"tcp://127.0.0.1:5557", "tcp://127.0.0.1:5557,6001", "tcp://[::1]:7000", "inproc://grid-broker"}) {
    BOOST_TEST_CONTEXT(address) {
      const auto listen = listen_endpoints(address);
      const auto parent = parent_endpoints(address);
      BOOST_TEST_REQUIRE(listen.ok(), grid::test::error_of(listen));
      BOOST_TEST_REQUIRE(parent.ok(), grid::test::error_of(parent));
      BOOST_TEST(listen.value().plans == parent.value().plans);
      BOOST_TEST(listen.value().reports == parent.value().reports);
    }
  }
}

BOOST_AUTO_TEST_CASE(listen_errors_quote_the_text_and_offer_ephemeral_ports) {
  for (const std::string address : {"udp://x:1", "tcp://x", "tcp://x:y", "tcp://x:0,1", "tcp://x:00", "inproc://"}) {
    BOOST_TEST_CONTEXT(address) {
      const auto r = listen_endpoints(address);
      BOOST_TEST_REQUIRE(!r.ok());
      BOOST_TEST(r.error().find("'" + address + "'") != std::string::npos, r.error());
      BOOST_TEST(r.error().find("tcp://HOST:0") != std::string::npos, r.error());
    }
  }
}

BOOST_AUTO_TEST_CASE(two_bound_tcp_endpoints_give_one_pair_address_children_can_use) {
  const std::string address = bound_parent_address("tcp://127.0.0.1:41000", "tcp://127.0.0.1:39007");
  BOOST_TEST(address == "tcp://127.0.0.1:41000,39007");
  const auto back = parent_endpoints(address);
  BOOST_TEST_REQUIRE(back.ok(), grid::test::error_of(back));
  BOOST_TEST(back.value().plans == "tcp://127.0.0.1:41000");
  BOOST_TEST(back.value().reports == "tcp://127.0.0.1:39007");
  BOOST_TEST(bound_parent_address("tcp://[::1]:5557", "tcp://[::1]:5558") == "tcp://[::1]:5557,5558");
}

BOOST_AUTO_TEST_CASE(bound_endpoints_that_are_not_one_tcp_host_give_no_pair_address) {
  BOOST_TEST(bound_parent_address("inproc://b.plans", "inproc://b.reports") == "");
  BOOST_TEST(bound_parent_address("tcp://127.0.0.1:5557", "tcp://127.0.0.2:5558") == "");
  BOOST_TEST(bound_parent_address("tcp://127.0.0.1:5557", "") == "");
  BOOST_TEST(bound_parent_address("tcp://127.0.0.1:*", "tcp://127.0.0.1:*") == "");
}

BOOST_AUTO_TEST_CASE(a_parent_list_is_split_in_order_and_keeps_two_port_addresses_whole) {
  const auto list = grid::common::parent_list("tcp://relay-a:5567,tcp://relay-b:6000,6005,inproc://last");
  BOOST_TEST_REQUIRE(list.ok());
  BOOST_TEST(
      list.value() == (std::vector<std::string>{"tcp://relay-a:5567", "tcp://relay-b:6000,6005", "inproc://last"}),
      boost::test_tools::per_element());
  const auto one = grid::common::parent_list("tcp://127.0.0.1:5557,5558");
  BOOST_TEST_REQUIRE(one.ok());
  BOOST_TEST(one.value().size() == 1u);
}

BOOST_AUTO_TEST_CASE(a_parent_list_with_an_empty_or_malformed_entry_is_refused_naming_it) {
  const auto empty = grid::common::parent_list("tcp://a:5567,,tcp://b:5567");
  BOOST_TEST_REQUIRE(!empty.ok());
  BOOST_TEST(empty.error().find("empty parent at position 2") != std::string::npos);
  const auto bad = grid::common::parent_list("tcp://a:5567,udp://b:1");
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().find("'udp://b:1'") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

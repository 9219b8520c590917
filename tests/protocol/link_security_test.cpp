// The loopback rule (protocol/common/link_security.*): which hosts an address names,
// which are loopback, and what a plain TCP link beyond loopback gets. Pure.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/common/link_security.hpp"

using namespace grid;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(link_security)

BOOST_AUTO_TEST_CASE(tcp_hosts_are_found_in_every_address_form_and_inproc_has_none) {
  using V = std::vector<std::string>;
  BOOST_TEST(common::tcp_hosts("tcp://127.0.0.1:5557") == V{"127.0.0.1"});
  BOOST_TEST(common::tcp_hosts("tcp://10.1.2.3:41000,41007") == V{"10.1.2.3"});
  BOOST_TEST(common::tcp_hosts("tcp://[::1]:5557") == V{"::1"});
  BOOST_TEST(common::tcp_hosts("tcp://*:0") == V{"*"});
  BOOST_TEST(common::tcp_hosts("tcp://broker.example:5557") == V{"broker.example"});
  BOOST_TEST(common::tcp_hosts("tcp://192.168.1.2;127.0.0.1:5557") == V{"127.0.0.1"});  // SOURCE;HOST
  BOOST_TEST(common::tcp_hosts("inproc://broker").empty());
  // An ordered list of parents (issue 8): every entry counts.
  BOOST_TEST(common::tcp_hosts("tcp://127.0.0.1:5557,tcp://10.0.0.9:5557,5558,inproc://x") ==
             (V{"127.0.0.1", "10.0.0.9"}));
}

BOOST_AUTO_TEST_CASE(loopback_is_127_slash_8_and_ipv6_one_and_localhost_and_nothing_else) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "127.255.255.254", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1",
                           "localhost", "LocalHost"}) {
    BOOST_TEST(common::is_loopback_host(host), host);
  }
  for (const char* host : {"0.0.0.0", "*", "10.0.0.1", "128.0.0.1", "::", "::2", "::ffff:10.0.0.1", "eth0",
                           "localhost.example", "127.0.0.1.example", ""}) {
    BOOST_TEST(!common::is_loopback_host(host), host);
  }
}

BOOST_AUTO_TEST_CASE(plain_tcp_on_loopback_or_inproc_needs_nothing) {
  for (const char* address : {"tcp://127.0.0.1:5557", "tcp://[::1]:0", "tcp://localhost:5557", "inproc://relay"}) {
    const auto check = common::plain_tcp_check("--listen", address, false, false, "--curve-key");
    BOOST_TEST(check.error.empty(), address);
    BOOST_TEST(check.warning.empty(), address);
  }
}

BOOST_AUTO_TEST_CASE(plain_tcp_beyond_loopback_is_an_error_naming_the_option_the_host_and_the_two_ways_out) {
  const auto check =
      common::plain_tcp_check("--listen", "tcp://0.0.0.0:5557", false, false, "--curve-key and --authorized-keys");
  BOOST_TEST(check.warning.empty());
  BOOST_TEST(contains(check.error, "--listen tcp://0.0.0.0:5557"), check.error);
  BOOST_TEST(contains(check.error, "'0.0.0.0' is not a loopback address"), check.error);
  BOOST_TEST(contains(check.error, "--curve-key and --authorized-keys"), check.error);
  BOOST_TEST(contains(check.error, "loadgrid keygen"), check.error);
  BOOST_TEST(contains(check.error, "--insecure"), check.error);
  // One entry beyond loopback in a list is enough.
  const auto list = common::plain_tcp_check("--parent", "tcp://127.0.0.1:1,tcp://10.0.0.9:1", false, false, "keys");
  BOOST_TEST(contains(list.error, "'10.0.0.9'"), list.error);
}

BOOST_AUTO_TEST_CASE(insecure_turns_the_error_into_a_warning) {
  const auto check = common::plain_tcp_check("--parent", "tcp://10.0.0.9:5557", false, true, "keys");
  BOOST_TEST(check.error.empty());
  BOOST_TEST(contains(check.warning, "--insecure"), check.warning);
  BOOST_TEST(contains(check.warning, "--parent tcp://10.0.0.9:5557"), check.warning);
}

BOOST_AUTO_TEST_CASE(a_curve_link_may_go_anywhere) {
  const auto check = common::plain_tcp_check("--listen", "tcp://0.0.0.0:5557", true, false, "keys");
  BOOST_TEST(check.error.empty());
  BOOST_TEST(check.warning.empty());
}

BOOST_AUTO_TEST_CASE(a_side_is_curve_only_with_its_own_key_and_the_other_end_s_keys) {
  common::LinkSecurity s;
  BOOST_TEST(!s.server());
  BOOST_TEST(!s.client());
  s.key = common::CurveKeyPair{"p", "s"};
  BOOST_TEST(!s.server());
  BOOST_TEST(!s.client());
  s.authorized = common::AuthorizedKeys{};
  BOOST_TEST(s.server());
  BOOST_TEST(!s.client());
  s.parent_key = "k";
  BOOST_TEST(s.client());
}

BOOST_AUTO_TEST_SUITE_END()

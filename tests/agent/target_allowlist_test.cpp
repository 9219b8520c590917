// The --allow-target patterns and list, pure: parsing and its errors, CIDR edges, IPv6,
// IPv4-mapped addresses, case, ports, URL hosts; and properties over random addresses,
// prefixes and malformed input.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "agent/fast_rng.hpp"
#include "agent/target_allowlist.hpp"

using grid::agent::IpAddress;
using grid::agent::parse_target_pattern;
using grid::agent::TargetAllowlist;
using grid::agent::TargetPattern;
using grid::agent::url_target;
using grid::agent::UrlTarget;

namespace {

TargetAllowlist list(const std::vector<std::string>& patterns) {
  auto parsed = TargetAllowlist::parse(patterns);
  BOOST_TEST_REQUIRE(parsed.ok(), (parsed.ok() ? "" : parsed.error()));
  return parsed.value();
}

IpAddress ip(const std::string& text) {
  const auto a = IpAddress::parse(text);
  BOOST_TEST_REQUIRE(a.has_value(), text);
  return *a;
}

// An address with every bit from the generator.
IpAddress random_address(grid::agent::FastRng& rng, bool v4) {
  IpAddress a;
  a.v4 = v4;
  for (unsigned i = 0; i < (v4 ? 4u : 16u); ++i) a.bytes[i] = static_cast<uint8_t>(rng.below(256));
  // An IPv6 address in ::ffff:0:0/96 is an IPv4 address: keep the IPv6 ones out of it.
  if (!v4 && a.bytes[0] == 0) a.bytes[0] = 0x20;
  return a;
}

void flip_bit(IpAddress& a, unsigned bit) { a.bytes[bit / 8] ^= static_cast<uint8_t>(0x80 >> (bit % 8)); }

IpAddress network_of(IpAddress a, unsigned prefix) {
  for (unsigned bit = prefix; bit < a.bits(); ++bit) a.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  return a;
}

std::string cidr(const IpAddress& network, unsigned prefix) {
  return network.to_string() + "/" + std::to_string(prefix);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(target_allowlist)

BOOST_AUTO_TEST_CASE(the_default_list_allows_loopback_only) {
  const TargetAllowlist loopback;
  BOOST_TEST(loopback.describe() == "127.0.0.0/8, ::1, localhost");
  for (const char* host : {"127.0.0.1", "127.0.0.0", "127.255.255.255", "127.1.2.3", "::1", "[::1]", "localhost",
                           "LOCALHOST", "localhost."}) {
    BOOST_TEST(loopback.allows_host(host, 8080), host);
  }
  for (const char* host : {"126.255.255.255", "128.0.0.0", "10.0.0.1", "192.0.2.1", "0.0.0.0", "::", "::2",
                           "blocked.invalid", "localhost.example.test", "api.example.test", ""}) {
    BOOST_TEST(!loopback.allows_host(host, 80), host);
  }
  // An IPv4-mapped IPv6 address is its IPv4 address.
  BOOST_TEST(loopback.allows_host("::ffff:127.0.0.1", 80));
  BOOST_TEST(!loopback.allows_host("::ffff:10.0.0.1", 80));
  BOOST_TEST(loopback.allows_connection("", ip("127.0.0.1"), 80));
  BOOST_TEST(!loopback.allows_connection("", ip("192.0.2.1"), 80));
}

BOOST_AUTO_TEST_CASE(an_ipv4_network_holds_its_first_and_last_address_and_nothing_beyond) {
  const auto l = list({"10.0.0.0/8", "192.168.1.128/25", "203.0.113.9"});
  for (const char* in : {"10.0.0.0", "10.255.255.255", "192.168.1.128", "192.168.1.255", "203.0.113.9"}) {
    BOOST_TEST(l.allows_host(in, 80), in);
  }
  for (const char* out : {"9.255.255.255", "11.0.0.0", "192.168.1.127", "192.168.2.0", "203.0.113.8", "203.0.113.10"}) {
    BOOST_TEST(!l.allows_host(out, 80), out);
  }
}

BOOST_AUTO_TEST_CASE(a_zero_prefix_holds_every_address_of_its_family_only) {
  const auto v4 = list({"0.0.0.0/0"});
  BOOST_TEST(v4.allows_host("1.2.3.4", 1));
  BOOST_TEST(v4.allows_host("255.255.255.255", 65535));
  BOOST_TEST(!v4.allows_host("2001:db8::1", 80));
  const auto v6 = list({"::/0"});
  BOOST_TEST(v6.allows_host("2001:db8::1", 80));
  BOOST_TEST(!v6.allows_host("1.2.3.4", 80));
  BOOST_TEST(!v6.allows_host("::ffff:1.2.3.4", 80));  // an IPv4 address, whatever its spelling
  BOOST_TEST(!v6.allows_host("api.example.test", 80));
}

BOOST_AUTO_TEST_CASE(ipv6_networks_addresses_and_brackets_with_ports) {
  const auto l = list({"fd00::/8", "[2001:db8::/32]:443", "[::1]:8080", "2001:DB8:FFFF::7"});
  BOOST_TEST(l.allows_host("fd00::1", 80));
  BOOST_TEST(l.allows_host("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 80));
  BOOST_TEST(!l.allows_host("fe00::", 80));
  BOOST_TEST(!l.allows_host("fc00::1", 80));
  BOOST_TEST(l.allows_host("[2001:db8:1::1]", 443));
  BOOST_TEST(!l.allows_host("2001:db8:1::1", 80));
  BOOST_TEST(!l.allows_host("2001:db9::1", 443));
  BOOST_TEST(l.allows_host("::1", 8080));
  BOOST_TEST(!l.allows_host("::1", 8081));
  BOOST_TEST(l.allows_host("2001:db8:ffff:0:0:0:0:7", 1));  // another spelling, upper case in the pattern
}

BOOST_AUTO_TEST_CASE(an_ipv4_mapped_network_is_an_ipv4_network) {
  const auto l = list({"::ffff:10.0.0.0/104"});
  BOOST_TEST(l.patterns()[0].network.v4);
  BOOST_TEST(l.patterns()[0].prefix == 8u);
  BOOST_TEST(l.allows_host("10.1.2.3", 80));
  BOOST_TEST(l.allows_host("::ffff:10.1.2.3", 80));
  BOOST_TEST(!l.allows_host("11.0.0.0", 80));
}

BOOST_AUTO_TEST_CASE(names_match_exactly_and_case_insensitively) {
  const auto l = list({"API.Example.TEST", "svc_1.internal."});
  for (const char* in : {"api.example.test", "API.EXAMPLE.TEST", "api.example.test.", "svc_1.internal"}) {
    BOOST_TEST(l.allows_host(in, 80), in);
  }
  for (const char* out : {"example.test", "x.api.example.test", "api.example.test.evil", "api-example.test"}) {
    BOOST_TEST(!l.allows_host(out, 80), out);
  }
}

BOOST_AUTO_TEST_CASE(a_wildcard_allows_names_below_its_suffix_but_not_the_suffix_itself) {
  const auto l = list({"*.example.test"});
  BOOST_TEST(l.allows_host("a.example.test", 80));
  BOOST_TEST(l.allows_host("b.a.EXAMPLE.test", 443));
  BOOST_TEST(!l.allows_host("example.test", 80));
  BOOST_TEST(!l.allows_host("badexample.test", 80));
  BOOST_TEST(!l.allows_host("a.example.test.evil", 80));
}

BOOST_AUTO_TEST_CASE(a_lone_star_allows_every_name_but_no_ip_literal) {
  const auto l = list({"*:443"});
  BOOST_TEST(l.allows_host("anything.example", 443));
  BOOST_TEST(!l.allows_host("anything.example", 80));
  BOOST_TEST(!l.allows_host("192.0.2.1", 443));
  BOOST_TEST(!l.allows_connection("", ip("192.0.2.1"), 443));
}

BOOST_AUTO_TEST_CASE(a_port_in_a_pattern_allows_that_port_only) {
  const auto l = list({"api.example.test:8443", "10.0.0.0/8:80", "198.51.100.7:9000"});
  BOOST_TEST(l.allows_host("api.example.test", 8443));
  BOOST_TEST(!l.allows_host("api.example.test", 443));
  BOOST_TEST(l.allows_host("10.9.9.9", 80));
  BOOST_TEST(!l.allows_host("10.9.9.9", 8080));
  BOOST_TEST(l.allows_host("198.51.100.7", 9000));
  BOOST_TEST(!l.allows_host("198.51.100.7", 9001));
}

BOOST_AUTO_TEST_CASE(a_name_allowed_by_name_may_connect_anywhere_it_resolves_other_names_only_to_listed_addresses) {
  const auto l = list({"api.example.test", "10.0.0.0/8"});
  BOOST_TEST(l.allows_connection("api.example.test", ip("192.0.2.50"), 80));
  BOOST_TEST(l.allows_connection("API.example.test", ip("2001:db8::5"), 80));
  BOOST_TEST(l.allows_connection("other.example.test", ip("10.2.3.4"), 80));
  BOOST_TEST(!l.allows_connection("other.example.test", ip("192.0.2.50"), 80));
  BOOST_TEST(!l.allows_connection("", ip("192.0.2.50"), 80));  // host unknown: the address decides
  // An IP-literal host is its address: name patterns play no part.
  BOOST_TEST(!l.allows_connection("192.0.2.50", ip("192.0.2.50"), 80));
  BOOST_TEST(l.allows_connection("[::ffff:10.0.0.1]", ip("::ffff:10.0.0.1"), 80));
}

BOOST_AUTO_TEST_CASE(malformed_patterns_are_refused_naming_the_pattern_and_why) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty"},
      {":80", "no host"},
      {"host:", "port"},
      {"host:0", "port"},
      {"host:65536", "port"},
      {"host:8o", "port"},
      {"10.0.0.0/33", "prefix length is above 32"},
      {"fd00::/129", "prefix length is above 128"},
      {"10.0.0.1/8", "did you mean 10.0.0.0/8?"},
      {"fd00::1/8", "did you mean fd00::/8?"},
      {"10.0.0.0/", "prefix length is not a number"},
      {"10.0.0.0/x", "prefix length is not a number"},
      {"10.0.0/8", "not an IP address"},
      {"::ffff:0.0.0.0/80", "96 or more"},
      {"[::1", "without ']'"},
      {"[10.0.0.1]:80", "brackets are for IPv6"},
      {"[::1]80", "':PORT' after ']'"},
      {"[::1]:x", "port"},
      {"fe80::1%eth0", "not an IPv6 address"},
      {"a..b", "empty label"},
      {"a b", "holds ' '"},
      {"api/x", "not an IP address"},
      {"999.1.1.1", "neither a valid IP address nor a host name"},
      {"1.2.3", "neither a valid IP address nor a host name"},
      {"a.0x7f", "neither a valid IP address nor a host name"},
      {"*.", "empty"},
      {"*.*.example.test", "holds '*'"},
      {"api.*", "holds '*'"},
      {"http://api.example.test", "port"},
      {std::string(64, 'a') + ".test", "longer than 63"},
  };
  for (const auto& [pattern, why] : bad) {
    const auto p = parse_target_pattern(pattern);
    BOOST_TEST_REQUIRE(!p.ok(), "'" << pattern << "' was accepted");
    if (!pattern.empty()) BOOST_TEST(p.error().find("'" + pattern + "'") != std::string::npos, p.error());
    BOOST_TEST(p.error().find(why) != std::string::npos, pattern << ": " << p.error());
    BOOST_TEST(p.error().find("expected e.g.") != std::string::npos, p.error());
  }
  const auto whole = TargetAllowlist::parse({"127.0.0.1", "10.0.0.0/33"});
  BOOST_TEST_REQUIRE(!whole.ok());
  BOOST_TEST(whole.error().find("'10.0.0.0/33'") != std::string::npos, whole.error());
  BOOST_TEST(!TargetAllowlist::parse({}).ok());
}

BOOST_AUTO_TEST_CASE(url_targets_are_the_host_and_port_of_the_authority) {
  const std::vector<std::pair<std::string, std::optional<UrlTarget>>> cases = {
      {"http://a.test/x", UrlTarget{"a.test", 80}},
      {"HTTPS://A.test:8443", UrlTarget{"A.test", 8443}},
      {"https://a.test", UrlTarget{"a.test", 443}},
      {"http://user:pw@h.test:81/p", UrlTarget{"h.test", 81}},
      {"http://a@b@h.test/", UrlTarget{"h.test", 80}},
      {"http://[::1]:8080/x", UrlTarget{"::1", 8080}},
      {"http://[::1]/", UrlTarget{"::1", 80}},
      {"http://h.test?q=@evil.test", UrlTarget{"h.test", 80}},
      {"http://h.test#@evil.test", UrlTarget{"h.test", 80}},
      {"http://127.0.0.1:18080/delay/20", UrlTarget{"127.0.0.1", 18080}},
      {"ftp://h.test/", std::nullopt},
      {"h.test/x", std::nullopt},
      {"http://:80/", std::nullopt},
      {"http:///x", std::nullopt},
      {"http://h.test:99999/", std::nullopt},
      {"http://h.test:0/", std::nullopt},
      {"http://[::1/", std::nullopt},
      {"http://[::1]x/", std::nullopt},
  };
  for (const auto& [url, expected] : cases) {
    BOOST_TEST((url_target(url) == expected), url);
  }
}

BOOST_AUTO_TEST_CASE(property_a_network_holds_every_address_sharing_its_prefix_and_no_other) {
  grid::agent::FastRng rng(20261201);
  for (int i = 0; i < 4000; ++i) {
    const bool v4 = i % 2 == 0;
    const IpAddress a = random_address(rng, v4);
    const auto prefix = static_cast<unsigned>(rng.below(a.bits() + 1));
    const IpAddress network = network_of(a, prefix);
    const auto p = parse_target_pattern(cidr(network, prefix));
    BOOST_TEST_REQUIRE(p.ok(), cidr(network, prefix) << ": " << (p.ok() ? "" : p.error()));
    BOOST_TEST_REQUIRE((p.value().network == network));
    const auto port = static_cast<uint16_t>(1 + rng.below(65535));
    BOOST_TEST_REQUIRE(p.value().matches_address(a, port), cidr(network, prefix) << " " << a.to_string());
    // Same prefix, any other host bits: in.
    IpAddress same = random_address(rng, v4);
    for (unsigned bit = 0; bit < prefix; ++bit) {
      const bool want = a.bytes[bit / 8] & (0x80 >> (bit % 8));
      const bool have = same.bytes[bit / 8] & (0x80 >> (bit % 8));
      if (want != have) flip_bit(same, bit);
    }
    BOOST_TEST_REQUIRE(p.value().matches_address(same, port));
    // One bit of the prefix different: out.
    if (prefix > 0) {
      IpAddress other = a;
      flip_bit(other, static_cast<unsigned>(rng.below(prefix)));
      if (!other.v4 && other.bytes[0] == 0) continue;  // flipped into the IPv4-mapped range
      BOOST_TEST_REQUIRE(!p.value().matches_address(other, port), cidr(network, prefix) << " " << other.to_string());
    }
    // Never across families.
    BOOST_TEST_REQUIRE(!p.value().matches_address(random_address(rng, !v4), port));
  }
}

BOOST_AUTO_TEST_CASE(property_an_address_reads_back_from_its_text_and_its_mapped_form) {
  grid::agent::FastRng rng(7);
  for (int i = 0; i < 2000; ++i) {
    const bool v4 = i % 2 == 0;
    const IpAddress a = random_address(rng, v4);
    BOOST_TEST_REQUIRE((IpAddress::parse(a.to_string()) == a), a.to_string());
    if (v4) BOOST_TEST_REQUIRE((IpAddress::parse("::ffff:" + a.to_string()) == a), a.to_string());
  }
}

BOOST_AUTO_TEST_CASE(property_any_text_parses_to_a_pattern_that_reparses_the_same_or_to_an_error_naming_it) {
  // Random strings over the characters patterns are made of, plus a few that never are.
  const std::string alphabet = "0123456789abcdefxyzABCDEF:./[]*-_@% \x01\xff";
  grid::agent::FastRng rng(99);
  size_t accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const auto length = rng.below(24);
    for (uint64_t c = 0; c < length; ++c) text += alphabet[rng.below(alphabet.size())];
    const auto p = parse_target_pattern(text);  // never throws
    if (!p.ok()) {
      BOOST_TEST_REQUIRE(!p.error().empty());
      if (!text.empty()) BOOST_TEST_REQUIRE(p.error().find("'" + text + "'") != std::string::npos, p.error());
      continue;
    }
    ++accepted;
    BOOST_TEST_REQUIRE(p.value().text == text);
    const auto again = parse_target_pattern(p.value().text);
    BOOST_TEST_REQUIRE(again.ok());
    BOOST_TEST_REQUIRE((again.value().kind == p.value().kind));
    BOOST_TEST_REQUIRE(again.value().name == p.value().name);
    BOOST_TEST_REQUIRE((again.value().network == p.value().network));
    BOOST_TEST_REQUIRE((again.value().port == p.value().port));
    // What a pattern names, it allows.
    const uint16_t port = p.value().port.value_or(80);
    if (p.value().kind == TargetPattern::Kind::network) {
      BOOST_TEST_REQUIRE(p.value().matches_address(p.value().network, port), text);
    } else if (p.value().kind == TargetPattern::Kind::name) {
      BOOST_TEST_REQUIRE(p.value().matches_name(p.value().name, port), text);
    }
  }
  BOOST_TEST(accepted > 0u);  // the generator does reach valid patterns
}

BOOST_AUTO_TEST_SUITE_END()

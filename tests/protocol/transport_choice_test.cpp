// Which transport serves a request (protocol/workload/transport_choice.hpp): `auto` picks
// the native HTTP/1.1 client wherever nothing needs libcurl; --transport forces one.

#include <boost/test/unit_test.hpp>

#include "protocol/workload/transport_choice.hpp"

using grid::wire::HttpVersion;
using grid::wire::RequestSpec;
using grid::wire::TransportChoice;
namespace workload = grid::workload;

namespace {

RequestSpec spec(const std::string& name, const std::string& url, TransportChoice choice = TransportChoice::automatic) {
  RequestSpec s;
  s.name = name;
  s.url = url;
  s.transport = choice;
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transport_choice)

BOOST_AUTO_TEST_CASE(auto_serves_plain_http_natively) {
  BOOST_TEST(workload::served_natively(spec("a", "http://127.0.0.1:8080/")));
  BOOST_TEST(workload::served_natively(spec("a", "HTTP://localhost/x?y=1")));
  BOOST_TEST(workload::served_natively(spec("a", "http://${host}/items/${id}")));
  BOOST_TEST(workload::served_natively(spec("a", "http://[::1]:8080/")));
}

BOOST_AUTO_TEST_CASE(auto_leaves_to_curl_whatever_needs_libcurl) {
  BOOST_TEST(!workload::served_natively(spec("a", "https://127.0.0.1/")));
  BOOST_TEST(!workload::served_natively(spec("a", "${scheme}://127.0.0.1/")));
  BOOST_TEST(!workload::served_natively(spec("a", "http://user:secret@127.0.0.1/")));
  auto h2 = spec("a", "http://127.0.0.1/");
  h2.http = HttpVersion::http2;
  BOOST_TEST(!workload::served_natively(h2));
  // An @ in the path or query is not a user name.
  BOOST_TEST(workload::served_natively(spec("a", "http://127.0.0.1/mail/a@b?to=c@d")));
}

BOOST_AUTO_TEST_CASE(an_explicit_choice_is_kept) {
  BOOST_TEST(!workload::served_natively(spec("a", "http://127.0.0.1/", TransportChoice::curl)));
  BOOST_TEST(workload::served_natively(spec("a", "http://127.0.0.1/", TransportChoice::native)));
}

BOOST_AUTO_TEST_CASE(needs_curl_says_why) {
  BOOST_TEST(*workload::needs_curl(spec("a", "https://x/")) == "its URL is https:// (TLS is libcurl's)");
  BOOST_TEST(!workload::needs_curl(spec("a", "http://x/")).has_value());
}

BOOST_AUTO_TEST_CASE(transport_words_are_auto_curl_and_native) {
  BOOST_TEST((*workload::parse_transport_choice("auto") == TransportChoice::automatic));
  BOOST_TEST((*workload::parse_transport_choice("curl") == TransportChoice::curl));
  BOOST_TEST((*workload::parse_transport_choice("native") == TransportChoice::native));
  BOOST_TEST(!workload::parse_transport_choice("Native").has_value());
  BOOST_TEST(!workload::parse_transport_choice("").has_value());
}

BOOST_AUTO_TEST_CASE(forcing_native_names_every_request_that_needs_curl_and_changes_nothing) {
  std::vector<RequestSpec> requests = {spec("plain", "http://x/"), spec("secure", "https://x/"),
                                       spec("templated", "${base}/x", TransportChoice::curl)};
  const auto why = workload::force_transport(requests, TransportChoice::native);
  BOOST_REQUIRE(why.has_value());
  BOOST_TEST(why->find("request 'secure': its URL is https://") != std::string::npos, *why);
  BOOST_TEST(why->find("request 'templated'") != std::string::npos, *why);
  BOOST_TEST(why->find("'plain'") == std::string::npos, *why);
  BOOST_TEST((requests[0].transport == TransportChoice::automatic));
  BOOST_TEST((requests[2].transport == TransportChoice::curl));
}

BOOST_AUTO_TEST_CASE(forcing_curl_or_auto_sets_every_request) {
  std::vector<RequestSpec> requests = {spec("a", "http://x/", TransportChoice::native), spec("b", "https://x/")};
  BOOST_TEST(!workload::force_transport(requests, TransportChoice::curl).has_value());
  for (const auto& r : requests) BOOST_TEST((r.transport == TransportChoice::curl));
  BOOST_TEST(!workload::force_transport(requests, TransportChoice::automatic).has_value());
  BOOST_TEST(workload::served_natively(requests[0]));
  BOOST_TEST(!workload::served_natively(requests[1]));
}

BOOST_AUTO_TEST_SUITE_END()

// Http1Exchange: the native transport's decisions without a socket. Valid responses cut
// at every boundary give the same outcome; the retry rule, the byte counts and the
// failures are libcurl's.

#include <cerrno>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "agent/http1_exchange.hpp"

using grid::agent::ExchangeStep;
using grid::agent::Http1Exchange;
using grid::agent::TransferError;
using grid::agent::TransferOutcome;

namespace {

const std::string kRequest = "GET / HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n";

struct Result {
  TransferError error = TransferError::none;
  long status = 0;
  uint16_t version = 0;
  uint64_t sent = 0;
  uint64_t received = 0;
  bool reusable = false;
  std::string body;
  std::string headers;
  bool operator==(const Result&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Result& r) {
  return os << "{error " << static_cast<int>(r.error) << ", status " << r.status << ", version " << r.version
            << ", sent " << r.sent << ", received " << r.received << ", reusable " << r.reusable << ", body '" << r.body
            << "'}";
}

// Feeds `response` cut at `cuts`, then the server's close when the response has not ended.
Result exchange(const std::string& response, const std::vector<size_t>& cuts, bool head = false) {
  Http1Exchange x;
  Result r;
  x.begin(kRequest, head, false, &r.body, &r.headers);
  x.wrote(kRequest.size());
  ExchangeStep step = ExchangeStep::wait;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(response.size());
  for (const size_t to : ends) {
    if (to <= from) continue;
    step = x.received(response.data() + from, to - from);
    from = to;
    if (step != ExchangeStep::wait) break;
  }
  if (step == ExchangeStep::wait) step = x.peer_closed();
  BOOST_REQUIRE((step == ExchangeStep::done));
  const TransferOutcome& o = x.outcome();
  r.error = o.error;
  r.status = o.status;
  r.version = o.http_version;
  r.sent = o.bytes_sent;
  r.received = o.bytes_received;
  r.reusable = x.reusable();
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http1_exchange)

BOOST_AUTO_TEST_CASE(valid_responses_cut_at_every_boundary_give_the_same_outcome) {
  struct Case {
    std::string response;
    bool head;
    Result expected;
  };
  const std::string cl_head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
  const std::string chunked_head = "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string interim = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n";
  const std::string final_head = "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nConnection: close\r\n\r\n";
  const std::string close_head = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\n";
  const std::string bare_lf = "HTTP/1.1 200 OK\nContent-Length: 2\n\n";
  const std::string no_content = "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n";
  const std::string head_head = "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n";
  const uint64_t sent = kRequest.size();
  const std::vector<Case> cases = {
      {cl_head + "hello", false, {TransferError::none, 200, 11, sent, cl_head.size() + 5, true, "hello", cl_head}},
      {chunked_head + "3\r\nabc\r\na\r\n0123456789\r\n0\r\nX-Trailer: 1\r\n\r\n",
       false,
       {TransferError::none, 201, 11, sent, chunked_head.size() + 13, true, "abc0123456789", chunked_head}},
      {interim + final_head + "bad",
       false,
       {TransferError::none, 404, 11, sent, interim.size() + final_head.size() + 3, false, "bad", final_head}},
      {close_head + "until close",
       false,
       {TransferError::none, 200, 10, sent, close_head.size() + 11, false, "until close", close_head}},
      {bare_lf + "ok", false, {TransferError::none, 200, 11, sent, bare_lf.size() + 2, true, "ok", bare_lf}},
      {no_content, false, {TransferError::none, 204, 11, sent, no_content.size(), true, "", no_content}},
      {head_head, true, {TransferError::none, 200, 11, sent, head_head.size(), true, "", head_head}},
      {cl_head + "hel", false, {TransferError::other, 200, 11, sent, cl_head.size() + 3, false, "hel", cl_head}},
  };
  for (const auto& c : cases) {
    BOOST_TEST_REQUIRE(exchange(c.response, {}, c.head) == c.expected, c.response);
    for (size_t a = 1; a < c.response.size(); ++a) {
      BOOST_TEST_REQUIRE(exchange(c.response, {a}, c.head) == c.expected, c.response << " cut at " << a);
      for (size_t b = a + 1; b < c.response.size(); ++b) {
        BOOST_TEST_REQUIRE(exchange(c.response, {a, b}, c.head) == c.expected,
                           c.response << " cut at " << a << "," << b);
      }
    }
    std::vector<size_t> every;  // one byte at a time
    for (size_t i = 1; i < c.response.size(); ++i) every.push_back(i);
    BOOST_TEST_REQUIRE(exchange(c.response, every, c.head) == c.expected, c.response << " byte by byte");
  }
}

BOOST_AUTO_TEST_CASE(an_eof_before_any_byte_is_an_empty_reply_on_a_fresh_connection) {
  Http1Exchange x;
  x.begin(kRequest, false, false, nullptr, nullptr);
  x.wrote(kRequest.size());
  BOOST_TEST((x.peer_closed() == ExchangeStep::done));
  BOOST_TEST((x.outcome().error == TransferError::other));
  BOOST_TEST(x.outcome().detail == "Empty reply from server");
  BOOST_TEST(x.outcome().bytes_sent == kRequest.size());
}

BOOST_AUTO_TEST_CASE(a_reused_connection_that_dies_before_any_byte_is_retried_once) {
  for (const int how : {0, ECONNRESET, EPIPE}) {
    Http1Exchange x;
    x.begin(kRequest, false, true, nullptr, nullptr);
    x.wrote(10);
    const auto die = [&] { return how == 0 ? x.peer_closed() : x.connection_failed(how); };
    BOOST_TEST((die() == ExchangeStep::retry));
    x.restart_fresh();
    BOOST_TEST(x.unwritten() == kRequest);  // from the first byte again
    x.wrote(kRequest.size());
    BOOST_TEST((die() == ExchangeStep::done));  // never twice
    BOOST_TEST((x.outcome().error == TransferError::other));
    // Both attempts went out, and libcurl's REQUEST_SIZE counts both.
    BOOST_TEST(x.outcome().bytes_sent == 10 + kRequest.size());
  }
}

BOOST_AUTO_TEST_CASE(no_retry_after_a_response_byte_or_for_other_errors) {
  Http1Exchange x;
  x.begin(kRequest, false, true, nullptr, nullptr);
  x.wrote(kRequest.size());
  BOOST_TEST((x.received("H", 1) == ExchangeStep::wait));
  BOOST_TEST((x.connection_failed(ECONNRESET) == ExchangeStep::done));
  BOOST_TEST((x.outcome().error == TransferError::other));
  BOOST_TEST(x.outcome().bytes_received == 0u);  // a line cut short is not counted (curl counts whole lines)

  Http1Exchange y;
  y.begin(kRequest, false, true, nullptr, nullptr);
  BOOST_TEST((y.connection_failed(ETIMEDOUT) == ExchangeStep::done));
}

BOOST_AUTO_TEST_CASE(a_timeout_reports_the_status_line_that_arrived_and_what_was_counted) {
  Http1Exchange x;
  x.begin(kRequest, false, false, nullptr, nullptr);
  x.wrote(kRequest.size());
  const std::string part = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
  BOOST_TEST((x.received(part.data(), part.size()) == ExchangeStep::wait));
  x.timed_out(250);
  BOOST_TEST((x.outcome().error == TransferError::timeout));
  BOOST_TEST(x.outcome().status == 200);
  BOOST_TEST(x.outcome().bytes_received == part.size());
  BOOST_TEST(x.outcome().detail.find("250 ms") != std::string::npos);
  BOOST_TEST(!x.reusable());
}

BOOST_AUTO_TEST_CASE(bytes_after_the_response_or_an_unfinished_request_end_keep_alive) {
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  Http1Exchange x;
  x.begin(kRequest, false, false, nullptr, nullptr);
  x.wrote(kRequest.size());
  const std::string extra = ok + "HTTP/1.1";
  BOOST_TEST((x.received(extra.data(), extra.size()) == ExchangeStep::done));
  BOOST_TEST(!x.reusable());
  BOOST_TEST(x.outcome().bytes_received == ok.size());

  Http1Exchange y;  // the server answered before the whole request was sent
  y.begin(kRequest, false, false, nullptr, nullptr);
  y.wrote(5);
  BOOST_TEST((y.received(ok.data(), ok.size()) == ExchangeStep::done));
  BOOST_TEST((y.outcome().error == TransferError::none));
  BOOST_TEST(y.outcome().bytes_sent == 5u);
  BOOST_TEST(!y.reusable());
}

BOOST_AUTO_TEST_CASE(a_malformed_response_is_other_with_the_parsers_reason) {
  Http1Exchange x;
  x.begin(kRequest, false, false, nullptr, nullptr);
  const std::string junk = "SMTP ready\r\n";
  BOOST_TEST((x.received(junk.data(), junk.size()) == ExchangeStep::done));
  BOOST_TEST((x.outcome().error == TransferError::other));
  BOOST_TEST(x.outcome().detail.rfind("malformed response: ", 0) == 0);
}

BOOST_AUTO_TEST_CASE(an_interim_response_never_has_a_body_and_a_101_is_other_whatever_the_headers_say) {
  // Both found by native_exchange_fuzz: a 1xx claiming a chunked body, a 101 without Upgrade.
  const std::string interim = "HTTP/1.1 100 Continue\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
  const Result r = exchange(interim + ok, {});
  BOOST_TEST((r.error == TransferError::none));
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.received == interim.size() + ok.size());
  BOOST_TEST(r.body == "ok");
  const Result up = exchange("HTTP/1.1 101 Switching\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", {});
  BOOST_TEST((up.error == TransferError::other));
}

BOOST_AUTO_TEST_SUITE_END()

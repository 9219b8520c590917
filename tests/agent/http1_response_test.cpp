// Http1Response: where a response ends and what it says, however its bytes are split
// (the native transport reads whatever the socket has), and never a crash on junk.

#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "agent/http1_response.hpp"

using grid::agent::Http1Response;
using State = Http1Response::State;

namespace {

struct Outcome {
  State state = State::reading;
  int status = 0;
  uint64_t body = 0;
  bool keep_alive = false;
  size_t used = 0;  // bytes that belonged to the response
  bool operator==(const Outcome&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Outcome& o) {
  return os << "{state " << static_cast<int>(o.state) << ", status " << o.status << ", body " << o.body << ", keep "
            << o.keep_alive << ", used " << o.used << "}";
}

// Feeds `bytes` in pieces cut at `cuts` (ascending offsets), then EOF when `eof`.
Outcome parse(const std::string& bytes, const std::vector<size_t>& cuts, bool head = false, bool eof = false) {
  Http1Response r;
  r.reset(head);
  Outcome o;
  size_t from = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(bytes.size());
  for (const size_t to : ends) {
    if (to <= from) continue;
    o.used += r.feed(bytes.data() + from, to - from);
    from = to;
    if (r.state() != State::reading) break;
  }
  if (eof) r.on_eof();
  o.state = r.state();
  o.status = r.status();
  o.body = r.body_bytes();
  o.keep_alive = r.keep_alive();
  if (r.state() == State::error) BOOST_TEST(!r.error().empty());
  return o;
}

Outcome whole(const std::string& bytes, bool head = false, bool eof = false) { return parse(bytes, {}, head, eof); }

}  // namespace

BOOST_AUTO_TEST_SUITE(http1_response)

BOOST_AUTO_TEST_CASE(a_content_length_response_ends_at_its_length_and_leaves_what_follows) {
  const std::string next = "HTTP/1.1 200 OK\r\n";
  const std::string bytes = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" + next;
  const auto o = whole(bytes);
  BOOST_TEST((o.state == State::complete));
  BOOST_TEST(o.status == 200);
  BOOST_TEST(o.body == 5u);
  BOOST_TEST(o.keep_alive);
  BOOST_TEST(o.used == bytes.size() - next.size());
}

BOOST_AUTO_TEST_CASE(a_chunked_body_counts_its_data_bytes_not_its_framing) {
  const auto o = whole(
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n");
  BOOST_TEST((o.state == State::complete));
  BOOST_TEST(o.status == 201);
  BOOST_TEST(o.body == 19u);
}

BOOST_AUTO_TEST_CASE(connection_close_and_http_1_0_end_keep_alive) {
  BOOST_TEST(!whole("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n").keep_alive);
  BOOST_TEST(!whole("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n").keep_alive);
  BOOST_TEST(whole("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n").keep_alive);
}

BOOST_AUTO_TEST_CASE(a_body_delimited_by_close_completes_at_eof) {
  const std::string bytes = "HTTP/1.1 200 OK\r\n\r\nuntil the end";
  BOOST_TEST((whole(bytes).state == State::reading));
  const auto o = whole(bytes, false, true);
  BOOST_TEST((o.state == State::complete));
  BOOST_TEST(o.body == 13u);
  BOOST_TEST(!o.keep_alive);
}

BOOST_AUTO_TEST_CASE(a_close_mid_response_is_an_error) {
  const auto o = whole("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", false, true);
  BOOST_TEST((o.state == State::error));
  BOOST_TEST((whole("HTTP/1.1 200", false, true).state == State::error));
  BOOST_TEST((whole("", false, true).state == State::error));
}

BOOST_AUTO_TEST_CASE(head_204_and_304_have_no_body_whatever_their_headers_say) {
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n";
  const auto h = whole(head, true);
  BOOST_TEST((h.state == State::complete));
  BOOST_TEST(h.body == 0u);
  BOOST_TEST(h.used == head.size());
  BOOST_TEST((whole("HTTP/1.1 204 No Content\r\n\r\n").state == State::complete));
  BOOST_TEST((whole("HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n").state == State::complete));
}

BOOST_AUTO_TEST_CASE(interim_1xx_responses_are_skipped_for_the_final_one) {
  const auto o = whole(
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
      "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno");
  BOOST_TEST((o.state == State::complete));
  BOOST_TEST(o.status == 404);
  BOOST_TEST(o.body == 2u);
}

BOOST_AUTO_TEST_CASE(a_switch_of_protocols_and_garbage_are_errors_with_a_reason) {
  BOOST_TEST(
      (whole("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n").state == State::error));
  BOOST_TEST((whole("SSH-2.0-OpenSSH_9.2\r\n").state == State::error));
  BOOST_TEST((whole("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n").state == State::error));
}

BOOST_AUTO_TEST_CASE(a_response_split_at_every_boundary_gives_the_same_outcome) {
  const std::vector<std::string> samples = {
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1",
      "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Oops\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbad",
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf",
      "HTTP/1.0 200 OK\r\n\r\nclose-delimited",
  };
  for (const auto& s : samples) {
    for (const bool eof : {false, true}) {
      const auto reference = whole(s, false, eof);
      for (size_t a = 1; a < s.size(); ++a) {
        BOOST_TEST_REQUIRE(parse(s, {a}, false, eof) == reference, s << " cut at " << a);
        for (size_t b = a + 1; b < s.size(); b += 7) {
          BOOST_TEST_REQUIRE(parse(s, {a, b}, false, eof) == reference, s << " cut at " << a << "," << b);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(mutated_responses_never_crash_and_split_the_same_way) {
  const std::string seed =
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
      "a\r\n0123456789\r\n0\r\n\r\n";
  std::mt19937_64 rng(20261201);
  for (int i = 0; i < 20'000; ++i) {
    std::string s = seed;
    const int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % (s.size() + 1);
      switch (rng() % 4) {
        case 0:
          if (at < s.size()) s[at] = static_cast<char>(rng());
          break;
        case 1:
          s.insert(at, 1, static_cast<char>(rng()));
          break;
        case 2:
          if (at < s.size()) s.erase(at, 1 + rng() % 8);
          break;
        default:
          s.insert(at, s.substr(rng() % s.size(), rng() % 16));
      }
    }
    const bool eof = rng() % 2;
    const auto reference = whole(s, false, eof);
    if (reference.state == State::complete) BOOST_TEST_REQUIRE(reference.used <= s.size());
    const size_t cut = s.empty() ? 0 : rng() % s.size();
    BOOST_TEST_REQUIRE(parse(s, {cut}, false, eof) == reference, "mutation " << i << " cut at " << cut);
  }
}

BOOST_AUTO_TEST_SUITE_END()

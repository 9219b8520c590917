// Outbox: upstream frames a socket refuses are kept in order and retried; past the byte
// limit the oldest are given up and counted, never lost silently.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/common/outbox.hpp"

using grid::common::Outbox;

namespace {

// A socket stand-in: takes frames while `open`, records them in order.
struct FakeSocket {
  bool open = true;
  std::vector<std::string> sent;
  bool operator()(std::string_view frame) {
    if (!open) return false;
    sent.emplace_back(frame);
    return true;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(outbox)

BOOST_AUTO_TEST_CASE(a_frame_the_socket_takes_is_not_kept) {
  Outbox box;
  FakeSocket socket;
  box.submit("a", std::ref(socket));
  BOOST_TEST(socket.sent == std::vector<std::string>{"a"});
  BOOST_TEST(box.empty());
}

BOOST_AUTO_TEST_CASE(refused_frames_are_kept_and_sent_in_order_before_anything_newer) {
  Outbox box;
  FakeSocket socket;
  socket.open = false;
  box.submit("1", std::ref(socket));
  box.submit("2", std::ref(socket));
  BOOST_TEST(box.size() == 2u);
  socket.open = true;
  box.submit("3", std::ref(socket));  // must not overtake 1 and 2
  BOOST_TEST(socket.sent.empty());
  BOOST_TEST(box.flush(std::ref(socket)) == 3u);
  BOOST_TEST(socket.sent == (std::vector<std::string>{"1", "2", "3"}));
  BOOST_TEST(box.dropped() == 0u);
}

BOOST_AUTO_TEST_CASE(a_flush_stops_at_the_first_refusal) {
  Outbox box;
  int budget = 1;
  auto one_then_full = [&](std::string_view) { return budget-- > 0; };
  FakeSocket closed;
  closed.open = false;
  box.submit("1", std::ref(closed));
  box.submit("2", std::ref(closed));
  BOOST_TEST(box.flush(one_then_full) == 1u);
  BOOST_TEST(box.size() == 1u);
}

BOOST_AUTO_TEST_CASE(past_its_byte_limit_the_oldest_frames_are_given_up_and_counted) {
  Outbox box(10);
  FakeSocket socket;
  socket.open = false;
  box.submit("aaaa", std::ref(socket));
  box.submit("bbbb", std::ref(socket));
  box.submit("cccc", std::ref(socket));  // 12 bytes > 10: "aaaa" goes
  BOOST_TEST(box.size() == 2u);
  BOOST_TEST(box.bytes() == 8u);
  BOOST_TEST(box.dropped() == 1u);
  box.submit("this frame alone is over the limit", std::ref(socket));
  BOOST_TEST(box.dropped() == 2u);  // it alone: it could never fit, so it evicts nothing
  BOOST_TEST(box.size() == 2u);
  box.abandon();
  socket.open = true;
  box.submit("d", std::ref(socket));
  BOOST_TEST(socket.sent == std::vector<std::string>{"d"});
  BOOST_TEST(box.dropped() == 4u);
}

BOOST_AUTO_TEST_CASE(abandoning_counts_every_frame_still_kept) {
  Outbox box;
  FakeSocket socket;
  socket.open = false;
  box.submit("1", std::ref(socket));
  box.submit("2", std::ref(socket));
  BOOST_TEST(box.abandon() == 2u);
  BOOST_TEST(box.dropped() == 2u);
  BOOST_TEST(box.empty());
}

BOOST_AUTO_TEST_SUITE_END()

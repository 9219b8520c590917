// Enums travel through one msgpack adaptor as their underlying integer, exactly as the
// uint8_t fields of protocol version 1 did: frames of either layout decode with the other.

#include <tuple>

#include <boost/test/unit_test.hpp>

#include "protocol/wire/codec.hpp"
#include "protocol/wire/plan.hpp"

using namespace grid::wire;

namespace {

// An envelope whose body is packed from `body` (a tuple laid out as an old peer did).
template <class Body>
std::string old_frame(MessageType type, const Body& body) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(4);
  packer.pack(static_cast<uint8_t>(type));
  packer.pack(kProtocolVersion);
  packer.pack(std::string("old-peer"));
  packer.pack(body);
  return std::string(buffer.data(), buffer.size());
}

template <class M>
Result<M> decode(const std::string& frame) {
  auto env = decode_envelope(frame);
  if (!env) return Error{env.error()};
  return decode_body<M>(env.value());
}

// The body of `frame` as msgpack objects, to read fields the way an old peer would.
msgpack::object_handle body_of(const std::string& frame) {
  auto whole = msgpack::unpack(frame.data(), frame.size());
  msgpack::object_handle body(msgpack::clone(whole.get().via.array.ptr[3]));
  return body;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(wire_enum)

BOOST_AUTO_TEST_CASE(an_old_peers_hello_with_a_uint8_kind_decodes_to_the_enum) {
  const auto got =
      decode<Hello>(old_frame(MessageType::hello, std::make_tuple(uint8_t{1}, std::string("eu"), std::string("h"), 4u,
                                                                  uint64_t{1}, 0u, std::string("0.1.0"))));
  BOOST_TEST_REQUIRE(got.ok(), (got.ok() ? "" : got.error()));
  BOOST_TEST((got.value().kind == NodeKind::relay));
  BOOST_TEST(got.value().software_version == "0.1.0");
}

BOOST_AUTO_TEST_CASE(an_old_peers_plan_state_and_log_level_decode_to_the_enums) {
  // The old layout: state as uint8_t, second field.
  const auto got = decode<Plan>(old_frame(MessageType::plan, std::make_tuple(uint64_t{7}, uint8_t{4})));
  BOOST_TEST_REQUIRE(got.ok(), (got.ok() ? "" : got.error()));
  BOOST_TEST((got.value().state == CampaignState::finished));
  BOOST_TEST(got.value().epoch == 7u);
  const auto log = decode<LogRecord>(old_frame(MessageType::log, std::make_tuple(uint8_t{1}, std::string("hot"))));
  BOOST_TEST_REQUIRE(log.ok(), (log.ok() ? "" : log.error()));
  BOOST_TEST((log.value().level == LogLevel::warning));
}

BOOST_AUTO_TEST_CASE(an_old_peers_log_record_has_no_node_and_no_time_and_its_agent_load_no_cpu_or_memory) {
  const auto log =
      decode<LogRecord>(old_frame(MessageType::log, std::make_tuple(uint8_t{2}, std::string("disk full"))));
  BOOST_TEST_REQUIRE(log.ok(), (log.ok() ? "" : log.error()));
  BOOST_TEST(log.value().node.empty());       // the receiver takes the sender's id
  BOOST_TEST(log.value().time_unix_ms == 0);  // and the arrival time
  BOOST_TEST(log.value().text == "disk full");
  // An AgentLoad of 0.4 (five fields) inside a heartbeat.
  const auto load = std::make_tuple(std::string("a1"), std::string("c@1"), uint64_t{10}, 3u, false);
  const auto hb = decode<Heartbeat>(
      old_frame(MessageType::heartbeat,
                std::make_tuple(12.5, uint64_t{1}, 3u, uint64_t{1}, int64_t{0}, uint8_t{1}, std::string("eu"), 1.0, 0u,
                                1u, int64_t{0}, uint64_t{0}, std::vector<std::string>{}, 1u, uint64_t{0}, uint64_t{0},
                                std::vector<std::remove_const_t<decltype(load)>>{load})));
  BOOST_TEST_REQUIRE(hb.ok(), (hb.ok() ? "" : hb.error()));
  BOOST_TEST_REQUIRE(hb.value().agent_loads.size() == 1u);
  BOOST_TEST(hb.value().agent_loads[0].users == 3u);
  BOOST_TEST(hb.value().agent_loads[0].cpu_percent == 0.0);
  BOOST_TEST(hb.value().agent_loads[0].rss_bytes == 0u);
  BOOST_TEST(hb.value().dropped_logs == 0u);
}

BOOST_AUTO_TEST_CASE(a_new_log_record_and_heartbeat_carry_node_time_drops_and_agents_cpu_and_memory) {
  LogRecord r;
  r.level = LogLevel::error;
  r.text = "x";
  r.node = "a1";
  r.time_unix_ms = 1796166749123;
  const auto got = decode<LogRecord>(encode(r, "relay-a"));
  BOOST_TEST_REQUIRE(got.ok());
  BOOST_TEST(got.value().node == "a1");
  BOOST_TEST(got.value().time_unix_ms == 1796166749123);
  Heartbeat hb;
  hb.dropped_logs = 42;
  AgentLoad a;
  a.agent_id = "a1";
  a.cpu_percent = 87.5;
  a.rss_bytes = 1 << 20;
  hb.agent_loads = {a};
  const auto beat = decode<Heartbeat>(encode(hb, "relay-a"));
  BOOST_TEST_REQUIRE(beat.ok());
  BOOST_TEST(beat.value().dropped_logs == 42u);
  BOOST_TEST(beat.value().agent_loads[0].cpu_percent == 87.5);
  BOOST_TEST(beat.value().agent_loads[0].rss_bytes == 1u << 20);
  hb.agent_loads[0].cpu_percent = -1;
  BOOST_TEST(!decode<Heartbeat>(encode(hb, "relay-a")).ok());  // validated like the node's own
}

BOOST_AUTO_TEST_CASE(new_frames_carry_enums_as_the_plain_integers_old_peers_read) {
  Heartbeat hb;
  hb.kind = NodeKind::relay;
  const auto body = body_of(encode(hb, "new-peer"));
  const auto& fields = body.get().via.array;
  BOOST_TEST_REQUIRE(fields.size > 5u);
  BOOST_TEST((fields.ptr[5].type == msgpack::type::POSITIVE_INTEGER));
  BOOST_TEST(fields.ptr[5].as<uint8_t>() == 1u);
  Plan plan;
  plan.state = CampaignState::stopping;
  const auto plan_body = body_of(encode(plan, "new-peer"));
  BOOST_TEST(plan_body.get().via.array.ptr[1].as<uint8_t>() == 3u);
}

BOOST_AUTO_TEST_CASE(an_unknown_enum_value_is_named_by_the_message_that_carries_it) {
  const auto hello = decode<Hello>(old_frame(MessageType::hello, std::make_tuple(uint8_t{9})));
  BOOST_TEST_REQUIRE(!hello.ok());
  BOOST_TEST(hello.error() == "hello has unknown node kind 9");
  const auto plan = decode<Plan>(old_frame(MessageType::plan, std::make_tuple(uint64_t{1}, uint8_t{200})));
  BOOST_TEST_REQUIRE(!plan.ok());
  BOOST_TEST(plan.error() == "plan has unknown state 200");
}

BOOST_AUTO_TEST_CASE(an_enum_value_too_large_for_its_type_or_of_the_wrong_type_is_a_decode_error) {
  const auto big = decode<Hello>(old_frame(MessageType::hello, std::make_tuple(300)));
  BOOST_TEST_REQUIRE(!big.ok());
  BOOST_TEST(big.error().find("malformed body of message type 1") == 0u, big.error());
  const auto text = decode<LogRecord>(old_frame(MessageType::log, std::make_tuple(std::string("warning"))));
  BOOST_TEST(!text.ok());
  const auto negative = decode<Plan>(old_frame(MessageType::plan, std::make_tuple(uint64_t{1}, -1)));
  BOOST_TEST(!negative.ok());
}

BOOST_AUTO_TEST_SUITE_END()

// The codec: round trips of every message type, compatibility with older and newer peers,
// and one named test per kind of malformed frame. Decoding never throws; every failure is
// an error whose message names the problem.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>
#include <msgpack.hpp>

#include "protocol/wire/codec.hpp"
#include "protocol/wire/messages.hpp"
#include "protocol/wire/plan.hpp"
#include "sample_messages.hpp"

using grid::test::error_of;
using grid::test::same_window;
using grid::wire::Error;
using grid::wire::Result;
using namespace grid::wire;

namespace {

constexpr uint8_t kStats = static_cast<uint8_t>(MessageType::stats);

/// Decodes `frame` all the way to an M; exceptions escape (the tests check there are none).
template <class M>
Result<M> decode_as(std::string_view frame) {
  auto env = decode_envelope(frame);
  if (!env) return Error{env.error()};
  return decode_body<M>(env.value());
}

/// Checks that decoding `frame` as M fails, without throwing, with an error containing
/// `needle`.
template <class M = StatsReport>
void expect_decode_error(std::string_view frame, std::string_view needle) {
  try {
    const auto r = decode_as<M>(frame);
    BOOST_TEST(!r.ok(), "decoding unexpectedly succeeded; expected an error naming '" << needle << "'");
    if (!r.ok()) {
      BOOST_TEST(r.error().find(needle) != std::string::npos, "'" << r.error() << "' does not name '" << needle << "'");
    }
  } catch (const std::exception& e) {
    BOOST_ERROR("decoding threw " << e.what());
  }
}

/// Like expect_decode_error, but decodes in a child process whose address space may grow
/// by at most `budget` bytes: a decoder that reserved room for a claimed length would get
/// bad_alloc (or die) there instead of the expected error. Skipped under AddressSanitizer,
/// which reserves terabytes of shadow memory.
void expect_decode_error_within(const std::string& frame, const std::string& needle, size_t budget) {
#if defined(__SANITIZE_ADDRESS__)
  (void)budget;
  expect_decode_error(frame, needle);
#else
  const pid_t child = fork();
  BOOST_TEST_REQUIRE(child >= 0);
  if (child == 0) {
    // Child: no Boost.Test here; report through the exit status only.
    long pages = 0;
    std::ifstream("/proc/self/statm") >> pages;
    const rlim_t limit = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + budget;
    const rlimit rl{limit, limit};
    if (setrlimit(RLIMIT_AS, &rl) != 0) _exit(3);
    try {
      const auto r = decode_as<StatsReport>(frame);
      _exit(!r.ok() && r.error().find(needle) != std::string::npos ? 0 : 1);
    } catch (...) {
      _exit(2);
    }
  }
  int status = 0;
  BOOST_TEST_REQUIRE(waitpid(child, &status, 0) == child);
  BOOST_TEST_REQUIRE(WIFEXITED(status), "the decoding child died");
  BOOST_TEST(WEXITSTATUS(status) == 0, "child exit status "
                                           << WEXITSTATUS(status)
                                           << " (1: another error or none, 2: threw, 3: setrlimit failed)");
  if (WEXITSTATUS(status) != 0) expect_decode_error(frame, needle);  // shows the actual error
#endif
}

std::string bytes(std::initializer_list<uint8_t> b) { return std::string(b.begin(), b.end()); }

/// Packs `parts` as one msgpack array, e.g. a hand-made envelope.
template <class... Parts>
std::string pack_array(const Parts&... parts) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(sizeof...(Parts));
  (packer.pack(parts), ...);
  return std::string(buffer.data(), buffer.size());
}

/// An envelope of `type` around pre-encoded body bytes.
std::string envelope_with_raw_body(uint8_t type, std::string_view body) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> packer(buffer);
  packer.pack_array(4);
  packer.pack(type);
  packer.pack(kProtocolVersion);
  packer.pack(std::string_view("node"));
  buffer.write(body.data(), body.size());
  return std::string(buffer.data(), buffer.size());
}

/// Unpacks `frame`, lets `edit` change the tree in place, and packs it again: a valid
/// frame with one field made invalid.
std::string edited(const std::string& frame, const std::function<void(msgpack::object&, msgpack::zone&)>& edit) {
  msgpack::object_handle handle = msgpack::unpack(frame.data(), frame.size());
  msgpack::object root = handle.get();
  edit(root, *handle.zone());
  msgpack::sbuffer buffer;
  msgpack::pack(buffer, root);
  return std::string(buffer.data(), buffer.size());
}

msgpack::object& at(msgpack::object& o, uint32_t i) {
  BOOST_TEST_REQUIRE((o.type == msgpack::type::ARRAY && i < o.via.array.size));
  return o.via.array.ptr[i];
}

/// A report of one window whose first request name ("home") has traffic of every kind.
StatsReport known_report() {
  std::mt19937_64 rng(5);
  StatsWindow w;
  w.index = 1'700'000'000;
  w.interval_ms = 1000;
  w.active_users = 12;
  w.requests["home"] = grid::test::random_request_stats(rng, 400);
  w.requests["login"] = grid::test::random_request_stats(rng, 50);
  StatsReport r;
  r.windows.push_back(w);
  return r;
}

// Paths into an encoded known_report(): [type, version, node_id, [windows]].
msgpack::object& window_of(msgpack::object& root) { return at(at(at(root, 3), 0), 0); }
// The stats of the first request name (in known_report(), "home").
msgpack::object& home_stats_of(msgpack::object& root) {
  msgpack::object& requests = at(window_of(root), 3);
  BOOST_TEST_REQUIRE((requests.type == msgpack::type::MAP && requests.via.map.size > 0));
  return requests.via.map.ptr[0].val;
}
msgpack::object& home_histogram_of(msgpack::object& root) { return at(home_stats_of(root), 5); }

}  // namespace

BOOST_AUTO_TEST_SUITE(codec)

// ---- Round trips ---------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(stats_report_round_trips_through_encode_and_decode) {
  std::mt19937_64 rng(31);
  const StatsReport sent = grid::test::random_stats_report(rng, 5, 500);
  const std::string frame = encode(sent, "agent-eu-1/worker-3");
  const auto env = decode_envelope(frame);
  BOOST_TEST_REQUIRE(env.ok(), error_of(env));
  BOOST_TEST((env.value().type == MessageType::stats));
  BOOST_TEST(env.value().version == kProtocolVersion);
  BOOST_TEST(env.value().node_id == "agent-eu-1/worker-3");
  const auto got = decode_body<StatsReport>(env.value());
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  BOOST_TEST_REQUIRE(got.value().windows.size() == sent.windows.size());
  for (size_t i = 0; i < sent.windows.size(); ++i) {
    BOOST_TEST(same_window(got.value().windows[i], sent.windows[i]), "window " << i << " differs");
  }
  // The decoded report re-encodes to the very same bytes.
  BOOST_TEST(encode(got.value(), "agent-eu-1/worker-3") == frame);
}

BOOST_AUTO_TEST_CASE(empty_stats_report_round_trips) {
  const auto got = decode_as<StatsReport>(encode(StatsReport{}, ""));
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  BOOST_TEST(got.value().windows.empty());
}

BOOST_AUTO_TEST_CASE(hello_heartbeat_log_and_bye_round_trip) {
  const Hello hello = grid::test::sample_hello();
  const auto h = decode_as<Hello>(encode(hello, "relay-3"));
  BOOST_TEST_REQUIRE(h.ok(), error_of(h));
  BOOST_TEST(h.value().kind == hello.kind);
  BOOST_TEST(h.value().region == hello.region);
  BOOST_TEST(h.value().hostname == hello.hostname);
  BOOST_TEST(h.value().cores == hello.cores);
  BOOST_TEST(h.value().memory_bytes == hello.memory_bytes);
  BOOST_TEST(h.value().max_users == hello.max_users);
  BOOST_TEST(h.value().software_version == hello.software_version);

  const Heartbeat beat = grid::test::sample_heartbeat();
  const auto b = decode_as<Heartbeat>(encode(beat, "agent-1"));
  BOOST_TEST_REQUIRE(b.ok(), error_of(b));
  BOOST_TEST(b.value().cpu_percent == beat.cpu_percent);
  BOOST_TEST(b.value().rss_bytes == beat.rss_bytes);
  BOOST_TEST(b.value().active_users == beat.active_users);
  BOOST_TEST(b.value().plan_epoch == beat.plan_epoch);
  BOOST_TEST(b.value().sent_unix_us == beat.sent_unix_us);

  const LogRecord log = grid::test::sample_log();
  const auto l = decode_as<LogRecord>(encode(log, "agent-1"));
  BOOST_TEST_REQUIRE(l.ok(), error_of(l));
  BOOST_TEST(l.value().level == log.level);
  BOOST_TEST(l.value().text == log.text);

  const auto y = decode_as<Bye>(encode(grid::test::sample_bye(), "agent-1"));
  BOOST_TEST_REQUIRE(y.ok(), error_of(y));
  BOOST_TEST(y.value().reason == grid::test::sample_bye().reason);
}

BOOST_AUTO_TEST_CASE(plan_and_clock_echo_round_trip) {
  const Plan plan = grid::test::sample_plan();
  const auto p = decode_as<Plan>(encode(plan, "broker"));
  BOOST_TEST_REQUIRE(p.ok(), error_of(p));
  BOOST_TEST(p.value().epoch == plan.epoch);
  BOOST_TEST(p.value().campaign_id == plan.campaign_id);
  BOOST_TEST((p.value().requests == plan.requests));
  BOOST_TEST((p.value().budgets == plan.budgets));
  BOOST_TEST(p.value().spawn_rate == plan.spawn_rate);

  const ClockEcho echo = grid::test::sample_clock_echo();
  const auto e = decode_as<ClockEcho>(encode(echo, "relay-eu"));
  BOOST_TEST_REQUIRE(e.ok(), error_of(e));
  BOOST_TEST(e.value().child_sent_unix_us == echo.child_sent_unix_us);
  BOOST_TEST(e.value().parent_recv_unix_us == echo.parent_recv_unix_us);
  BOOST_TEST(e.value().parent_sent_unix_us == echo.parent_sent_unix_us);
}

BOOST_AUTO_TEST_CASE(every_message_type_decodes_and_re_encodes_to_the_same_bytes) {
  // Covers every field of every message, including those the tests above do not name.
  for (const std::string& frame : grid::test::sample_frames(43)) {
    const auto env = decode_envelope(frame);
    BOOST_TEST_REQUIRE(env.ok(), error_of(env));
    const Envelope& e = env.value();
    BOOST_TEST_CONTEXT("message type " << static_cast<int>(e.type)) {
      const auto again = [&](auto decoded) {
        BOOST_TEST_REQUIRE(decoded.ok(), error_of(decoded));
        return encode(decoded.value(), e.node_id);
      };
      std::string reencoded;
      switch (e.type) {
        case MessageType::hello:
          reencoded = again(decode_body<Hello>(e));
          break;
        case MessageType::heartbeat:
          reencoded = again(decode_body<Heartbeat>(e));
          break;
        case MessageType::stats:
          reencoded = again(decode_body<StatsReport>(e));
          break;
        case MessageType::log:
          reencoded = again(decode_body<LogRecord>(e));
          break;
        case MessageType::bye:
          reencoded = again(decode_body<Bye>(e));
          break;
        case MessageType::plan:
          reencoded = again(decode_body<Plan>(e));
          break;
        case MessageType::clock_echo:
          reencoded = again(decode_body<ClockEcho>(e));
          break;
      }
      BOOST_TEST((reencoded == frame));
    }
  }
}

BOOST_AUTO_TEST_CASE(decoded_envelope_outlives_the_frame_it_came_from) {
  std::optional<Envelope> env;
  {
    std::string frame = encode(known_report(), "agent-1");
    auto r = decode_envelope(frame);
    BOOST_TEST_REQUIRE(r.ok(), error_of(r));
    env = std::move(r).value();
    frame.assign(frame.size(), '\xc1');  // scribble over the buffer before it goes away
  }
  const Envelope copy = *env;
  env.reset();
  const auto report = decode_body<StatsReport>(copy);
  BOOST_TEST_REQUIRE(report.ok(), error_of(report));
  BOOST_TEST(copy.node_id == "agent-1");
  BOOST_TEST(same_window(report.value().windows.at(0), known_report().windows.at(0)));
}

BOOST_AUTO_TEST_CASE(envelope_and_body_with_extra_trailing_fields_from_a_newer_peer_decode) {
  const Bye bye = grid::test::sample_bye();
  const std::string frame = pack_array(static_cast<uint8_t>(MessageType::bye), kProtocolVersion, std::string("n"),
                                       std::make_tuple(bye.reason, 42, "future"), std::string("envelope field 5"));
  const auto got = decode_as<Bye>(frame);
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  BOOST_TEST(got.value().reason == bye.reason);
}

BOOST_AUTO_TEST_CASE(body_missing_trailing_fields_from_an_older_peer_decodes_with_defaults) {
  const std::string frame = pack_array(static_cast<uint8_t>(MessageType::hello), kProtocolVersion, std::string("n"),
                                       std::make_tuple(uint8_t{1}, std::string("eu")));
  const auto got = decode_as<Hello>(frame);
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  BOOST_TEST((got.value().kind == NodeKind::relay));
  BOOST_TEST(got.value().region == "eu");
  BOOST_TEST(got.value().hostname == "");
  BOOST_TEST(got.value().max_users == 0u);
}

BOOST_AUTO_TEST_CASE(failure_counts_from_a_newer_peer_fold_extra_kinds_into_other) {
  const std::string frame = edited(encode(known_report(), "n"), [](msgpack::object& root, msgpack::zone& zone) {
    msgpack::object& stats = home_stats_of(root);
    const uint64_t requests = at(stats, 0).as<uint64_t>();
    auto counts = at(stats, 1).as<std::vector<uint64_t>>();
    counts[5] = 0;
    counts.push_back(1);  // a kind this build does not know
    counts.push_back(2);  // and another
    at(stats, 1) = msgpack::object(counts, zone);
    at(stats, 0) = msgpack::object(requests + 3, zone);
  });
  const auto got = decode_as<StatsReport>(frame);
  BOOST_TEST_REQUIRE(got.ok(), error_of(got));
  const RequestStats& home = got.value().windows.at(0).requests.at("home");
  BOOST_TEST(home.failures[FailureKind::other] == 3u);
  BOOST_TEST(home.requests == known_report().windows[0].requests.at("home").requests + 3);
}

// ---- Malformed envelopes --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(empty_frame_is_a_decode_error) { expect_decode_error("", "empty frame"); }

BOOST_AUTO_TEST_CASE(bytes_that_are_not_msgpack_are_a_decode_error) {
  expect_decode_error(bytes({0xc1}), "malformed frame");  // 0xc1 is never used by msgpack
  expect_decode_error(bytes({0x94, 0x03, 0x01, 0xc1, 0xc0}), "malformed frame");
}

BOOST_AUTO_TEST_CASE(truncated_frame_is_a_decode_error_at_every_prefix_length) {
  for (const std::string& frame : grid::test::sample_frames(41)) {
    for (size_t n = 1; n < frame.size(); ++n) {
      BOOST_TEST_CONTEXT("prefix of " << n << " of " << frame.size() << " bytes") {
        expect_decode_error(frame.substr(0, n), "truncated frame");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(trailing_garbage_is_a_decode_error) {
  const std::string frame = encode(known_report(), "n");
  expect_decode_error(frame + "x", "1 trailing bytes");
  expect_decode_error(frame + frame, std::to_string(frame.size()) + " trailing bytes");
  expect_decode_error("hello", "4 trailing bytes");  // 'h' alone is the msgpack integer 104
}

BOOST_AUTO_TEST_CASE(envelope_that_is_not_an_array_is_a_decode_error) {
  msgpack::sbuffer map;
  msgpack::pack(map, std::map<std::string, int>{{"type", 3}});
  expect_decode_error(std::string(map.data(), map.size()), "envelope is not an array");
  expect_decode_error(bytes({0x03}), "envelope is not an array");
  expect_decode_error(bytes({0xa3, 'a', 'b', 'c'}), "envelope is not an array");
  expect_decode_error(bytes({0xc0}), "envelope is not an array");
}

BOOST_AUTO_TEST_CASE(envelope_with_too_few_fields_is_a_decode_error) {
  expect_decode_error(pack_array(kStats, kProtocolVersion, std::string("n")), "envelope has 3 fields, expected 4");
  expect_decode_error(bytes({0x90}), "envelope has 0 fields");
}

BOOST_AUTO_TEST_CASE(envelope_type_that_is_not_a_small_unsigned_integer_is_a_decode_error) {
  const auto body = std::make_tuple(std::vector<int>{});
  expect_decode_error(pack_array(std::string("stats"), kProtocolVersion, std::string("n"), body), "envelope type");
  expect_decode_error(pack_array(-3, kProtocolVersion, std::string("n"), body), "envelope type");
  // msgpack-c packs an integral double as an integer, so write the float64 3.0 by hand.
  expect_decode_error(bytes({0x94, 0xcb, 0x40, 0x08, 0, 0, 0, 0, 0, 0, 0x01, 0xa1, 'n', 0x91, 0x90}), "envelope type");
  expect_decode_error(pack_array(256 + kStats, kProtocolVersion, std::string("n"), body), "envelope type");
}

BOOST_AUTO_TEST_CASE(unknown_message_type_is_a_decode_error) {
  const auto body = std::make_tuple(std::vector<int>{});
  for (int type : {0, 6, 99, 255}) {
    expect_decode_error(pack_array(type, kProtocolVersion, std::string("n"), body),
                        "unknown message type " + std::to_string(type));
  }
}

BOOST_AUTO_TEST_CASE(unsupported_protocol_version_is_a_decode_error) {
  const auto body = std::make_tuple(std::vector<int>{});
  expect_decode_error(pack_array(kStats, 2, std::string("n"), body),
                      "unsupported protocol version 2 from node \"n\" (this node speaks 1)");
  expect_decode_error(pack_array(kStats, 0, std::string("n"), body), "unsupported protocol version 0");
  expect_decode_error(pack_array(kStats, 65537, std::string("n"), body), "unsupported protocol version 65537");
  expect_decode_error(pack_array(kStats, std::string("1"), std::string("n"), body),
                      "envelope version is not an unsigned integer");
  expect_decode_error(pack_array(kStats, -1, std::string("n"), body), "envelope version is not an unsigned integer");
}

BOOST_AUTO_TEST_CASE(foreign_version_names_the_sender_and_version_of_a_frame_refused_for_its_version_only) {
  const auto body = std::make_tuple(std::vector<int>{});
  const auto next = foreign_version(pack_array(kStats, 2, std::string("agent-7"), body));
  BOOST_TEST_REQUIRE(next.has_value());
  BOOST_TEST(next->version == 2u);
  BOOST_TEST(next->node_id == "agent-7");
  const auto older = foreign_version(pack_array(kStats, 0, 42, body));  // a node id that is no string
  BOOST_TEST_REQUIRE(older.has_value());
  BOOST_TEST(older->version == 0u);
  BOOST_TEST(older->node_id.empty());
  // Not a version problem: our version, garbage, a cut frame, a version of the wrong type.
  BOOST_TEST(!foreign_version(encode(StatsReport{}, "n")).has_value());
  BOOST_TEST(!foreign_version("not msgpack").has_value());
  BOOST_TEST(!foreign_version("").has_value());
  const auto frame = pack_array(kStats, 2, std::string("n"), body);
  BOOST_TEST(!foreign_version(std::string_view(frame).substr(0, frame.size() - 1)).has_value());
  BOOST_TEST(!foreign_version(pack_array(kStats, -1, std::string("n"), body)).has_value());
  // Ids come from the wire: what a log line and summary.json show of them is printable.
  BOOST_TEST(printable_node_id(std::string("a\nb\xff", 4)) == "a?b?");
  BOOST_TEST(printable_node_id(std::string(70, 'x')) == std::string(64, 'x') + "...");
  BOOST_TEST(printable_node_id("") == "(no id)");
}

BOOST_AUTO_TEST_CASE(node_id_that_is_not_a_string_is_a_decode_error) {
  const auto body = std::make_tuple(std::vector<int>{});
  expect_decode_error(pack_array(kStats, kProtocolVersion, 7, body), "node_id is not a string");
  expect_decode_error(pack_array(kStats, kProtocolVersion, msgpack::type::nil_t(), body), "node_id is not a string");
  expect_decode_error(pack_array(kStats, kProtocolVersion, std::vector<char>{'n'}, body), "node_id is not a string");
}

BOOST_AUTO_TEST_CASE(huge_claimed_lengths_are_rejected_without_allocating) {
  // Each frame claims 4 Gi elements or bytes in a 5-byte header; decoding it may grow the
  // address space by 16 MiB at most, i.e. the claim is refused before anything is reserved.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {bytes({0xdd, 0xff, 0xff, 0xff, 0xff}), "array size overflow"},
      {bytes({0xdf, 0xff, 0xff, 0xff, 0xff}), "map size overflow"},
      {bytes({0xdb, 0xff, 0xff, 0xff, 0xff}), "truncated frame"},        // str: the bytes must be present
      {bytes({0xc6, 0xff, 0xff, 0xff, 0xff}), "truncated frame"},        // bin
      {bytes({0xc9, 0xff, 0xff, 0xff, 0xff, 0x01}), "truncated frame"},  // ext
      {envelope_with_raw_body(kStats, bytes({0x91, 0xdd, 0xff, 0xff, 0xff, 0xff})), "array size overflow"},
      {envelope_with_raw_body(kStats, bytes({0x91, 0x94, 0x01, 0x01, 0x01, 0xdf, 0xff, 0xff, 0xff, 0xff})),
       "map size overflow"},
  };
  for (const auto& [frame, needle] : cases) {
    BOOST_TEST_CONTEXT("frame of " << frame.size() << " bytes") {
      expect_decode_error_within(frame, needle, size_t{16} << 20);
    }
  }
}

BOOST_AUTO_TEST_CASE(nested_large_claims_are_rejected_without_allocating_gigabytes) {
  // 16 nested claims of 2^20 elements. msgpack reserves 24 bytes per claimed element up
  // front, so without a bound these 80 bytes would reserve about 512 MiB of address space.
  // The codec caps every claim at the frame's own length (no element takes less than a
  // byte), so the frame is refused with next to nothing reserved.
  std::string nested;
  for (int depth = 0; depth < 16; ++depth) nested += bytes({0xdd, 0x00, 0x10, 0x00, 0x00});
  expect_decode_error_within(nested, "truncated frame", size_t{16} << 20);
}

BOOST_AUTO_TEST_CASE(deeply_nested_frame_is_a_decode_error) {
  std::string deep(100, '\x91');
  deep += '\xc0';
  expect_decode_error(deep, "depth size overflow");
  std::string deep_body(40, '\x91');
  deep_body += '\xc0';
  expect_decode_error(envelope_with_raw_body(kStats, deep_body), "depth size overflow");
}

// ---- Malformed bodies -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(body_of_the_wrong_shape_is_a_decode_error) {
  expect_decode_error(envelope_with_raw_body(kStats, bytes({0xa3, 'a', 'b', 'c'})), "malformed body of message type 3");
  expect_decode_error(envelope_with_raw_body(kStats, bytes({0x2a})), "malformed body of message type 3");
  expect_decode_error(envelope_with_raw_body(kStats, bytes({0x91, 0xa1, 'w'})), "malformed body of message type 3");
  expect_decode_error<Hello>(envelope_with_raw_body(static_cast<uint8_t>(MessageType::hello), bytes({0x80})),
                             "malformed body of message type 1");
}

BOOST_AUTO_TEST_CASE(decode_body_with_a_mismatched_type_is_an_error) {
  const auto env = decode_envelope(encode(known_report(), "n"));
  BOOST_TEST_REQUIRE(env.ok(), error_of(env));
  const auto hello = decode_body<Hello>(env.value());
  BOOST_TEST_REQUIRE(!hello.ok());
  BOOST_TEST(hello.error() == "expected message type 1, got 3");
  BOOST_TEST(!decode_body<Bye>(env.value()).ok());
  BOOST_TEST(decode_body<StatsReport>(env.value()).ok());
}

BOOST_AUTO_TEST_CASE(wrong_field_type_inside_a_window_is_a_decode_error) {
  const std::string report = encode(known_report(), "n");
  expect_decode_error(edited(report,
                             [](msgpack::object& root, msgpack::zone& zone) {
                               at(home_stats_of(root), 0) = msgpack::object(std::string("seven"), zone);
                             }),
                      "malformed body of message type 3");
  expect_decode_error(edited(report,
                             [](msgpack::object& root, msgpack::zone& zone) {
                               at(window_of(root), 1) = msgpack::object(-1000, zone);  // interval_ms
                             }),
                      "malformed body");
  expect_decode_error(edited(report,
                             [](msgpack::object& root, msgpack::zone& zone) {
                               at(window_of(root), 3) = msgpack::object(std::vector<int>{1, 2}, zone);  // requests map
                             }),
                      "malformed body");
  expect_decode_error(edited(report,
                             [](msgpack::object& root, msgpack::zone& zone) {
                               at(home_stats_of(root), 1) = msgpack::object(5, zone);  // failure counts
                             }),
                      "failure counts are not an array");
  expect_decode_error(edited(report,
                             [](msgpack::object& root, msgpack::zone& zone) {
                               at(at(at(home_stats_of(root), 2), 0), 0) =
                                   msgpack::object(70'000, zone);  // uint16 status
                             }),
                      "malformed body");
}

BOOST_AUTO_TEST_CASE(out_of_range_small_integer_fields_are_decode_errors) {
  expect_decode_error<Hello>(
      pack_array(static_cast<uint8_t>(MessageType::hello), kProtocolVersion, std::string("n"), std::make_tuple(300)),
      "malformed body of message type 1");
  expect_decode_error<Hello>(
      pack_array(static_cast<uint8_t>(MessageType::hello), kProtocolVersion, std::string("n"), std::make_tuple(7)),
      "hello has unknown node kind 7");
  expect_decode_error<LogRecord>(pack_array(static_cast<uint8_t>(MessageType::log), kProtocolVersion, std::string("n"),
                                            std::make_tuple(3, std::string("x"))),
                                 "log record has unknown level 3");
}

BOOST_AUTO_TEST_CASE(heartbeat_with_an_implausible_cpu_percent_is_a_decode_error) {
  // Found by codec_fuzz: a uint64 near 2^64 decodes to the double 2^64, which msgpack-c
  // cannot re-encode without undefined behaviour. NaN and negative loads are nonsense too.
  const auto heartbeat = [](auto cpu) {
    return pack_array(static_cast<uint8_t>(MessageType::heartbeat), kProtocolVersion, std::string("n"),
                      std::make_tuple(cpu, 0, 0, 0, 0));
  };
  expect_decode_error<Heartbeat>(heartbeat(uint64_t{0xffffffffffffff0e}), "implausible cpu_percent");
  expect_decode_error<Heartbeat>(heartbeat(std::nan("")), "implausible cpu_percent");
  expect_decode_error<Heartbeat>(heartbeat(-1.5), "implausible cpu_percent");
  const auto busy = decode_as<Heartbeat>(heartbeat(6400.0));  // 64 busy cores
  BOOST_TEST_REQUIRE(busy.ok(), error_of(busy));
  BOOST_TEST(busy.value().cpu_percent == 6400.0);
}

BOOST_AUTO_TEST_CASE(histogram_with_unsorted_indexes_is_a_decode_error) {
  expect_decode_error(edited(encode(known_report(), "n"),
                             [](msgpack::object& root, msgpack::zone&) {
                               msgpack::object& indexes = at(home_histogram_of(root), 0);
                               BOOST_TEST_REQUIRE(indexes.via.array.size >= 3u);
                               std::swap(at(indexes, 1), at(indexes, 2));
                             }),
                      "histogram bucket indexes are not strictly ascending");
}

BOOST_AUTO_TEST_CASE(histogram_with_an_out_of_range_index_is_a_decode_error) {
  expect_decode_error(edited(encode(known_report(), "n"),
                             [](msgpack::object& root, msgpack::zone& zone) {
                               at(at(home_histogram_of(root), 0), 0) = msgpack::object(40'000, zone);
                             }),
                      "histogram bucket index 40000 is out of range");
}

BOOST_AUTO_TEST_CASE(histogram_with_a_zero_count_is_a_decode_error) {
  expect_decode_error(edited(encode(known_report(), "n"),
                             [](msgpack::object& root, msgpack::zone& zone) {
                               at(at(home_histogram_of(root), 1), 1) = msgpack::object(0, zone);
                             }),
                      "has a zero count");
}

BOOST_AUTO_TEST_CASE(histogram_with_inconsistent_min_and_max_is_a_decode_error) {
  const std::string report = encode(known_report(), "n");
  expect_decode_error(edited(report,
                             [](msgpack::object& root, msgpack::zone& zone) {
                               msgpack::object& h = home_histogram_of(root);
                               at(h, 2) = msgpack::object(at(h, 3).as<uint64_t>() + 1, zone);  // min = max + 1
                             }),
                      "histogram min/max do not match");
  expect_decode_error(edited(report,
                             [](msgpack::object& root, msgpack::zone& zone) {
                               msgpack::object& h = home_histogram_of(root);
                               at(h, 3) = msgpack::object(at(h, 3).as<uint64_t>() * 2,
                                                          zone);  // max beyond top bucket
                             }),
                      "histogram min/max do not match");
}

BOOST_AUTO_TEST_CASE(histogram_with_more_indexes_than_counts_is_a_decode_error) {
  expect_decode_error(
      edited(encode(known_report(), "n"),
             [](msgpack::object& root, msgpack::zone&) { --at(home_histogram_of(root), 1).via.array.size; }),
      "indexes but");
}

BOOST_AUTO_TEST_CASE(failures_exceeding_requests_is_a_decode_error) {
  expect_decode_error(edited(encode(known_report(), "n"),
                             [](msgpack::object& root, msgpack::zone& zone) {
                               msgpack::object& stats = home_stats_of(root);
                               at(at(stats, 1), 2) = msgpack::object(at(stats, 0).as<uint64_t>() + 1, zone);
                             }),
                      "failures exceed");
}

BOOST_AUTO_TEST_CASE(failure_counts_that_wrap_around_are_a_decode_error) {
  // A request name with no traffic, whose failure counts sum to 2^64 + 1: a wrapping sum
  // reads them as 1 failure (or 0, when the 7th count, a kind this build does not know,
  // is folded into `other`), which would pass as consistent with 0 or 1 requests.
  StatsReport report;
  report.windows.resize(1);
  report.windows[0].index = 1;
  report.windows[0].interval_ms = 1000;
  report.windows[0].requests["x"] = {};
  const std::string frame = encode(report, "n");
  for (const std::vector<uint64_t>& counts :
       {std::vector<uint64_t>{UINT64_MAX, 2, 0, 0, 0, 0}, std::vector<uint64_t>{0, 0, 0, 0, 0, UINT64_MAX, 1}}) {
    BOOST_TEST_CONTEXT(counts.size() << " failure counts") {
      expect_decode_error(edited(frame,
                                 [&](msgpack::object& root, msgpack::zone& zone) {
                                   msgpack::object& stats = home_stats_of(root);
                                   at(stats, 0) = msgpack::object(1, zone);  // requests
                                   at(stats, 1) = msgpack::object(counts, zone);
                                 }),
                          "failure");
    }
  }
}

BOOST_AUTO_TEST_CASE(status_counts_exceeding_requests_are_a_decode_error) {
  expect_decode_error(edited(encode(known_report(), "n"),
                             [](msgpack::object& root, msgpack::zone& zone) {
                               msgpack::object& stats = home_stats_of(root);
                               at(at(at(stats, 2), 0), 1) = msgpack::object(at(stats, 0).as<uint64_t>() + 1, zone);
                             }),
                      "responses exceed");
}

BOOST_AUTO_TEST_CASE(window_with_a_zero_interval_is_a_decode_error) {
  expect_decode_error(
      edited(encode(known_report(), "n"),
             [](msgpack::object& root, msgpack::zone& zone) { at(window_of(root), 1) = msgpack::object(0, zone); }),
      "stats window has a zero interval");
}

BOOST_AUTO_TEST_SUITE_END()

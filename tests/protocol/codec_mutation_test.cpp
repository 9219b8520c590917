// Property test in the spirit of a fuzzer, deterministic and fast enough for every run:
// random mutations of valid frames of every message type never make the decoder throw or
// crash; each either fails with a message or yields a valid message that re-encodes to a
// frame decoding to the same message. tests/fuzz/codec_fuzz.cpp runs the same check
// under libFuzzer for open-ended exploration.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "protocol/wire/codec.hpp"
#include "protocol/wire/plan.hpp"
#include "sample_messages.hpp"

using namespace grid::wire;

namespace {

/// One random mutation: flip bits, overwrite, insert or delete bytes, truncate, duplicate
/// a span, or set a byte to an interesting msgpack marker. Applied 1-4 times per frame.
std::string mutate(std::string frame, std::mt19937_64& rng) {
  static constexpr uint8_t kMarkers[] = {0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc4, 0xca,
                                         0xcb, 0xcc, 0xcf, 0xd0, 0xd3, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff};
  const int rounds = 1 + static_cast<int>(rng() % 4);
  for (int r = 0; r < rounds; ++r) {
    const size_t n = frame.size();
    const size_t at = n == 0 ? 0 : rng() % n;
    switch (rng() % 7) {
      case 0:  // bit flip
        if (n) frame[at] = static_cast<char>(frame[at] ^ (1 << (rng() % 8)));
        break;
      case 1:  // random byte
        if (n) frame[at] = static_cast<char>(rng());
        break;
      case 2:  // msgpack marker
        if (n) frame[at] = static_cast<char>(kMarkers[rng() % std::size(kMarkers)]);
        break;
      case 3:  // insert 1-8 random bytes
        frame.insert(at, std::string(1 + rng() % 8, static_cast<char>(rng())));
        break;
      case 4:  // delete 1-8 bytes
        if (n) frame.erase(at, 1 + rng() % 8);
        break;
      case 5:  // truncate
        frame.resize(n == 0 ? 0 : rng() % n);
        break;
      default:  // duplicate a span
        if (n) frame.insert(rng() % n, frame.substr(at, 1 + rng() % 16));
        break;
    }
  }
  return frame;
}

struct Outcomes {
  size_t envelope_errors = 0;
  size_t body_errors = 0;
  size_t decoded = 0;
  size_t problem_count = 0;
  std::vector<std::string> problems;  // the first few problems, for the report

  void problem(const std::string& what, const std::string& frame) {
    ++problem_count;
    if (problems.size() < 5) {
      problems.push_back(what + " (frame of " + std::to_string(frame.size()) + " bytes)");
    }
  }
};

/// Decodes the body as M; a success must be a valid M that survives a re-encode unchanged.
template <class M>
void check_body(const Envelope& env, const std::string& frame, Outcomes& out) {
  const auto body = decode_body<M>(env);
  if (!body.ok()) {
    if (body.error().empty()) out.problem("body error without a message", frame);
    if (env.type == M::kType) ++out.body_errors;
    return;
  }
  if (env.type != M::kType) out.problem("decoded a body of another message type", frame);
  if (auto problem = body.value().validate()) out.problem("decoded an invalid message: " + *problem, frame);
  const std::string again = encode(body.value(), env.node_id);
  const auto env2 = decode_envelope(again);
  if (!env2.ok()) return out.problem("re-encoded message fails: " + env2.error(), frame);
  const auto body2 = decode_body<M>(env2.value());
  if (!body2.ok()) return out.problem("re-encoded message fails: " + body2.error(), frame);
  if (encode(body2.value(), env.node_id) != again) out.problem("re-encode is not stable", frame);
  ++out.decoded;
}

void check_frame(const std::string& frame, Outcomes& out) {
  try {
    const auto env = decode_envelope(frame);
    if (!env.ok()) {
      if (env.error().empty()) out.problem("envelope error without a message", frame);
      ++out.envelope_errors;
      return;
    }
    check_body<Hello>(env.value(), frame, out);
    check_body<Heartbeat>(env.value(), frame, out);
    check_body<StatsReport>(env.value(), frame, out);
    check_body<LogRecord>(env.value(), frame, out);
    check_body<Bye>(env.value(), frame, out);
    check_body<Plan>(env.value(), frame, out);
    check_body<ClockEcho>(env.value(), frame, out);
  } catch (const std::exception& e) {
    out.problem(std::string("threw ") + e.what(), frame);
  } catch (...) {
    out.problem("threw a non-std exception", frame);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(codec_mutations)

BOOST_AUTO_TEST_CASE(decoding_20k_mutated_frames_never_throws_and_yields_an_error_or_a_valid_message) {
  std::mt19937_64 rng(2024);
  const std::vector<std::string> seeds = grid::test::sample_frames(51);
  Outcomes out;
  for (int i = 0; i < 20'000; ++i) {
    check_frame(mutate(seeds[static_cast<size_t>(i) % seeds.size()], rng), out);
  }
  BOOST_TEST_MESSAGE("20000 mutated frames: " << out.envelope_errors << " envelope errors, " << out.body_errors
                                              << " body errors, " << out.decoded << " decoded to valid messages");
  for (const auto& p : out.problems) BOOST_ERROR(p);
  BOOST_TEST(out.problem_count == 0u);
  // The mutations must exercise every outcome, or the test proves little.
  BOOST_TEST(out.envelope_errors > 1000u);
  BOOST_TEST(out.body_errors > 100u);
  BOOST_TEST(out.decoded > 100u);
}

BOOST_AUTO_TEST_CASE(unmutated_sample_frames_decode_to_valid_messages) {
  Outcomes out;
  for (const auto& frame : grid::test::sample_frames(51)) check_frame(frame, out);
  for (const auto& p : out.problems) BOOST_ERROR(p);
  BOOST_TEST(out.decoded == grid::test::sample_frames(51).size());
}

// tests/fuzz/corpus/codec/ seeds the CI fuzz run (scripts/fuzz-smoke.sh); written by
// tests/fuzz/make_seed_corpus.cpp. Files named valid-* are valid frames, all others
// hostile ones a peer could send.
BOOST_AUTO_TEST_CASE(committed_codec_seeds_cover_every_message_type_and_each_hostile_seed_is_refused_with_a_reason) {
  std::set<MessageType> types;
  size_t hostile = 0;
  for (const auto& entry : std::filesystem::directory_iterator(LOADGRID_SOURCE_DIR "/tests/fuzz/corpus/codec")) {
    const std::string name = entry.path().filename().string();
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string frame{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    BOOST_TEST_CONTEXT("seed " << name) {
      Outcomes out;
      check_frame(frame, out);
      for (const auto& p : out.problems) BOOST_ERROR(p);
      if (name.rfind("valid-", 0) == 0) {
        BOOST_TEST(out.decoded == 1u);
        types.insert(decode_envelope(frame).value().type);
      } else {
        ++hostile;
        BOOST_TEST(out.decoded == 0u);
        BOOST_TEST(out.envelope_errors + out.body_errors == 1u);
      }
    }
  }
  BOOST_TEST(types.size() == 7u);  // hello, heartbeat, stats, log, bye, plan, clock echo
  BOOST_TEST(hostile >= 20u);
}

BOOST_AUTO_TEST_SUITE_END()

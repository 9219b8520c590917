// Writes the codec fuzzer's seed corpus into the directory given as argv[1] (see
// README.md; the committed copy is corpus/codec/): one valid frame of every message type
// (the protocol tests' sample messages), stats reports of a few sizes, and hostile frames
// a peer could send: truncated, with trailing bytes, claiming more than they hold,
// nesting too deep, of an unknown type or version, with a body of the wrong shape.
// Deterministic: the same build writes the same files.

#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "../protocol/sample_messages.hpp"

namespace {

// The envelope [type, version, node_id, body] by hand, with `body` already packed.
std::string envelope(uint8_t type, uint8_t version, const std::string& node_id, const std::string& body) {
  std::string out = "\x94";
  out += static_cast<char>(type);  // positive fixint: types are below 128
  out += static_cast<char>(version);
  out += static_cast<char>(0xa0 | node_id.size());  // fixstr: ids here are short
  return out + node_id + body;
}

std::vector<std::pair<std::string, std::string>> seeds() {
  using namespace grid;
  std::vector<std::pair<std::string, std::string>> out;
  const auto valid = test::sample_frames(1);
  const char* names[] = {"hello", "heartbeat", "stats", "stats-empty", "log", "bye", "plan", "clock-echo"};
  for (size_t i = 0; i < valid.size(); ++i) out.emplace_back(std::string("valid-") + names[i], valid[i]);
  for (uint64_t seed : {2, 3}) {
    std::mt19937_64 rng(seed);
    out.emplace_back("valid-stats-" + std::to_string(seed),
                     wire::encode(test::random_stats_report(rng, seed, 20 * seed), "relay-" + std::to_string(seed)));
  }
  out.emplace_back("valid-plan-all-defaults", envelope(16, 1, "a", "\x90"));  // fields an old peer lacks
  // Cut short: every strict prefix of a frame is truncated. Half, and all but the last byte.
  for (size_t i : {0, 2, 6}) {
    out.emplace_back(std::string("truncated-half-") + names[i], valid[i].substr(0, valid[i].size() / 2));
    out.emplace_back(std::string("truncated-last-byte-") + names[i], valid[i].substr(0, valid[i].size() - 1));
  }
  out.emplace_back("trailing-byte-hello", valid[0] + '\0');
  out.emplace_back("two-frames-in-one", valid[1] + valid[5]);
  out.emplace_back("empty", "");
  // Lengths that claim more than the frame holds (oversized claims): an array of 2^32-1
  // elements, a map of as many pairs, a node id and a bin of 4 GiB, a str16 cut short.
  out.emplace_back("claims-huge-array", "\xdd\xff\xff\xff\xff");
  out.emplace_back("claims-huge-map", "\xdf\xff\xff\xff\xff");
  out.emplace_back("claims-huge-node-id", std::string("\x94\x01\x01\xdb\xff\xff\xff\xff", 8) + "agent");
  out.emplace_back("claims-huge-body-bin", envelope(3, 1, "a", "\xc6\xff\xff\xff\xff\x01"));
  out.emplace_back("claims-long-str16", envelope(4, 1, "a", "\x92\x01\xda\xff\xffwarning"));
  out.emplace_back("claims-huge-stats-windows", envelope(3, 1, "a", "\x92\xdd\x7f\xff\xff\xff"));
  out.emplace_back("nests-too-deep", std::string(64, '\x91') + '\x01');
  // Envelopes a decoder must refuse by their header, and bodies of the wrong shape.
  out.emplace_back("unknown-type", envelope(99, 1, "a", "\x90"));
  out.emplace_back("unknown-version", envelope(1, 2, "a", "\x90"));
  out.emplace_back("body-is-a-string", envelope(2, 1, "a", "\xa3xyz"));
  out.emplace_back("body-is-nil", envelope(3, 1, "a", "\xc0"));
  out.emplace_back("body-fields-nil", envelope(2, 1, "a", "\x93\xc0\xc0\xc0"));
  out.emplace_back("body-field-of-the-wrong-type", envelope(1, 1, "a", std::string("\x92\x00\xff", 3)));
  out.emplace_back("reserved-byte", envelope(5, 1, "a", "\x91\xc1"));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  int n = 0;
  for (const auto& [name, frame] : seeds()) {
    const std::string path = std::string(argv[1]) + "/" + name;
    std::ofstream out(path, std::ios::binary);
    out.write(frame.data(), static_cast<std::streamsize>(frame.size()));
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      return 1;
    }
    ++n;
  }
  std::printf("wrote %d seed frames to %s\n", n, argv[1]);
  return 0;
}

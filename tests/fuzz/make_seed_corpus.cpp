// Writes one valid frame of every message type into the directory given as argv[1], as a
// seed corpus for codec_fuzz (see README.md). Uses the protocol tests' sample messages.

#include <cstdio>
#include <fstream>
#include <string>

#include "../protocol/sample_messages.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  int n = 0;
  for (uint64_t seed : {1, 2, 3}) {
    for (const std::string& frame : grid::test::sample_frames(seed)) {
      const std::string path = std::string(argv[1]) + "/seed-" + std::to_string(n++);
      std::ofstream(path, std::ios::binary).write(frame.data(), static_cast<std::streamsize>(frame.size()));
    }
  }
  std::printf("wrote %d seed frames to %s\n", n, argv[1]);
  return 0;
}

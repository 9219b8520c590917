#pragma once

// Seed corpora and random mutations of them, for the deterministic replays of the fuzzers
// (tests/broker/campaign_fuzz_replay_test.cpp, tests/agent/native_exchange_fuzz_replay_test.cpp,
// tests/protocol/workload_fuzz_replay_test.cpp).

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace grid::fuzz {

/// Every file of tests/fuzz/corpus/<name>/ (the source tree's), in directory order.
inline std::vector<std::string> seed_corpus(const std::string& source_dir, const std::string& name) {
  std::vector<std::string> seeds;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(source_dir) / "tests/fuzz/corpus" / name)) {
    std::ifstream in(entry.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return seeds;
}

/// 1-4 random edits of `s`: flip a bit, overwrite, insert or delete a byte, splice one of
/// `tokens`, truncate.
inline std::string mutate(std::string s, std::mt19937_64& rng, const std::vector<std::string>& tokens) {
  const auto below = [&](uint64_t n) { return n == 0 ? 0 : rng() % n; };
  const auto rounds = 1 + below(4);
  for (uint64_t r = 0; r < rounds; ++r) {
    const size_t at = s.empty() ? 0 : below(s.size());
    switch (below(6)) {
      case 0:
        if (!s.empty()) s[at] = static_cast<char>(s[at] ^ (1 << below(8)));
        break;
      case 1:
        if (!s.empty()) s[at] = static_cast<char>(rng());
        break;
      case 2:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng()));
        break;
      case 3:
        if (!s.empty()) s.erase(at, 1);
        break;
      case 4:
        s.insert(at, tokens[below(tokens.size())]);
        break;
      default:
        s.resize(at);
        break;
    }
  }
  return s;
}

}  // namespace grid::fuzz

// Deterministic companion of tests/fuzz/native_exchange_fuzz.cpp, run in every test run:
// the seed corpus (tests/fuzz/corpus/native_exchange/) and random mutations of it go
// through the same property (fuzz/native_exchange_property.hpp): one outcome, the same
// whatever the cuts, bytes never over-counted.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "agent/fast_rng.hpp"
#include "fuzz/native_exchange_property.hpp"

namespace {

std::vector<std::string> seed_corpus() {
  std::vector<std::string> seeds;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(LOADGRID_SOURCE_DIR) /
                                                               "tests/fuzz/corpus/native_exchange")) {
    std::ifstream in(entry.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return seeds;
}

void run(const std::string& input) {
  grid::fuzz::check_exchange(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

// 1-4 random edits (flip, overwrite, insert, delete, splice an HTTP token, truncate); the
// first bytes (flags and cuts) are edited like the rest.
std::string mutate(std::string s, grid::agent::FastRng& rng) {
  static const char* const kTokens[] = {"\r\n",
                                        "\r\n\r\n",
                                        "HTTP/1.1 200 OK\r\n",
                                        "HTTP/1.0 ",
                                        "HTTP/1.1 100 Continue\r\n\r\n",
                                        "Content-Length: ",
                                        "Transfer-Encoding: chunked\r\n",
                                        "Connection: close\r\n",
                                        "0\r\n\r\n",
                                        "ffffffff\r\n",
                                        "204",
                                        "304"};
  const auto rounds = 1 + rng.below(4);
  for (uint64_t r = 0; r < rounds; ++r) {
    const size_t at = s.empty() ? 0 : rng.below(s.size());
    switch (rng.below(6)) {
      case 0:
        if (!s.empty()) s[at] = static_cast<char>(s[at] ^ (1 << rng.below(8)));
        break;
      case 1:
        if (!s.empty()) s[at] = static_cast<char>(rng.next());
        break;
      case 2:
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), static_cast<char>(rng.next()));
        break;
      case 3:
        if (!s.empty()) s.erase(at, 1);
        break;
      case 4:
        s.insert(at, kTokens[rng.below(std::size(kTokens))]);
        break;
      default:
        s.resize(at);
        break;
    }
  }
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(native_exchange_fuzz_replay)

BOOST_AUTO_TEST_CASE(the_seed_corpus_keeps_every_promise) {
  const auto seeds = seed_corpus();
  BOOST_TEST(seeds.size() >= 10u);
  for (const auto& s : seeds) BOOST_CHECK_NO_THROW(run(s));
}

BOOST_AUTO_TEST_CASE(mutations_of_the_seed_corpus_keep_every_promise) {
  const auto seeds = seed_corpus();
  grid::agent::FastRng rng(2027);
  for (int i = 0; i < 20'000; ++i) {
    const std::string input = mutate(seeds[rng.below(seeds.size())], rng);
    try {
      run(input);
    } catch (const std::exception& e) {
      BOOST_FAIL("input " << i << " broke a promise: " << e.what());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

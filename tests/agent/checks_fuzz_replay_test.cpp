// Deterministic companion of tests/fuzz/checks_fuzz.cpp, run in every test run: the
// seed corpus (tests/fuzz/corpus/checks/) and thousands of random mutations of it go
// through the same property (fuzz/checks_property.hpp): no crash, no exception, every
// promise kept.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "agent/fast_rng.hpp"
#include "fuzz/checks_property.hpp"

namespace {

std::vector<std::string> seed_corpus() {
  std::vector<std::string> seeds;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(LOADGRID_SOURCE_DIR) / "tests/fuzz/corpus/checks")) {
    std::ifstream in(entry.path(), std::ios::binary);
    seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return seeds;
}

void run(const std::string& input) {
  grid::fuzz::check_response(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

// 1-4 random edits: flip a bit, overwrite, insert or delete a byte, splice a token that
// matters to the checks, truncate.
std::string mutate(std::string s, grid::agent::FastRng& rng) {
  static const char* const kTokens[] = {"\"",
                                        "{",
                                        "}",
                                        "[",
                                        "]",
                                        ":",
                                        ",",
                                        "\\",
                                        "~",
                                        "/",
                                        "\r\n",
                                        "\0",
                                        "OK",
                                        "\"token\":\"",
                                        "\"id\":",
                                        "42",
                                        "HTTP/1.1 200 OK\r\n",
                                        "Content-Type:",
                                        "c"};
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
      case 4: {
        const std::string token = kTokens[rng.below(std::size(kTokens))];
        s.insert(at, token.empty() ? std::string(1, '\0') : token);
        break;
      }
      default:
        s.resize(at);
        break;
    }
  }
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(checks_fuzz_replay)

BOOST_AUTO_TEST_CASE(the_seed_corpus_keeps_every_promise) {
  const auto seeds = seed_corpus();
  BOOST_TEST(seeds.size() >= 10u);
  for (const auto& s : seeds) BOOST_CHECK_NO_THROW(run(s));
}

BOOST_AUTO_TEST_CASE(a_seed_passes_every_check_and_extraction) {
  // The corpus holds a response that satisfies everything, so the fuzzer starts deep.
  std::ifstream in(std::filesystem::path(LOADGRID_SOURCE_DIR) / "tests/fuzz/corpus/checks/full_json_all_pass",
                   std::ios::binary);
  const std::string input{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const size_t nul = input.find('\0');
  BOOST_REQUIRE(nul != std::string::npos);
  const std::string_view body = std::string_view(input).substr(nul + 1);
  const auto failed = grid::fuzz::fuzz_checks().run_checks(body);
  BOOST_TEST(!failed.has_value(), failed.value_or(""));
  grid::agent::UserVariables vars;
  std::string missing;
  BOOST_TEST(grid::fuzz::fuzz_checks().extract(body, grid::agent::Headers{std::string_view(input).substr(0, nul)}, vars,
                                               &missing),
             missing);
}

BOOST_AUTO_TEST_CASE(mutations_of_the_seed_corpus_keep_every_promise) {
  const auto seeds = seed_corpus();
  grid::agent::FastRng rng(2026);
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

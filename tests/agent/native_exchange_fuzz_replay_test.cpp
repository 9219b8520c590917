// Deterministic companion of tests/fuzz/native_exchange_fuzz.cpp, run in every test run:
// the seed corpus (tests/fuzz/corpus/native_exchange/) and random mutations of it
// (fuzz/corpus_mutator.hpp) go through the same property (fuzz/native_exchange_property.hpp):
// one outcome, the same whatever the cuts, bytes never over-counted.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "fuzz/corpus_mutator.hpp"
#include "fuzz/native_exchange_property.hpp"

namespace {

void run(const std::string& input) {
  grid::fuzz::check_exchange(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

// HTTP pieces spliced in by the mutations; the first bytes (flags and cuts) are edited
// like the rest.
const std::vector<std::string> kTokens = {"\r\n",
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

std::vector<std::string> seeds() { return grid::fuzz::seed_corpus(LOADGRID_SOURCE_DIR, "native_exchange"); }

}  // namespace

BOOST_AUTO_TEST_SUITE(native_exchange_fuzz_replay)

BOOST_AUTO_TEST_CASE(the_seed_corpus_keeps_every_promise) {
  const auto corpus = seeds();
  BOOST_TEST(corpus.size() >= 10u);
  for (const auto& s : corpus) BOOST_CHECK_NO_THROW(run(s));
}

BOOST_AUTO_TEST_CASE(mutations_of_the_seed_corpus_keep_every_promise) {
  const auto corpus = seeds();
  std::mt19937_64 rng(2027);
  for (int i = 0; i < 20'000; ++i) {
    const std::string input = grid::fuzz::mutate(corpus[rng() % corpus.size()], rng, kTokens);
    try {
      run(input);
    } catch (const std::exception& e) {
      BOOST_FAIL("input " << i << " broke a promise: " << e.what());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

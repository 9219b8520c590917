// Deterministic companion of tests/fuzz/campaign_fuzz.cpp, run in every test run: the
// seed corpus (tests/fuzz/corpus/campaign/) and thousands of random mutations of it go
// through the same property (fuzz/campaign_property.hpp): only ConfigError escapes, every
// promise kept.

#include <boost/test/unit_test.hpp>

#include "fuzz/campaign_property.hpp"
#include "fuzz/corpus_mutator.hpp"

namespace {

void run(const std::string& input) {
  grid::fuzz::check_campaign_text(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

// Pieces that matter to the INI reader and the campaign's grammar.
const std::vector<std::string> kTokens = {"\n",
                                          "\r\n",
                                          "[",
                                          "]",
                                          "=",
                                          "#",
                                          " ",
                                          "${",
                                          "}",
                                          "$${",
                                          "${env.X}",
                                          "${random(",
                                          "..",
                                          "~",
                                          ",",
                                          ":",
                                          "==",
                                          "< ",
                                          "%",
                                          "ms",
                                          "[request.x]\n",
                                          "[load]\n",
                                          "[scenario.s]\n",
                                          "[data.d]\nfile = d.csv\n",
                                          "step = request x\n",
                                          "step = repeat 100\n",
                                          "step = end\n",
                                          "users = ",
                                          "model = open\n",
                                          "stages = 1s:1\n",
                                          "extract = v json /a\n",
                                          "check = regex (a{100}){100}\n",
                                          "body_file = big\n",
                                          "p99.9 = < 1s\n",
                                          "[thresholds]\n"};

}  // namespace

BOOST_AUTO_TEST_SUITE(campaign_fuzz_replay)

BOOST_AUTO_TEST_CASE(the_seed_corpus_keeps_every_promise) {
  const auto seeds = grid::fuzz::seed_corpus(LOADGRID_SOURCE_DIR, "campaign");
  BOOST_TEST(seeds.size() >= 10u);
  for (const auto& s : seeds) BOOST_CHECK_NO_THROW(run(s));
}

BOOST_AUTO_TEST_CASE(the_shipped_examples_in_the_corpus_parse) {
  // The corpus starts deep: its copies of configs/*.ini are valid campaigns.
  for (const char* name : {"config-journeys.ini", "config-local-target.ini"}) {
    BOOST_TEST_CONTEXT(name) {
      std::ifstream in(std::filesystem::path(LOADGRID_SOURCE_DIR) / "tests/fuzz/corpus/campaign" / name);
      BOOST_REQUIRE(in);
      BOOST_CHECK_NO_THROW(grid::broker::parse_campaign(in, name, grid::fuzz::campaign_fuzz_environment()));
    }
  }
}

BOOST_AUTO_TEST_CASE(mutations_of_the_seed_corpus_keep_every_promise) {
  const auto seeds = grid::fuzz::seed_corpus(LOADGRID_SOURCE_DIR, "campaign");
  std::mt19937_64 rng(2026);
  for (int i = 0; i < 3'000; ++i) {
    const std::string input = grid::fuzz::mutate(seeds[rng() % seeds.size()], rng, kTokens);
    try {
      run(input);
    } catch (const std::exception& e) {
      BOOST_FAIL("input " << i << " broke a promise: " << e.what() << "\ninput:\n" << input);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

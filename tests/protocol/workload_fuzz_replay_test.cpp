// Deterministic companion of tests/fuzz/template_fuzz.cpp and csv_fuzz.cpp, run in every
// test run: the seed corpora (tests/fuzz/corpus/template/, corpus/csv/) and thousands of
// random mutations of them go through the same properties (fuzz/workload_property.hpp).

#include <boost/test/unit_test.hpp>

#include "fuzz/corpus_mutator.hpp"
#include "fuzz/workload_property.hpp"

namespace {

const std::vector<std::string> kTemplateTokens = {
    "$", "${", "}", "$${", "${user}", "${env.A}", "env.", "${random(", ",", ")", "-", "9223372036854775807", "_", "1"};
const std::vector<std::string> kCsvTokens = {
    "\"", "\"\"", ",", "\n", "\r\n", "\r", "\xEF\xBB\xBF", "a", std::string(1, '\0')};

template <class Check>
void replay(const std::string& name, const std::vector<std::string>& tokens, Check check) {
  const auto seeds = grid::fuzz::seed_corpus(LOADGRID_SOURCE_DIR, name);
  BOOST_TEST(seeds.size() >= 8u);
  const auto run = [&](const std::string& s) { check(reinterpret_cast<const uint8_t*>(s.data()), s.size()); };
  for (const auto& s : seeds) BOOST_CHECK_NO_THROW(run(s));
  std::mt19937_64 rng(2026);
  for (int i = 0; i < 20'000; ++i) {
    const std::string input = grid::fuzz::mutate(seeds[rng() % seeds.size()], rng, tokens);
    try {
      run(input);
    } catch (const std::exception& e) {
      BOOST_FAIL(name << " input " << i << " broke a promise: " << e.what());
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(workload_fuzz_replay)

BOOST_AUTO_TEST_CASE(template_corpus_and_mutations_keep_every_promise) {
  replay("template", kTemplateTokens, grid::fuzz::check_template_text);
}

BOOST_AUTO_TEST_CASE(csv_corpus_and_mutations_keep_every_promise) {
  replay("csv", kCsvTokens, grid::fuzz::check_csv_text);
}

BOOST_AUTO_TEST_SUITE_END()

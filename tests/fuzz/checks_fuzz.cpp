// libFuzzer harness for response checks and extractions (not part of the default build;
// see README.md). Feeds arbitrary header blocks and bodies to CompiledChecks::run_checks
// and ::extract with a fixed set of every kind of check (checks_property.hpp), then
// renders the extracted variables. Aborts with a reason when anything throws or a promise
// is broken; AddressSanitizer/UBSan catch memory errors and undefined behaviour.
// tests/agent/checks_fuzz_replay_test.cpp replays the seed corpus (corpus/checks/) and
// mutations of it in every test run.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "fuzz/checks_property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    grid::fuzz::check_response(data, size);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "checks_fuzz: %s\n", e.what());
    std::abort();
  }
  return 0;
}
